using System.Net;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>
/// Emails compare case-insensitively in ASCII only (and by their domain's IDNA form): <c>vıctim@</c> (dotless i) and
/// <c>ſ</c> (long s) are other people than <c>victim@</c> and <c>s</c>, under both duplicate-email policies (security.md, row 16).
/// </summary>
public sealed class UnicodeEmailTests
{
    private const string Dotless = "v\u0131ctim@example.com";

    [Theory]
    [InlineData("victim@example.com", "VICTIM@EXAMPLE.COM")]
    [InlineData("  Victim@Example.Com ", "VICTIM@EXAMPLE.COM")]
    [InlineData(Dotless, "V\u0131CTIM@EXAMPLE.COM")]
    [InlineData("\u017Fam@example.com", "\u017FAM@EXAMPLE.COM")]
    [InlineData("jos\u00e9@example.com", "JOS\u00e9@EXAMPLE.COM")]
    [InlineData("anna@B\u00dcCHER.de", "ANNA@XN--BCHER-KVA.DE")]
    [InlineData("anna@xn--bcher-kva.de", "ANNA@XN--BCHER-KVA.DE")]
    public void Only_ASCII_letters_fold_and_the_domain_is_compared_in_its_IDNA_form(string email, string key) =>
        Assert.Equal(key, EmailRules.Fold(email));

    [Fact]
    public async Task A_dotless_i_email_is_another_customer_whose_password_never_opens_the_victims()
    {
        await using var services = await TestServices.CreateAsync();
        var customers = services.Get<CustomerService>();
        var victim = await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Victim", Email = "victim@example.com", Password = "the victim's password" });
        var impostor = await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Impostor", Email = Dotless, Password = "the impostor's password" });

        Assert.True(victim.IsOk);
        Assert.True(impostor.IsOk, impostor.Error);
        Assert.NotEqual(victim.Value!.Id, impostor.Value!.Id);
        Assert.Null(await customers.VerifyPasswordAsync("VICTIM@EXAMPLE.COM", "the impostor's password"));
        Assert.Equal(impostor.Value.Id, await customers.VerifyPasswordAsync(Dotless, "the impostor's password"));
        Assert.Null(await customers.VerifyPasswordAsync("victim@example.com", "the impostor's password"));
    }
}

public sealed class EmailKeyRepairTests
{
    [Fact]
    public async Task A_store_keyed_the_old_way_is_re_keyed_once_at_start_so_its_customers_are_found()
    {
        await using var services = await TestServices.CreateAsync();
        var customers = services.Get<CustomerService>();
        var jose = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "José", Email = "jos\u00e9@example.com", Password = "josé's long password" })).Value!;
        var ascii = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ann", Email = "Ann@Example.com", Password = "ann's long password" })).Value!;
        await using (var db = await services.DbAsync())
        {
            // What the old fold (ToUpperInvariant) stored, and a store that never ran the repair.
            await db.Customers.Where(c => c.Id == jose.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.NormalizedEmail, "JOS\u00c9@EXAMPLE.COM"));
            await db.AppSettings.Where(s => s.Key.StartsWith("initialized:email-keys")).ExecuteDeleteAsync();
        }
        Assert.Null(await customers.VerifyPasswordAsync("jos\u00e9@example.com", "josé's long password"));

        await using (var db = await services.DbAsync())
        {
            await Seeding.EmailKeyRepair.RunAsync(db, isNewDatabase: false, NullLogger.Instance, CancellationToken.None);
        }

        Assert.Equal(jose.Id, await customers.VerifyPasswordAsync("jos\u00e9@example.com", "josé's long password"));
        Assert.Equal(ascii.Id, await customers.VerifyPasswordAsync("ann@example.com", "ann's long password"));
        await using var after = await services.DbAsync();
        Assert.True(await after.AppSettings.AnyAsync(s => s.Key == "initialized:email-keys-ascii-fold"));
    }
}

/// <summary>Policy allowed: a provider identity with the dotless email gets a customer of its own.</summary>
public sealed class UnicodeEmailAllowedSignInTests(OidcStore store) : IClassFixture<OidcStore>
{
    [Fact]
    public async Task A_provider_identity_with_a_dotless_i_email_never_signs_in_as_the_victim() =>
        await UnicodeEmailSignIn.AssertSeparateAsync(store);
}

/// <summary>Policy api_only links by verified email: never on a folded match that is not the same address.</summary>
public sealed class UnicodeEmailLinkingSignInTests(OidcLinkingTests.LinkingStore store) : IClassFixture<OidcLinkingTests.LinkingStore>
{
    [Fact]
    public async Task A_verified_dotless_i_email_is_not_linked_to_the_victim() =>
        await UnicodeEmailSignIn.AssertSeparateAsync(store);
}

internal static class UnicodeEmailSignIn
{
    public static async Task AssertSeparateAsync(OidcStore store)
    {
        var victim = await ApiClient.ImplicitAsync(store);
        var email = $"victim@example.com";
        var registered = (await ApiClient.ExpectAsync(await victim.PostAsync("/v2/customers",
            new { type = "customer", name = "Victim", email, password = "the victim's own password" }), HttpStatusCode.Created))["data"]!;

        var impostor = await ApiClient.ImplicitAsync(store);
        var signedIn = (await ApiClient.ExpectAsync(await store.SignInAsync(impostor, "dotless"), HttpStatusCode.OK))["data"]!;

        Assert.NotEqual(registered["id"]!.GetValue<string>(), signedIn["customer_id"]!.GetValue<string>());
        // The victim keeps their password (nothing was linked), and the impostor's token does not reach the victim.
        await ApiClient.ExpectAsync(await victim.PostAsync("/v2/customers/tokens",
            new { type = "token", email, password = "the victim's own password" }), HttpStatusCode.OK);
        impostor.CustomerToken = signedIn["token"]!.GetValue<string>();
        await ApiClient.ExpectErrorAsync(await impostor.GetAsync($"/v2/customers/{registered["id"]}"), HttpStatusCode.NotFound);
        var server = await ApiClient.ClientCredentialsAsync(store);
        var found = await ApiClient.ExpectAsync(await server.GetAsync("/v2/customers?filter=eq(email,victim@example.com)"), HttpStatusCode.OK);
        Assert.Single(found["data"]!.AsArray());
    }
}
