using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.AccountMoves;
using CommerceManager.Accounts;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Api;

/// <summary>
/// Moving legacy customers to accounts (issue 37, item 5): a moved shopper signs in through today's starters with the
/// password they had, sees its addresses and orders as an account, a second move skips it, and an undo restores the
/// store as it was.
/// </summary>
public sealed class AccountMoveTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private const string Password = "correct horse battery staple";

    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();

    private AccountMoveService Moves => App.Services.GetRequiredService<AccountMoveService>();

    /// <summary>What `ep generate` does to a store: the account settings, then a password profile; the profile's id.</summary>
    private async Task<string> ProfileAsync()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var settings = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication", new
        {
            type = "account_authentication_settings", enable_self_signup = true, auto_create_account_for_account_members = true,
            account_member_self_management = "update_only",
        }), HttpStatusCode.OK);
        var realm = Str(settings, "data.relationships.authentication_realm.data.id");
        var profiles = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/authentication-realms/{realm}/password-profiles"), HttpStatusCode.OK);
        if (profiles["data"]!.AsArray().FirstOrDefault() is { } existing)
        {
            return Str(existing, "id");
        }
        var profile = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/password-profiles",
            new { type = "password_profile", username_format = "email", name = "password profile", enable_one_time_password_token = false }), HttpStatusCode.Created);
        return Str(profile, "data.id");
    }

    private async Task<HttpResponseMessage> SignInAsync(ApiClient storefront, string profile, string email, string password) =>
        await storefront.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "password", password_profile_id = profile,
            username = email, password,
        });

    [Fact]
    public async Task A_moved_customer_signs_in_as_an_account_member_with_its_old_password_and_an_undo_restores_the_store()
    {
        var profile = await ProfileAsync();
        var server = await ApiClient.ClientCredentialsAsync(App);
        var email = UniqueEmail("moving");
        var customer = await RegisterAsync(server, email, Password, "Ada Lovelace");
        var customerId = Str(customer, "id");
        await ApiClient.ExpectAsync(await server.PostAsync($"/v2/customers/{customerId}/addresses", Address), HttpStatusCode.Created);
        var order = await CheckoutAsync(server, new { id = customerId });
        var storefront = await ApiClient.ImplicitAsync(App);
        await ApiClient.ExpectErrorAsync(await SignInAsync(storefront, profile, email, Password), HttpStatusCode.Unauthorized);

        var moved = await Moves.MoveAsync(As.Representative, CustomerSelection.Of([Guid.Parse(customerId)]), Guid.Parse(profile));

        Assert.True(moved.IsOk, moved.Error);
        Assert.Equal(1, moved.Value!.Count);
        var signedIn = await ApiClient.ExpectAsync(await SignInAsync(storefront, profile, email, Password), HttpStatusCode.Created);
        var token = signedIn["data"]![0]!;
        Assert.Equal("Ada Lovelace", Str(token, "account_name"));
        var accountId = Str(token, "account_id");
        storefront.AccountToken = Str(token, "token");
        var addresses = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/accounts/{accountId}/addresses"), HttpStatusCode.OK);
        Assert.Equal("12 St James's Square", Str(Assert.Single(addresses["data"]!.AsArray()), "line_1"));
        var orders = await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/orders"), HttpStatusCode.OK);
        Assert.Equal(Str(order, "id"), Str(Assert.Single(orders["data"]!.AsArray()), "id"));
        var member = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/account-members/{Str(signedIn, "meta.account_member_id")}"), HttpStatusCode.OK);
        Assert.Equal(email, Str(member, "data.email"));
        // On the timelines: the account's creation (from which customer), the customer's move; store-wide, one line.
        var history = App.Services.GetRequiredService<CommerceManager.History.HistoryService>();
        var accountLine = (await history.TimelineAsync(As.Viewer, Guid.Parse(accountId), new CommerceManager.History.HistoryQuery())).Items.Single();
        Assert.Equal(("Account created", customerId), (accountLine.Title, accountLine.Changes.Single(c => c.Field == "moved_from_customer").To));
        var customerLine = (await history.TimelineAsync(As.Viewer, Guid.Parse(customerId), new CommerceManager.History.HistoryQuery())).Items[0];
        Assert.Equal(accountId, customerLine.Changes.Single(c => c.Field == "moved_to_account").To);
        var job = (await history.ActivityAsync(As.Viewer, new CommerceManager.History.HistoryQuery(Job: moved.Value.JobId))).Items.Single();
        Assert.Equal("Move to accounts: 1 customer", job.Title);
        Assert.Equal(3, (await history.BatchAsync(As.Viewer, moved.Value.JobId)).Items.Count);
        // The customer is still there, as it was: its own sign-in still works.
        await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers/tokens", new { type = "token", email, password = Password }), HttpStatusCode.OK);

        // Moving the same customer again makes no second account.
        var again = await Moves.MoveAsync(As.Admin, CustomerSelection.Of([Guid.Parse(customerId)]), Guid.Parse(profile));
        Assert.Equal((0, 1), (again.Value!.Count, again.Value.Skipped));
        Assert.Contains("moved already", again.Value.SkippedWhy);

        var undone = await Moves.UndoAsync(As.Representative, moved.Value.JobId);

        Assert.True(undone.IsOk, undone.Error);
        await ApiClient.ExpectErrorAsync(await server.GetAsync($"/v2/accounts/{accountId}"), HttpStatusCode.NotFound);
        await ApiClient.ExpectErrorAsync(await SignInAsync(await ApiClient.ImplicitAsync(App), profile, email, Password), HttpStatusCode.Unauthorized);
        await using (var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == Guid.Parse(Str(order, "id")));
            Assert.Equal((Guid.Parse(customerId), null, null), (stored.CustomerId, stored.AccountId, stored.AccountMemberId));
            Assert.False(await db.AccountMembers.AnyAsync(m => m.NormalizedEmail == Customer.Normalize(email)));
        }
        var back = (await App.Services.GetRequiredService<CustomerService>().GetAsync(As.Admin, Guid.Parse(customerId)))!;
        Assert.Equal(("Ada Lovelace", email, true, 1), (back.Name, back.Email, back.HasPassword, back.OrderCount));
        // Undone, it can be moved again.
        var third = await Moves.MoveAsync(As.Admin, CustomerSelection.Of([Guid.Parse(customerId)]), Guid.Parse(profile));
        Assert.Equal(1, third.Value!.Count);
        Assert.False((await Moves.UndoAsync(As.Admin, moved.Value.JobId)).IsOk);
    }

    [Fact]
    public async Task A_shopper_who_is_a_member_already_keeps_its_member_and_password_and_the_undo_leaves_them()
    {
        var profile = await ProfileAsync();
        var shopper = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail("both");
        await ApiClient.ExpectAsync(await shopper.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
            username = email, password = "the member's own password", name = "Grace Hopper", email,
        }), HttpStatusCode.Created);
        var server = await ApiClient.ClientCredentialsAsync(App);
        var customerId = Guid.Parse(Str(await RegisterAsync(server, email, Password, "Grace Hopper"), "id"));

        var moved = await Moves.MoveAsync(As.Admin, CustomerSelection.Of([customerId]), Guid.Parse(profile));

        Assert.Equal(1, moved.Value!.Count);
        // The member's own password still signs in, and now to two accounts (its own and the moved customer's).
        var signedIn = await ApiClient.ExpectAsync(await SignInAsync(await ApiClient.ImplicitAsync(App), profile, email, "the member's own password"), HttpStatusCode.Created);
        Assert.Equal(2, signedIn["data"]!.AsArray().Count);
        await ApiClient.ExpectErrorAsync(await SignInAsync(await ApiClient.ImplicitAsync(App), profile, email, Password), HttpStatusCode.Unauthorized);

        Assert.True((await Moves.UndoAsync(As.Admin, moved.Value.JobId)).IsOk);

        var after = await ApiClient.ExpectAsync(await SignInAsync(await ApiClient.ImplicitAsync(App), profile, email, "the member's own password"), HttpStatusCode.Created);
        Assert.Single(after["data"]!.AsArray());
    }

    [Fact]
    public async Task Viewers_may_preview_but_not_move_and_a_profile_of_the_realm_is_needed()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var customerId = Guid.Parse(Str(await RegisterAsync(server, UniqueEmail("viewer"), Password), "id"));
        var selection = CustomerSelection.Of([customerId]);

        var preview = await Moves.PreviewAsync(As.Viewer, selection);

        Assert.Equal((1, true, false), (preview.Count, preview.First.Single().HasPassword, preview.First.Single().MovedAlready));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Moves.MoveAsync(As.Viewer, selection, Guid.NewGuid()));
        var noProfile = await Moves.MoveAsync(As.Admin, selection, Guid.NewGuid());
        Assert.False(noProfile.IsOk);
        Assert.Contains("password profile", noProfile.Error);
    }

    /// <summary>A new field on the store's <paramref name="flowSlug"/> flow (the flow created once per store).</summary>
    private static async Task FieldAsync(ApiClient server, string flowSlug, string slug, string fieldType, object[]? rules = null)
    {
        var flows = await ApiClient.ExpectAsync(await server.GetAsync("/v2/flows"), HttpStatusCode.OK);
        var flow = flows["data"]!.AsArray().FirstOrDefault(f => Str(f, "slug") == flowSlug)
            ?? (await ApiClient.ExpectAsync(await server.PostAsync("/v2/flows", new { type = "flow", slug = flowSlug, name = flowSlug, enabled = true }),
                HttpStatusCode.Created))["data"];
        await ApiClient.ExpectAsync(await server.PostAsync("/v2/fields", new
        {
            type = "field", name = slug, slug, field_type = fieldType, enabled = true, validation_rules = rules ?? [],
            relationships = new { flow = new { data = new { type = "flow", id = Str(flow, "id") } } },
        }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Custom_values_move_to_the_accounts_field_of_the_same_slug_when_they_fit_it()
    {
        var profile = await ProfileAsync();
        var server = await ApiClient.ClientCredentialsAsync(App);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (tier, note, region) = ("tier_" + suffix, "note_" + suffix, "region_" + suffix);
        await FieldAsync(server, "customers", tier, "string");
        await FieldAsync(server, "customers", note, "string");
        await FieldAsync(server, "customers", region, "string");
        await FieldAsync(server, "accounts", tier, "string");
        // The account's region allows fewer values than the customer's: a value outside them stays behind.
        await FieldAsync(server, "accounts", region, "string", [new { type = "enum", options = new[] { "north", "south" } }]);
        var customer = await RegisterAsync(server, UniqueEmail("custom"), Password, "Mary Somerville");
        var customerId = Str(customer, "id");
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/customers/{customerId}", new Dictionary<string, object>
        {
            ["type"] = "customer", [tier] = "gold", [note] = "prefers email", [region] = "east",
        }), HttpStatusCode.OK);

        var moved = await Moves.MoveAsync(As.Admin, CustomerSelection.Of([Guid.Parse(customerId)]), Guid.Parse(profile));

        Assert.True(moved.IsOk, moved.Error);
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var accountId = await db.AccountMoveItems.Where(i => i.JobId == moved.Value!.JobId).Select(i => i.AccountId).SingleAsync();
        var account = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{accountId}"), HttpStatusCode.OK))["data"]!.AsObject();
        Assert.Equal("gold", Str(account, tier));
        Assert.False(account.ContainsKey(note));
        Assert.Null(account[region]);
    }
}
