using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>
/// An account token reaches its own account only: every route that takes another account's, member's, address's,
/// order's or cart's id answers 404 (ids cannot be probed) and changes nothing; the header alone is no token; what is
/// the store's stays the store's.
/// </summary>
public sealed class AccountSecurityTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private const string Password = "correct horse battery staple";

    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();

    private sealed record Shopper(ApiClient Client, string Member, string Account, string Address, string Order, string Cart);

    private async Task<string> ProfileAsync()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var settings = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication", new
        {
            type = "account_authentication_settings", enable_self_signup = true, auto_create_account_for_account_members = true, account_member_self_management = "update_only",
        }), HttpStatusCode.OK);
        var realm = Str(settings, "data.relationships.authentication_realm.data.id");
        var profiles = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/authentication-realms/{realm}/password-profiles"), HttpStatusCode.OK);
        return profiles["data"]!.AsArray().FirstOrDefault() is { } existing ? Str(existing, "id")
            : Str(await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/password-profiles",
                new { type = "password_profile", username_format = "email", name = "password profile" }), HttpStatusCode.Created), "data.id");
    }

    private async Task<Shopper> ShopperAsync(string profile)
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail("member");
        var answer = await ApiClient.ExpectAsync(await client.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
            username = email, password = Password, name = "Member", email,
        }), HttpStatusCode.Created);
        client.AccountToken = Str(answer["data"]![0], "token");
        var account = Str(answer["data"]![0], "account_id");
        var address = Str(await ApiClient.ExpectAsync(await client.PostAsync($"/v2/accounts/{account}/addresses", Address), HttpStatusCode.Created), "data.id");
        var cart = Str(await ApiClient.ExpectAsync(await client.PostAsync("/v2/carts", new { name = "Cart" }), HttpStatusCode.Created), "data.id");
        await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/items",
            new { type = "custom_item", name = "Mug", sku = "MUG", quantity = 1, price = new { amount = 900 } }), HttpStatusCode.Created);
        var order = Str(await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/checkout",
            new { contact = new { name = "Member", email }, billing_address = Address, shipping_address = Address }), HttpStatusCode.Created), "data.id");
        var nextCart = Str(await ApiClient.ExpectAsync(await client.PostAsync("/v2/carts", new { data = new { name = "Next" } }), HttpStatusCode.Created), "data.id");
        return new Shopper(client, Str(answer, "meta.account_member_id"), account, address, order, nextCart);
    }

    [Fact]
    public async Task Member_As_token_gets_404_on_every_route_to_account_Bs_resources_and_changes_nothing()
    {
        var profile = await ProfileAsync();
        var a = await ShopperAsync(profile);
        var b = await ShopperAsync(profile);

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/v2/accounts/{b.Account}", null),
            (HttpMethod.Put, $"/v2/accounts/{b.Account}", new { type = "account", name = "Hijacked" }),
            (HttpMethod.Get, $"/v2/accounts/{b.Account}/addresses", null),
            (HttpMethod.Post, $"/v2/accounts/{b.Account}/addresses", Address),
            (HttpMethod.Get, $"/v2/accounts/{b.Account}/addresses/{b.Address}", null),
            (HttpMethod.Put, $"/v2/accounts/{b.Account}/addresses/{b.Address}", Address),
            (HttpMethod.Delete, $"/v2/accounts/{b.Account}/addresses/{b.Address}", null),
            // B's address under A's own account path.
            (HttpMethod.Get, $"/v2/accounts/{a.Account}/addresses/{b.Address}", null),
            (HttpMethod.Put, $"/v2/accounts/{a.Account}/addresses/{b.Address}", Address),
            (HttpMethod.Delete, $"/v2/accounts/{a.Account}/addresses/{b.Address}", null),
            (HttpMethod.Get, $"/v2/accounts/{b.Account}/account-memberships", null),
            (HttpMethod.Get, $"/v2/account-members/{b.Member}", null),
            (HttpMethod.Get, $"/v2/account-members/{b.Member}/account-memberships", null),
            (HttpMethod.Get, $"/v2/orders/{b.Order}", null),
            (HttpMethod.Get, $"/v2/orders/{b.Order}/items", null),
        };
        var failures = new List<string>();
        foreach (var (method, path, body) in attempts)
        {
            var response = await a.Client.SendAsync(method, path, body);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                failures.Add($"{method} {path} gave {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));

        var server = await ApiClient.ClientCredentialsAsync(App);
        Assert.Equal("Member", Str(await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{b.Account}"), HttpStatusCode.OK), "data.name"));
        Assert.Single((await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{b.Account}/addresses"), HttpStatusCode.OK))["data"]!.AsArray());
    }

    [Fact]
    public async Task A_member_cannot_use_check_out_or_join_another_accounts_cart()
    {
        var profile = await ProfileAsync();
        var a = await ShopperAsync(profile);
        var b = await ShopperAsync(profile);
        var stranger = await ApiClient.ImplicitAsync(App);

        var refused = new (ApiClient Client, HttpMethod Method, string Path, object? Body)[]
        {
            (a.Client, HttpMethod.Get, $"/v2/carts/{b.Cart}", null),
            (a.Client, HttpMethod.Post, $"/v2/carts/{b.Cart}/items", new { type = "custom_item", name = "X", sku = "X", quantity = 1, price = new { amount = 1 } }),
            (a.Client, HttpMethod.Delete, $"/v2/carts/{b.Cart}", null),
            (a.Client, HttpMethod.Post, $"/v2/carts/{b.Cart}/checkout", new { contact = new { name = "A", email = UniqueEmail() }, billing_address = Address, shipping_address = Address }),
            (stranger, HttpMethod.Get, $"/v2/carts/{b.Cart}", null),
            (stranger, HttpMethod.Get, "/v2/carts", null),
        };
        foreach (var (client, method, path, body) in refused)
        {
            var response = await client.SendAsync(method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} gave {(int)response.StatusCode}");
        }
        var joinB = await a.Client.SendAsync(HttpMethod.Post, $"/v2/carts/{a.Cart}/relationships/accounts", rawBody: $"[{{\"type\":\"account\",\"id\":\"{b.Account}\"}}]");
        var myCarts = await ApiClient.ExpectAsync(await a.Client.GetAsync("/v2/carts"), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Forbidden, joinB.StatusCode);
        Assert.DoesNotContain(myCarts["data"]!.AsArray(), c => Str(c, "id") == b.Cart);
        Assert.Contains(myCarts["data"]!.AsArray(), c => Str(c, "id") == a.Cart);
    }

    [Fact]
    public async Task The_account_header_alone_is_no_token_and_implicit_tokens_alone_reach_no_account()
    {
        var profile = await ProfileAsync();
        var a = await ShopperAsync(profile);
        using var bare = App.CreateBrowserlessClient();
        bare.DefaultRequestHeaders.Add("EP-Account-Management-Authentication-Token", a.Client.AccountToken);
        var implicitOnly = await ApiClient.ImplicitAsync(App);

        Assert.Equal(HttpStatusCode.Unauthorized, (await bare.GetAsync($"/v2/accounts/{a.Account}")).StatusCode);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync($"/v2/accounts/{a.Account}"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync("/v2/accounts"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync($"/v2/account-members/{a.Member}"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync($"/v2/accounts/{a.Account}/addresses"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.PostAsync("/v2/accounts", new { type = "account", name = "Mine now" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Members_cannot_create_accounts_join_accounts_or_set_the_stores_references()
    {
        var profile = await ProfileAsync();
        var a = await ShopperAsync(profile);
        var b = await ShopperAsync(profile);

        await ApiClient.ExpectErrorAsync(await a.Client.PostAsync("/v2/accounts", new { type = "account", name = "Another" }), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await a.Client.PostAsync($"/v2/accounts/{b.Account}/account-memberships",
            new { type = "account_membership", account_member_id = a.Member }), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await a.Client.PutAsync($"/v2/accounts/{a.Account}",
            new { type = "account", name = "Mine", external_ref = "erp-999" }), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await a.Client.DeleteAsync($"/v2/accounts/{a.Account}"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await a.Client.GetAsync("/v2/account-tags"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Under_self_management_disabled_a_member_reads_but_does_not_change_its_account()
    {
        var profile = await ProfileAsync();
        var a = await ShopperAsync(profile);
        var server = await ApiClient.ClientCredentialsAsync(App);
        await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication",
            new { type = "account_authentication_settings", account_member_self_management = "disabled" }), HttpStatusCode.OK);
        try
        {
            await ApiClient.ExpectAsync(await a.Client.GetAsync($"/v2/accounts/{a.Account}"), HttpStatusCode.OK);
            var refused = await ApiClient.ExpectErrorAsync(await a.Client.PutAsync($"/v2/accounts/{a.Account}", new { type = "account", name = "Renamed" }),
                HttpStatusCode.Forbidden);
            Assert.Contains("account_member_self_management", refused["detail"]!.GetValue<string>());
        }
        finally
        {
            await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication",
                new { type = "account_authentication_settings", account_member_self_management = "update_only" }), HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Removing_a_membership_ends_the_members_token_for_that_account()
    {
        var profile = await ProfileAsync();
        var a = await ShopperAsync(profile);
        var server = await ApiClient.ClientCredentialsAsync(App);
        var membership = Str((await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{a.Account}/account-memberships"), HttpStatusCode.OK))["data"]![0], "id");

        await ApiClient.ExpectAsync(await server.DeleteAsync($"/v2/accounts/{a.Account}/account-memberships/{membership}"), HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.Unauthorized, (await a.Client.GetAsync($"/v2/accounts/{a.Account}")).StatusCode);
    }
}
