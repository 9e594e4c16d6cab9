using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>
/// EP's Account Management as its storefront starters use it (EP-ACCOUNTS.md): the `ep generate` store set-up, self
/// sign-up, password sign-in, "my account", the address book, checkout as an account, order history, the password
/// change, and the admin recipe (user authentication info, password, account, membership).
/// </summary>
public sealed class AccountsApiTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private const string Password = "correct horse battery staple";

    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();

    /// <summary>What `ep generate` does to a store: the settings, then a password profile; returns the realm and profile ids.</summary>
    private async Task<(string Realm, string Profile)> SetUpStoreAsync(bool selfSignup = true, string selfManagement = "update_only")
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var settings = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication", new
        {
            type = "account_authentication_settings", enable_self_signup = selfSignup, auto_create_account_for_account_members = true,
            account_member_self_management = selfManagement,
        }), HttpStatusCode.OK);
        var realm = Str(settings, "data.relationships.authentication_realm.data.id");
        var profiles = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/authentication-realms/{realm}/password-profiles"), HttpStatusCode.OK);
        if (profiles["data"]!.AsArray().FirstOrDefault() is { } existing)
        {
            return (realm, Str(existing, "id"));
        }
        var profile = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/password-profiles",
            new { type = "password_profile", username_format = "email", name = "password profile", enable_one_time_password_token = true }), HttpStatusCode.Created);
        return (realm, Str(profile, "data.id"));
    }

    /// <summary>A shopper signs up through the storefront (implicit token): the storefront keeps data[0]'s token.</summary>
    private async Task<(ApiClient Shopper, string MemberId, string AccountId, string Email)> SignUpAsync(string profile, string? name = null)
    {
        var shopper = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail("member");
        var answer = await ApiClient.ExpectAsync(await shopper.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
            username = email, password = Password, name = name ?? "Ada Lovelace", email,
        }), HttpStatusCode.Created);
        var token = answer["data"]![0]!;
        shopper.AccountToken = Str(token, "token");
        return (shopper, Str(answer, "meta.account_member_id"), Str(token, "account_id"), email);
    }

    [Fact]
    public async Task Self_sign_up_answers_EPs_token_list_with_an_account_named_after_the_member()
    {
        var (_, profile) = await SetUpStoreAsync();
        var shopper = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail("signup");

        var answer = await ApiClient.ExpectAsync(await shopper.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
            username = email, password = Password, name = "Grace Hopper", email,
        }), HttpStatusCode.Created);

        var token = Assert.Single(answer["data"]!.AsArray())!;
        Assert.Equal(("account_management_authentication_token", "Grace Hopper"), (Str(token, "type"), Str(token, "account_name")));
        // expires is an ISO-8601 string (the starters parse it with new Date and check typeof === "string").
        var expires = DateTimeOffset.Parse(Str(token, "expires"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(Str(token, "token"));
        Assert.Equal(Str(answer, "meta.account_member_id"), jwt.Subject);
        Assert.Equal(Str(token, "account_id"), jwt.Claims.Single(c => c.Type == "account_id").Value);
        Assert.Equal(1, answer["meta"]!["results"]!["total"]!.GetValue<int>());
        Assert.NotNull(answer["links"]!["first"]);
    }

    [Fact]
    public async Task A_member_signs_in_with_any_letter_case_and_a_wrong_password_gets_401()
    {
        var (_, profile) = await SetUpStoreAsync();
        var (_, memberId, accountId, email) = await SignUpAsync(profile);
        var storefront = await ApiClient.ImplicitAsync(App);

        var signedIn = await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile,
            username = email.ToUpperInvariant(), password = Password,
        }), HttpStatusCode.Created);
        var wrong = await ApiClient.ExpectErrorAsync(await storefront.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile,
            username = email, password = "not the password at all",
        }), HttpStatusCode.Unauthorized);
        var unknown = await ApiClient.ExpectErrorAsync(await storefront.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile,
            username = UniqueEmail("nobody"), password = Password,
        }), HttpStatusCode.Unauthorized);

        Assert.Equal(memberId, Str(signedIn, "meta.account_member_id"));
        Assert.Equal(accountId, Str(signedIn["data"]![0], "account_id"));
        Assert.Equal(wrong["detail"]!.GetValue<string>(), unknown["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task My_account_pages_read_the_member_and_its_account_and_change_the_account_under_update_only()
    {
        var (_, profile) = await SetUpStoreAsync();
        var (shopper, memberId, accountId, email) = await SignUpAsync(profile, "Ada Lovelace");

        var member = await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/account-members/{memberId}"), HttpStatusCode.OK);
        var account = await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/accounts/{accountId}"), HttpStatusCode.OK);
        var renamed = await ApiClient.ExpectAsync(await shopper.PutAsync($"/v2/accounts/{accountId}",
            new { type = "account", name = "Analytical Engines", legal_name = "Analytical Engines Ltd" }), HttpStatusCode.OK);

        Assert.Equal(("account_member", "Ada Lovelace", email), (Str(member, "data.type"), Str(member, "data.name"), Str(member, "data.email")));
        Assert.Equal(("account", accountId), (Str(account, "data.type"), Str(account, "data.id")));
        Assert.EndsWith($"/v2/accounts/{accountId}", Str(account, "links.self"));
        Assert.Equal(("Analytical Engines", "Analytical Engines Ltd"), (Str(renamed, "data.name"), Str(renamed, "data.legal_name")));
    }

    [Fact]
    public async Task The_address_book_takes_addresses_without_a_county_and_answers_EPs_shape()
    {
        var (_, profile) = await SetUpStoreAsync();
        var (shopper, _, accountId, _) = await SignUpAsync(profile);
        // What the starters send: empty optional fields left out, no county.
        var body = new { type = "address", name = "Home", first_name = "Ada", last_name = "Lovelace", line_1 = "12 St James's Square", city = "London",
            region = "England", postcode = "SW1Y 4JH", country = "GB" };

        var created = await ApiClient.ExpectAsync(await shopper.PostAsync($"/v2/accounts/{accountId}/addresses", body), HttpStatusCode.Created);
        var id = Str(created, "data.id");
        var listed = await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/accounts/{accountId}/addresses"), HttpStatusCode.OK);
        var updated = await ApiClient.ExpectAsync(await shopper.PutAsync($"/v2/accounts/{accountId}/addresses/{id}", new { type = "address", id, line_2 = "Flat 3" }),
            HttpStatusCode.OK);
        var refused = await ApiClient.ExpectAsync(await shopper.PostAsync($"/v2/accounts/{accountId}/addresses",
            new { type = "address", first_name = "Ada", line_1 = "1 Street", postcode = "N1", country = "GB" }), HttpStatusCode.BadRequest);
        await ApiClient.ExpectAsync(await shopper.DeleteAsync($"/v2/accounts/{accountId}/addresses/{id}"), HttpStatusCode.NoContent);

        Assert.Equal(("account", accountId), (Str(created, "data.relationships.account.type"), Str(created, "data.relationships.account.id")));
        Assert.Equal("", Str(created, "data.county"));
        Assert.Equal(id, Str(Assert.Single(listed["data"]!.AsArray()), "id"));
        Assert.Equal(("Flat 3", "England"), (Str(updated, "data.line_2"), Str(updated, "data.region")));
        var sources = refused["errors"]!.AsArray().Select(e => e!["source"]?.GetValue<string>()).ToList();
        Assert.Contains("data.last_name", sources);
        Assert.Contains("data.county", sources);
        await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/accounts/{accountId}/addresses/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Checkout_as_an_account_links_the_order_and_the_member_sees_only_its_accounts_orders()
    {
        var (_, profile) = await SetUpStoreAsync();
        var (shopper, memberId, accountId, email) = await SignUpAsync(profile);
        var (other, _, _, _) = await SignUpAsync(profile);
        var cart = $"cart-{Guid.NewGuid():N}";
        await ApiClient.ExpectAsync(await shopper.PostAsync($"/v2/carts/{cart}/items",
            new { type = "custom_item", name = "Shipping", sku = "SHIP", quantity = 1, price = new { amount = 500 } }), HttpStatusCode.Created);

        // SIMPLE's body: account and contact; D2C's is contact alone (both with the header).
        var order = await ApiClient.ExpectAsync(await shopper.PostAsync($"/v2/carts/{cart}/checkout", new
        {
            account = new { id = accountId, member_id = memberId }, contact = new { name = "Ada Lovelace", email }, billing_address = Address, shipping_address = Address,
        }), HttpStatusCode.Created);
        var orderId = Str(order, "data.id");
        var mine = await ApiClient.ExpectAsync(await shopper.GetAsync("/v2/orders?include=items"), HttpStatusCode.OK);
        var one = await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/orders/{orderId}?include=items"), HttpStatusCode.OK);
        var theirs = await ApiClient.ExpectAsync(await other.GetAsync("/v2/orders"), HttpStatusCode.OK);
        var missing = await ApiClient.ExpectErrorAsync(await shopper.GetAsync($"/v2/orders/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        var notTheirs = await ApiClient.ExpectErrorAsync(await other.GetAsync($"/v2/orders/{orderId}"), HttpStatusCode.NotFound);
        var server = await ApiClient.ClientCredentialsAsync(App);
        var filtered = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders?filter=eq(account_id,{accountId})"), HttpStatusCode.OK);

        Assert.Equal((accountId, memberId), (Str(order, "data.relationships.account.data.id"), Str(order, "data.relationships.account_member.data.id")));
        Assert.Equal(("Ada Lovelace", email), (Str(order, "data.contact.name"), Str(order, "data.contact.email")));
        Assert.Equal(orderId, Str(Assert.Single(mine["data"]!.AsArray()), "id"));
        Assert.Equal("SHIP", Str(mine["included"]!["items"]![0], "sku"));
        Assert.Equal(orderId, Str(one, "data.id"));
        Assert.Empty(theirs["data"]!.AsArray());
        Assert.Equal("The order does not exist", missing["detail"]!.GetValue<string>());
        Assert.Equal("The order does not exist", notTheirs["detail"]!.GetValue<string>());
        Assert.Equal(orderId, Str(Assert.Single(filtered["data"]!.AsArray()), "id"));
    }

    [Fact]
    public async Task The_header_is_accepted_on_every_route_and_both_shopper_headers_together_are_refused()
    {
        var (_, profile) = await SetUpStoreAsync();
        var (shopper, _, _, _) = await SignUpAsync(profile);
        var (customer, _) = await SignedInCustomerAsync();

        await ApiClient.ExpectAsync(await shopper.GetAsync("/v2/flows"), HttpStatusCode.OK);
        await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/carts/cart-{Guid.NewGuid():N}"), HttpStatusCode.OK);
        await ApiClient.ExpectAsync(await shopper.GetAsync("/v2/settings/customer-authentication"), HttpStatusCode.OK);
        customer.AccountToken = shopper.AccountToken;
        var both = await ApiClient.ExpectErrorAsync(await customer.GetAsync("/v2/settings/account-authentication"), HttpStatusCode.BadRequest);
        var forged = await ApiClient.ImplicitAsync(App);
        forged.AccountToken = shopper.AccountToken + "x";

        Assert.Contains("not both", both["detail"]!.GetValue<string>());
        await ApiClient.ExpectErrorAsync(await forged.GetAsync("/v2/settings/account-authentication"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_admin_recipe_makes_a_member_who_signs_in_to_each_of_its_accounts_and_switches_between_them()
    {
        var (realm, profile) = await SetUpStoreAsync();
        var server = await ApiClient.ClientCredentialsAsync(App);
        var email = UniqueEmail("buyer");
        var user = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/user-authentication-info",
            new { type = "user_authentication_info", name = "Bea Buyer", email }), HttpStatusCode.Created);
        var memberId = Str(user, "data.id");
        var password = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/user-authentication-info/{memberId}/user-authentication-password-profile-info",
            new { type = "user_authentication_password_profile_info", password_profile_id = profile, username = email, password = Password }), HttpStatusCode.Created);
        var first = await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts", new { type = "account", name = "Shop One", legal_name = "Shop One Ltd" }), HttpStatusCode.Created);
        var second = await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts", new { type = "account", name = "Shop Two", legal_name = "Shop Two Ltd" }), HttpStatusCode.Created);
        foreach (var account in new[] { Str(first, "data.id"), Str(second, "data.id") })
        {
            await ApiClient.ExpectAsync(await server.PostAsync($"/v2/accounts/{account}/account-memberships",
                new { type = "account_membership", account_member_id = memberId }), HttpStatusCode.Created);
        }
        var duplicate = await ApiClient.ExpectErrorAsync(await server.PostAsync($"/v2/accounts/{Str(first, "data.id")}/account-memberships",
            new { type = "account_membership", account_member_id = memberId }), HttpStatusCode.Conflict);
        var shopper = await ApiClient.ImplicitAsync(App);

        var tokens = await ApiClient.ExpectAsync(await shopper.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile, username = email, password = Password,
        }), HttpStatusCode.Created);
        shopper.AccountToken = Str(tokens["data"]![0], "token");
        var switched = await ApiClient.ExpectAsync(await shopper.PostAsync("/v2/account-members/tokens",
            new { type = "account_management_authentication_token", authentication_mechanism = "account_management_authentication_token" }), HttpStatusCode.Created);

        Assert.Equal("user_authentication_password_profile_info", Str(password, "data.type"));
        Assert.Null(password["data"]!["password"]);
        Assert.Equal("account membership with the given account id and account member id already exists", duplicate["detail"]!.GetValue<string>());
        Assert.Equal(["Shop One", "Shop Two"], tokens["data"]!.AsArray().Select(t => Str(t, "account_name")));
        Assert.Equal(2, switched["data"]!.AsArray().Count);
        // A token is for one account: with Shop One's, Shop Two is not this member's to read.
        await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/accounts/{Str(tokens["data"]![0], "account_id")}"), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await shopper.GetAsync($"/v2/accounts/{Str(tokens["data"]![1], "account_id")}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_D2C_password_change_puts_the_new_password_and_ends_the_members_other_tokens()
    {
        var (realm, profile) = await SetUpStoreAsync();
        var (shopper, memberId, _, email) = await SignUpAsync(profile);
        var otherDevice = await ApiClient.ImplicitAsync(App);
        otherDevice.AccountToken = shopper.AccountToken;
        var fresh = await ApiClient.ImplicitAsync(App);
        fresh.AccountToken = Str((await ApiClient.ExpectAsync(await fresh.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile, username = email, password = Password,
        }), HttpStatusCode.Created))["data"]![0], "token");
        var server = await ApiClient.ClientCredentialsAsync(App);
        var entries = await ApiClient.ExpectAsync(await server.GetAsync(
            $"/v2/authentication-realms/{realm}/user-authentication-info/{memberId}/user-authentication-password-profile-info"), HttpStatusCode.OK);
        var entry = entries["data"]!.AsArray().Single(e => Str(e, "password_profile_id") == profile)!;

        await ApiClient.ExpectAsync(await fresh.PutAsync($"/v2/authentication-realms/{realm}/user-authentication-info/{memberId}/user-authentication-password-profile-info/{Str(entry, "id")}",
            new { type = "user_authentication_password_profile_info", id = Str(entry, "id"), password_profile_id = profile, username = email, password = "a brand new passphrase" }),
            HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, (await otherDevice.GetAsync($"/v2/account-members/{memberId}")).StatusCode);
        await ApiClient.ExpectAsync(await fresh.GetAsync($"/v2/account-members/{memberId}"), HttpStatusCode.OK);
        var old = await (await ApiClient.ImplicitAsync(App)).PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile, username = email, password = Password,
        });
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task Accounts_list_with_EPs_filters_and_a_parent_with_children_is_not_deleted()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var run = Guid.NewGuid().ToString("N")[..8];
        var parent = Str(await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts",
            new { type = "account", name = $"Swan Holdings {run}", legal_name = "Swan Holdings plc", registration_id = $"REG-{run}" }), HttpStatusCode.Created), "data.id");
        var child = await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts",
            new { type = "account", name = $"Swan Retail {run}", parent_id = parent, external_ref = $"erp-{run}" }), HttpStatusCode.Created);
        var grandchild = await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts",
            new { type = "account", name = $"Swan Cafe {run}", parent_id = Str(child, "data.id") }), HttpStatusCode.Created);
        var taken = await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/accounts",
            new { type = "account", name = "Copycat", registration_id = $"REG-{run}" }), HttpStatusCode.Conflict);

        var like = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts?filter=like(name,*{run}*)&sort=name"), HttpStatusCode.OK);
        var byRef = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts?filter=eq(external_ref,erp-{run})"), HttpStatusCode.OK);
        var children = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts?filter=eq(parent_id,{parent})"), HttpStatusCode.OK);
        var some = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts?filter=in(id,{parent},{Str(child, "data.id")})"), HttpStatusCode.OK);
        var refused = await ApiClient.ExpectErrorAsync(await server.DeleteAsync($"/v2/accounts/{parent}"), HttpStatusCode.Conflict);
        var badFilter = await ApiClient.ExpectErrorAsync(await server.GetAsync("/v2/accounts?filter=eq(colour,red)"), HttpStatusCode.BadRequest);

        Assert.Contains("registration_id", taken["detail"]!.GetValue<string>());
        Assert.Equal([$"Swan Cafe {run}", $"Swan Holdings {run}", $"Swan Retail {run}"], like["data"]!.AsArray().Select(a => Str(a, "name")));
        Assert.Equal(Str(child, "data.id"), Str(Assert.Single(byRef["data"]!.AsArray()), "id"));
        Assert.Equal(Str(child, "data.id"), Str(Assert.Single(children["data"]!.AsArray()), "id"));
        Assert.Equal(2, some["data"]!.AsArray().Count);
        Assert.Equal([parent, Str(child, "data.id")], grandchild["data"]!["relationships"]!["ancestors"]!.AsArray().Select(a => Str(a, "data.id")));
        Assert.Equal(Str(child, "data.id"), Str(grandchild, "data.relationships.parent.data.id"));
        Assert.Contains("child accounts", refused["detail"]!.GetValue<string>());
        Assert.StartsWith("Could not parse the supplied filter", badFilter["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Self_sign_up_is_refused_when_the_store_has_not_enabled_it()
    {
        var (_, profile) = await SetUpStoreAsync(selfSignup: false);
        var shopper = await ApiClient.ImplicitAsync(App);
        try
        {
            var refused = await ApiClient.ExpectErrorAsync(await shopper.PostAsync("/v2/account-members/tokens", new
            {
                type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
                username = UniqueEmail(), password = Password, name = "Nobody", email = UniqueEmail(),
            }), HttpStatusCode.Forbidden);
            Assert.Contains("enable_self_signup", refused["detail"]!.GetValue<string>());
        }
        finally
        {
            await SetUpStoreAsync();
        }
    }

    [Fact]
    public async Task The_settings_are_read_with_an_implicit_token_and_changed_with_client_credentials_only()
    {
        await SetUpStoreAsync();
        var storefront = await ApiClient.ImplicitAsync(App);

        var settings = await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/settings/account-authentication"), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await storefront.PutAsync("/v2/settings/account-authentication",
            new { type = "account_authentication_settings", enable_self_signup = false }), HttpStatusCode.Forbidden);
        var realms = await ApiClient.ExpectAsync(await (await ApiClient.ClientCredentialsAsync(App)).GetAsync("/v2/authentication-realms"), HttpStatusCode.OK);

        Assert.Equal(("account_authentication_settings", "account-management", 86400), (Str(settings, "data.type"), Str(settings, "data.meta.client_id"),
            settings["data"]!["account_management_authentication_token_timeout_secs"]!.GetValue<int>()));
        Assert.Equal("authentication_realm", Str(settings, "data.relationships.authentication_realm.data.type"));
        Assert.Contains(realms["data"]!.AsArray(), r => Str(r, "id") == Str(settings, "data.relationships.authentication_realm.data.id")
            && Str(r, "relationships.origin.data.type") == "account_authentication_settings");
    }

    /// <summary>The store's <c>accounts</c> flow (created once per store) and a new field on it; the field's slug.</summary>
    private async Task<string> AccountFieldAsync(ApiClient server, string slug, string fieldType, bool customerEditable, object[]? rules = null)
    {
        var flows = await ApiClient.ExpectAsync(await server.GetAsync("/v2/flows"), HttpStatusCode.OK);
        var flow = flows["data"]!.AsArray().FirstOrDefault(f => Str(f, "slug") == "accounts")
            ?? (await ApiClient.ExpectAsync(await server.PostAsync("/v2/flows", new { type = "flow", slug = "accounts", name = "Accounts", enabled = true }),
                HttpStatusCode.Created))["data"];
        await ApiClient.ExpectAsync(await server.PostAsync("/v2/fields", new
        {
            type = "field", name = slug.Replace('_', ' '), slug, field_type = fieldType, enabled = true, customer_editable = customerEditable,
            validation_rules = rules ?? [], relationships = new { flow = new { data = new { type = "flow", id = Str(flow, "id") } } },
        }), HttpStatusCode.Created);
        return slug;
    }

    [Fact]
    public async Task The_accounts_flow_adds_attributes_to_accounts_and_a_member_sets_only_the_ones_members_may_edit()
    {
        var (_, profile) = await SetUpStoreAsync();
        var server = await ApiClient.ClientCredentialsAsync(App);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var vat = await AccountFieldAsync(server, "vat_" + suffix, "string", customerEditable: true);
        var tier = await AccountFieldAsync(server, "tier_" + suffix, "string", customerEditable: false,
            [new { type = "enum", options = new[] { "gold", "silver" } }]);
        var seats = await AccountFieldAsync(server, "seats_" + suffix, "integer", customerEditable: false);

        var created = await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts", new Dictionary<string, object>
        {
            ["type"] = "account", ["name"] = "Babbage & Co", [vat] = "GB123456789", [tier] = "gold", [seats] = 12,
        }), HttpStatusCode.Created);
        var id = Str(created, "data.id");
        var read = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{id}"), HttpStatusCode.OK);
        var listed = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts?filter=eq(id,{id})"), HttpStatusCode.OK);
        var notInList = await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/accounts", new Dictionary<string, object>
        {
            ["type"] = "account", ["name"] = "Platinum Ltd", [tier] = "platinum",
        }), HttpStatusCode.UnprocessableEntity);
        var notANumber = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/accounts/{id}", new Dictionary<string, object>
        {
            ["type"] = "account", [seats] = "many",
        }), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(("GB123456789", "gold", 12), (Str(read, "data." + vat), Str(read, "data." + tier), read["data"]![seats]!.GetValue<int>()));
        Assert.Equal("gold", Str(Assert.Single(listed["data"]!.AsArray()), tier));
        Assert.Equal("data." + tier, notInList["source"]!.GetValue<string>());
        Assert.Equal("data." + seats, notANumber["source"]!.GetValue<string>());
        Assert.Equal(12, (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{id}"), HttpStatusCode.OK))["data"]![seats]!.GetValue<int>());

        // A member under update_only: its own account's editable values, never the store's.
        var (shopper, _, accountId, _) = await SignUpAsync(profile, "Charles Babbage");
        var own = await ApiClient.ExpectAsync(await shopper.PutAsync($"/v2/accounts/{accountId}", new Dictionary<string, object>
        {
            ["type"] = "account", [vat] = "GB987654321",
        }), HttpStatusCode.OK);
        var storeOnly = await ApiClient.ExpectErrorAsync(await shopper.PutAsync($"/v2/accounts/{accountId}", new Dictionary<string, object>
        {
            ["type"] = "account", [tier] = "gold",
        }), HttpStatusCode.UnprocessableEntity);
        var after = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{accountId}"), HttpStatusCode.OK);

        Assert.Equal("GB987654321", Str(own, "data." + vat));
        Assert.Contains("set by the store", storeOnly["detail"]!.GetValue<string>());
        Assert.Null(after["data"]![tier]);
        Assert.Equal("GB987654321", Str(after, "data." + vat));
    }
}
