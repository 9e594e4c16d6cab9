using System.Net;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>
/// Pre-account takeover: someone registers a victim's email with their own password before the victim first signs in
/// through a provider. By default (EP's duplicate_email_policy allowed) the victim gets a customer of their own.
/// </summary>
public sealed class OidcDuplicateEmailTests(OidcStore store) : IClassFixture<OidcStore>
{
    [Fact]
    public async Task A_provider_sign_in_with_a_taken_email_creates_a_new_customer_and_leaves_the_other_alone()
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        var attacker = (await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers",
            new { type = "customer", name = "Attacker", email = "TAKEN.VERIFIED@example.com", password = "attacker's own password" }), HttpStatusCode.Created))["data"]!;

        var victim = (await ApiClient.ExpectAsync(await store.SignInAsync(storefront, "verified-taken"), HttpStatusCode.OK))["data"]!;
        var server = await ApiClient.ClientCredentialsAsync(store);
        var both = await ApiClient.ExpectAsync(await server.GetAsync("/v2/customers?filter=eq(email,taken.verified@example.com)"), HttpStatusCode.OK);

        Assert.NotEqual(attacker["id"]!.GetValue<string>(), victim["customer_id"]!.GetValue<string>());
        Assert.Equal(2, both["data"]!.AsArray().Count);
        // The victim's new customer has no password, and the attacker's password reaches only the attacker's customer.
        var token = (await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers/tokens",
            new { type = "token", email = "taken.verified@example.com", password = "attacker's own password" }), HttpStatusCode.OK))["data"]!;
        Assert.Equal(attacker["id"]!.GetValue<string>(), token["customer_id"]!.GetValue<string>());
    }
}

/// <summary>With duplicate_email_policy api_only, EP links by verified email: safely, by ending every other way in.</summary>
public sealed class OidcLinkingTests(OidcLinkingTests.LinkingStore store) : IClassFixture<OidcLinkingTests.LinkingStore>
{
    public sealed class LinkingStore : OidcStore
    {
        protected override string DuplicateEmailPolicy => "api_only";
    }

    [Fact]
    public async Task Linking_removes_the_existing_password_and_ends_the_existing_tokens()
    {
        var attacker = await ApiClient.ImplicitAsync(store);
        var registered = (await ApiClient.ExpectAsync(await attacker.PostAsync("/v2/customers",
            new { type = "customer", name = "Attacker", email = "TAKEN.VERIFIED@example.com", password = "attacker's own password" }), HttpStatusCode.Created))["data"]!;
        var before = (await ApiClient.ExpectAsync(await attacker.PostAsync("/v2/customers/tokens",
            new { type = "token", email = "taken.verified@example.com", password = "attacker's own password" }), HttpStatusCode.OK))["data"]!;
        attacker.CustomerToken = before["token"]!.GetValue<string>();
        await ApiClient.ExpectAsync(await attacker.GetAsync($"/v2/customers/{registered["id"]}"), HttpStatusCode.OK);

        var victim = await ApiClient.ImplicitAsync(store);
        var linked = (await ApiClient.ExpectAsync(await store.SignInAsync(victim, "verified-taken"), HttpStatusCode.OK))["data"]!;

        Assert.Equal(registered["id"]!.GetValue<string>(), linked["customer_id"]!.GetValue<string>());
        await ApiClient.ExpectErrorAsync(await attacker.GetAsync($"/v2/customers/{registered["id"]}"), HttpStatusCode.Unauthorized);
        attacker.CustomerToken = null;
        await ApiClient.ExpectErrorAsync(await attacker.PostAsync("/v2/customers/tokens",
            new { type = "token", email = "taken.verified@example.com", password = "attacker's own password" }), HttpStatusCode.Unauthorized);
        victim.CustomerToken = linked["token"]!.GetValue<string>();
        var me = (await ApiClient.ExpectAsync(await victim.GetAsync($"/v2/customers/{linked["customer_id"]}"), HttpStatusCode.OK))["data"]!;
        Assert.False(me["password"]!.GetValue<bool>());
        Assert.Contains(store.Log, l => l.Contains("linked a new identity", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unverified_email_that_matches_an_existing_customer_is_refused()
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        await storefront.PostAsync("/v2/customers", new { type = "customer", name = "Taken", email = "taken@example.com", password = "correct horse battery staple" });

        var error = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "mallory"), HttpStatusCode.Conflict);

        Assert.Contains("not verified", error["detail"]!.GetValue<string>());
    }
}
