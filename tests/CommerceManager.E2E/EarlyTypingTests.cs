using CommerceManager.Customers;
using CommerceManager.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>
/// A person who knows the console types as soon as a page shows, before it is interactive (the circuit is still
/// starting). Here the circuit's start is held back a second and a half, so every key lands in the prerendered page:
/// "/" must still open the search, and typed text and Enter must still count.
/// </summary>
public sealed class EarlyTypingTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task<IPage> SlowToStartAsync(IPage page)
    {
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await Task.Delay(1500); // a slow network, not a wait in the test
            await route.ContinueAsync();
        });
        return page;
    }

    [Fact]
    public async Task Text_typed_and_Enter_pressed_before_the_list_is_interactive_search_when_it_is()
    {
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput { Name = "Ottoline Earlybird", Email = "ottoline@early.example" });
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await SlowToStartAsync(page);

        await page.GotoAsync("customers", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        var box = page.Locator("#search-text");
        await box.ClickAsync();
        await box.PressSequentiallyAsync("Earlybird");
        await box.PressAsync("Enter");

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=Earlybird"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tbody tr").First).ToContainTextAsync("Ottoline Earlybird");
        await Assertions.Expect(box).ToHaveValueAsync("Earlybird");
    }

    [Fact]
    public async Task Slash_and_a_name_typed_as_the_page_shows_find_the_customer_once_it_is_interactive()
    {
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput
        {
            Name = "Quentin Promptly", Email = "quentin@early.example", ExternalRef = "CRM-EARLY-7",
        });
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await SlowToStartAsync(page);

        await page.GotoAsync("orders", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(page.Locator("#global-search")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("CRM-EARLY-7", new() { Delay = 40 });

        var hit = page.GetByTestId("global-search-hit").Filter(new() { HasText = "Quentin Promptly" });
        await Assertions.Expect(hit).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#global-search")).ToHaveValueAsync("CRM-EARLY-7");
    }
}
