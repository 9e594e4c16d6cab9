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
        var dialog = page.GetByRole(AriaRole.Dialog);
        // A key needs a name: an empty one is refused beside the field, not silently renamed.
        await dialog.GetByTestId("confirm-create-key").ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Give the key a name");
        await page.Locator("#key-name").PressSequentiallyAsync("Web storefront");
        await page.Locator("#key-name").PressAsync("Enter");

        // The secret shows once, in a dialog that neither Esc nor a stray click closes before "I've saved it".
        await Assertions.Expect(page.Locator("#new-client-secret-input")).Not.ToHaveValueAsync("");
        var clientId = (await page.Locator("#new-client-id-input").InputValueAsync()).Trim();
        var secret = (await page.Locator("#new-client-secret-input").InputValueAsync()).Trim();
        await page.ShotAsync("20-api-key-created");
        await Assertions.Expect(dialog.GetByTestId("close-new-key")).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Mouse.ClickAsync(5, 5);
        await Assertions.Expect(dialog).ToContainTextAsync("shown this once");
        await dialog.GetByText("I've saved the secret").ClickAsync();
        await dialog.GetByTestId("close-new-key").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=keys-table]")).ToContainTextAsync("Web storefront");

        using var http = new HttpClient { BaseAddress = new Uri(browser.App.BaseUrl) };
        async Task<HttpStatusCode> TokenAsync() => (await http.PostAsync("oauth/access_token",
            new StringContent($"grant_type=client_credentials&client_id={clientId}&client_secret={secret}", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode;
        Assert.Equal(HttpStatusCode.OK, await TokenAsync());

        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=keys-table]")).Not.ToContainTextAsync(secret);
        var row = page.Locator("[data-testid=keys-table] tbody tr").Filter(new() { HasText = clientId });
        await row.GetByTestId("revoke-key").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAsync());
    }
}
