using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>Dark mode: follows the operating system, and a toggle in the app bar that each staff member's console remembers.</summary>
public sealed class ThemeJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Dark = "rgb(18, 20, 24)";
    private const string Light = "rgb(246, 247, 251)";

    /// <summary>Waits (up to five seconds) for the page's background to be <paramref name="colour"/>.</summary>
    private static async Task ExpectBackgroundAsync(IPage page, string colour)
    {
        try
        {
            await page.WaitForFunctionAsync("c => getComputedStyle(document.body).backgroundColor === c", colour, new() { Timeout = 5_000 });
        }
        catch (TimeoutException)
        {
            // Said below with the colour it has.
        }
        Assert.Equal(colour, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
    }

    [Fact]
    public async Task The_console_follows_a_dark_system_and_remembers_a_staff_members_own_choice()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.App.BaseUrl,
            ColorScheme = ColorScheme.Dark,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        // Nothing chosen yet: the operating system's dark scheme.
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Colours: following the system. Switch to light");
        await ExpectBackgroundAsync(page, Dark);
        await page.ShotAsync("62-dark-customers");

        // Light, remembered across a reload.
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Colours: light. Switch to dark");
        await ExpectBackgroundAsync(page, Light);
        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Colours: light. Switch to dark");
        await ExpectBackgroundAsync(page, Light);

        // Dark, then back to following the system.
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Colours: dark. Switch to following the system");
        await ExpectBackgroundAsync(page, Dark);
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Colours: following the system. Switch to light");
        await context.CloseAsync();
    }
}
