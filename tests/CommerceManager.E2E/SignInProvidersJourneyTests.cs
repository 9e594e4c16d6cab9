using Microsoft.Playwright;
using Idp = CommerceManager.TestIdentityProvider.TestIdentityProvider;

namespace CommerceManager.E2E;

public sealed class SignInProvidersJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly Idp idp = new();

    public Task InitializeAsync() => idp.StartAsync();
    public async Task DisposeAsync() => await idp.DisposeAsync();

    [Fact]
    public async Task An_admin_adds_a_provider_and_sees_its_discovery_checked()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("settings/sign-in");
        await page.WaitForCircuitAsync();

        await page.GetByTestId("add-provider").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#provider-name").FillAsync("Store accounts");
        await dialog.Locator("#provider-discovery").FillAsync("http://127.0.0.1:1/");
        await dialog.GetByTestId("test-discovery").ClickAsync();
        await Assertions.Expect(dialog.GetByTestId("test-result")).ToContainTextAsync("Could not read the discovery document");
        await dialog.Locator("#provider-discovery").FillAsync(idp.Issuer);
        await Assertions.Expect(dialog.GetByTestId("test-result")).ToHaveCountAsync(0);
        await dialog.GetByTestId("test-discovery").ClickAsync();
        // The provider's first discovery (keys and all) can take a few seconds on a busy machine.
        await Assertions.Expect(dialog.GetByTestId("test-result")).ToContainTextAsync("connect/authorize", new() { Timeout = 20_000 });
        await dialog.Locator("#provider-client-id").FillAsync(Idp.ClientId);
        await dialog.Locator("#provider-client-secret").FillAsync(Idp.ClientSecret);
        await dialog.Locator("#provider-redirects").FillAsync(Idp.RedirectUri);
        await page.ShotAsync("40-provider-dialog");
        await dialog.GetByTestId("save-provider").ClickAsync();

        var card = page.GetByTestId("provider-card").Filter(new() { HasText = "Store accounts" });
        await Assertions.Expect(card.GetByTestId("discovery-ok")).ToContainTextAsync(idp.Issuer, new() { Timeout = 20_000 });
        await Assertions.Expect(card).Not.ToContainTextAsync(Idp.ClientSecret);
        await page.ShotAsync("41-sign-in-providers");
    }
}
