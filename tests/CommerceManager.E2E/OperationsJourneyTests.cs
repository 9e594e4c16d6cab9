using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>An Admin takes a backup from the console, and open tabs hear about a restart.</summary>
public sealed class OperationsJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_admin_backs_up_now_and_sees_the_backup_with_its_size()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Backups" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/settings/backups$"));
        await Assertions.Expect(page.GetByTestId("backups-table")).ToContainTextAsync("No backups yet");

        await page.GetByTestId("backup-now").ClickAsync();

        var row = page.GetByTestId("backups-table").Locator("tbody tr").First;
        await Assertions.Expect(row).ToContainTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(row).ToContainTextAsync(KestrelApp.AdminEmail);
        await Assertions.Expect(row).ToContainTextAsync(new Regex(@"\d+(\.\d)? (KB|MB)"));
        var file = (await row.Locator("code").InnerTextAsync()).Trim();
        Assert.True(File.Exists(file), $"{file} is not there");
        await Assertions.Expect(page.GetByTestId("backup-now")).ToBeEnabledAsync();
        await page.ShotAsync("60-backups");
    }

    [Fact]
    public async Task Open_console_tabs_are_told_when_the_server_restarts()
    {
        await using var app = new KestrelApp();
        app.Start();
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl });
        var page = await context.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await Assertions.Expect(page.GetByTestId("restarting")).ToHaveCountAsync(0);

        // What SIGTERM does: the host is told to stop.
        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        // Our banner while the connection lasts; when the connection closes first (it did once under CI load), Blazor's own
        // reconnect dialog ("Rejoining the server…") is what the tab shows. Either way the person is told.
        await Assertions.Expect(page.GetByTestId("restarting").Or(page.GetByText(new Regex("Rejoin"))).First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.ShotAsync("61-restarting");
        await context.CloseAsync();
    }
}
