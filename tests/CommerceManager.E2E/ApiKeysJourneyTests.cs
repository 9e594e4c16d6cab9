using System.Net;
using System.Text;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

public sealed class ApiKeysJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_admin_creates_a_key_whose_secret_is_shown_once_and_works_until_revoked()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("settings/api-keys");
        await page.WaitForCircuitAsync();

        await page.GetByTestId("create-key").ClickAsync();
        await page.Locator("#key-name").FillAsync("Web storefront");
        await page.GetByTestId("confirm-ok").ClickAsync();
        var clientId = (await page.GetByTestId("new-client-id").TextContentAsync())!.Trim();
        var secret = (await page.GetByTestId("new-client-secret").TextContentAsync())!.Trim();
        await page.ShotAsync("20-api-key-created");

        using var http = new HttpClient { BaseAddress = new Uri(browser.App.BaseUrl) };
        async Task<HttpStatusCode> TokenAsync() => (await http.PostAsync("oauth/access_token",
            new StringContent($"grant_type=client_credentials&client_id={clientId}&client_secret={secret}", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode;
        Assert.Equal(HttpStatusCode.OK, await TokenAsync());

        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("new-client-secret")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=keys-table]")).Not.ToContainTextAsync(secret);
        var row = page.Locator("[data-testid=keys-table] tbody tr").Filter(new() { HasText = clientId });
        await row.GetByTestId("revoke-key").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAsync());
    }
}
