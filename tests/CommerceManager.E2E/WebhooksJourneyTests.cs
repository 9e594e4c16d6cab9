using System.Text.Json.Nodes;
using CommerceManager.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>Settings › Webhooks as an Admin uses it: add the storefront's password-reset webhook, see its deliveries, switch it off, delete it.</summary>
public sealed class WebhooksJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_admin_adds_a_webhook_reads_why_a_delivery_failed_and_deletes_it()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await page.ExpectUrlAsync("**/settings/webhooks");
        await Assertions.Expect(page.GetByTestId("no-webhooks")).ToBeVisibleAsync();

        await page.GetByTestId("add-webhook").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#webhook-name").FillAsync("Password reset emails");
        await dialog.Locator("#webhook-url").FillAsync("not a web address");
        await dialog.GetByTestId("save-webhook").ClickAsync();
        // Refused beside the field, and what was typed stays.
        await Assertions.Expect(dialog).ToContainTextAsync("full http:// or https:// address");
        await Assertions.Expect(dialog.Locator("#webhook-name")).ToHaveValueAsync("Password reset emails");
        // The storefront on this machine: the store refuses loopback unless Webhooks__AllowPrivateAddresses says otherwise.
        await dialog.Locator("#webhook-url").FillAsync("http://127.0.0.1:9/api/webhooks/one-time-password");
        await dialog.Locator("#webhook-secret").FillAsync("a shared secret");
        await page.ShotAsync("90-add-webhook");
        await dialog.GetByTestId("save-webhook").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        var table = page.GetByTestId("webhooks-table");
        await Assertions.Expect(table).ToContainTextAsync("one-time-password-token-request.created");

        // A shopper asks for a code: the delivery fails, and the log says why.
        browser.App.Services.GetRequiredService<IStoreEvents>().Publish("one-time-password-token-request.created", new JsonObject { ["purpose"] = "reset_password" });
        await page.GetByTestId("webhook-logs").ClickAsync();
        var deliveries = page.GetByTestId("webhook-deliveries");
        for (var i = 0; i < 20 && !(await deliveries.TextContentAsync() ?? "").Contains("private", StringComparison.Ordinal); i++)
        {
            await deliveries.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }
        await Assertions.Expect(deliveries).ToContainTextAsync("private or local");
        await page.ShotAsync("91-webhook-deliveries");

        await page.GetByTestId("edit-webhook").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByTestId("webhook-enabled").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByTestId("save-webhook").ClickAsync();
        await Assertions.Expect(table.GetByText("Off", new() { Exact = true })).ToBeVisibleAsync();

        await page.GetByTestId("delete-webhook").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete webhook" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("no-webhooks")).ToBeVisibleAsync();
    }
}
