using System.Net;
using CommerceManager.Duplicates;
using CommerceManager.Privacy;
using CommerceManager.Tests.Api;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>
/// The pre-account takeover through a merge: an attacker registers the victim's email with a password; the victim later
/// signs in through a provider (policy allowed: a second customer); staff merge the two. The attacker's password must
/// never open the victim's orders and addresses afterwards.
/// </summary>
public sealed class MergeTakeoverTests(OidcStore store) : ApiTestBase(store), IClassFixture<OidcStore>
{
    private const string AttackersPassword = "attacker's own password";

    private async Task<(string Attacker, string Victim, ApiClient VictimClient, string Email)> AttackAsync()
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        // Each test gets its own pair: the provider's "verified-taken" person, at an email taken just before.
        var email = "taken.verified@example.com";
        var server = await ApiClient.ClientCredentialsAsync(store);
        foreach (var old in (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers?filter=eq(email,{email})"), HttpStatusCode.OK))["data"]!.AsArray())
        {
            await server.DeleteAsync($"/v2/customers/{old!["id"]}");
        }
        var attacker = (await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers",
            new { type = "customer", name = "Attacker", email = email.ToUpperInvariant(), password = AttackersPassword }), HttpStatusCode.Created))["data"]!;
        var victimToken = (await ApiClient.ExpectAsync(await store.SignInAsync(storefront, "verified-taken"), HttpStatusCode.OK))["data"]!;
        var victim = await ApiClient.ImplicitAsync(store);
        victim.CustomerToken = victimToken["token"]!.GetValue<string>();
        var victimId = victimToken["customer_id"]!.GetValue<string>();
        await ApiClient.ExpectAsync(await victim.PostAsync($"/v2/customers/{victimId}/addresses", Address), HttpStatusCode.Created);
        await CheckoutAsync(victim, new { id = victimId });
        return (attacker["id"]!.GetValue<string>(), victimId, victim, email);
    }

    private async Task<HttpStatusCode> AttackerSignsInAsync(string email)
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        return (await storefront.PostAsync("/v2/customers/tokens", new { type = "token", email, password = AttackersPassword })).StatusCode;
    }

    private MergeService Merges => store.Services.GetRequiredService<MergeService>();

    [Fact]
    public async Task Merging_the_attackers_customer_over_the_victims_removes_the_password_so_it_opens_nothing()
    {
        var (attacker, victim, victimClient, email) = await AttackAsync();

        // The old dialog's default: the older customer (the attacker's) stays, the victim's provider link moves into it.
        var merged = await Merges.MergeAsync(As.Admin, Guid.Parse(attacker), Guid.Parse(victim), new MergeChoices());

        Assert.True(merged.IsOk, merged.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, await AttackerSignsInAsync(email));
        // The victim's own session ended with the merge; the provider still opens the merged customer, with the victim's orders.
        Assert.Equal(HttpStatusCode.Unauthorized, (await victimClient.GetAsync($"/v2/customers/{victim}")).StatusCode);
        var again = (await ApiClient.ExpectAsync(await store.SignInAsync(await ApiClient.ImplicitAsync(store), "verified-taken"), HttpStatusCode.OK))["data"]!;
        Assert.Equal(attacker, again["customer_id"]!.GetValue<string>());
        var server = await ApiClient.ClientCredentialsAsync(store);
        var survivor = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers/{attacker}"), HttpStatusCode.OK))["data"]!;
        Assert.False(survivor["password"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Merging_into_the_victim_does_not_bring_the_attackers_password_along()
    {
        var (attacker, victim, _, email) = await AttackAsync();

        var merged = await Merges.MergeAsync(As.Representative, Guid.Parse(victim), Guid.Parse(attacker), new MergeChoices());

        Assert.True(merged.IsOk, merged.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, await AttackerSignsInAsync(email));
    }

    [Fact]
    public async Task Only_an_admin_keeps_a_password_beside_a_provider_sign_in_and_only_on_purpose()
    {
        var (attacker, victim, _, email) = await AttackAsync();

        var representative = await Merges.MergeAsync(As.Representative, Guid.Parse(attacker), Guid.Parse(victim), new MergeChoices(KeepPassword: true));
        Assert.Equal(Common.OutcomeKind.Refused, representative.Kind);
        Assert.Equal(HttpStatusCode.OK, await AttackerSignsInAsync(email));

        var admin = await Merges.MergeAsync(As.Admin, Guid.Parse(attacker), Guid.Parse(victim), new MergeChoices(KeepPassword: true));
        Assert.True(admin.IsOk, admin.Error);
        Assert.Equal(HttpStatusCode.OK, await AttackerSignsInAsync(email));
    }

    [Fact]
    public async Task The_merge_screen_marks_the_side_a_provider_sign_in_created()
    {
        var (attacker, victim, _, _) = await AttackAsync();

        var attackerSide = await Merges.SideAsync(As.Admin, Guid.Parse(attacker));
        var victimSide = await Merges.SideAsync(As.Admin, Guid.Parse(victim));

        Assert.Equal((false, true, 0), (attackerSide!.CreatedBySignIn, attackerSide.HasPassword, attackerSide.SignInLinks));
        Assert.Equal((true, false, 1), (victimSide!.CreatedBySignIn, victimSide.HasPassword, victimSide.SignInLinks));
    }

    [Fact]
    public async Task Undo_after_an_erasure_says_it_cannot_and_undo_ends_both_customers_tokens()
    {
        var (attacker, victim, _, email) = await AttackAsync();
        var erasedMerge = (await Merges.MergeAsync(As.Admin, Guid.Parse(victim), Guid.Parse(attacker), new MergeChoices())).Value!;
        Assert.True((await store.Services.GetRequiredService<PrivacyService>().EraseCustomerAsync(As.Admin, Guid.Parse(victim))).IsOk);

        var afterErasure = await Merges.UndoAsync(As.Admin, erasedMerge.Id);

        Assert.Equal(Common.OutcomeKind.Refused, afterErasure.Kind);
        Assert.Contains("can no longer be undone", afterErasure.Error);

        var (attacker2, victim2, _, _) = await AttackAsync();
        var merge = (await Merges.MergeAsync(As.Admin, Guid.Parse(victim2), Guid.Parse(attacker2), new MergeChoices())).Value!;
        var signedIn = await ApiClient.ImplicitAsync(store);
        signedIn.CustomerToken = (await ApiClient.ExpectAsync(await store.SignInAsync(signedIn, "verified-taken"), HttpStatusCode.OK))["data"]!["token"]!.GetValue<string>();
        await ApiClient.ExpectAsync(await signedIn.GetAsync($"/v2/customers/{victim2}"), HttpStatusCode.OK);

        Assert.True((await Merges.UndoAsync(As.Admin, merge.Id)).IsOk);

        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync($"/v2/customers/{victim2}")).StatusCode);
        // Undo brings the attacker's customer back as it was, password included: it opens that customer only.
        var token = (await ApiClient.ExpectAsync(await (await ApiClient.ImplicitAsync(store)).PostAsync("/v2/customers/tokens",
            new { type = "token", email, password = AttackersPassword }), HttpStatusCode.OK))["data"]!;
        Assert.Equal(attacker2, token["customer_id"]!.GetValue<string>());
    }
}
