using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>A support call starts with a name, an email, a reference or an order number: each finds its record.</summary>
public sealed class LookupJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Slash_opens_the_app_bar_search_and_the_keyboard_picks_a_customer_or_an_order()
    {
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        var ada = (await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput
        {
            Name = "Ada Byron", Email = "countess@lookup.example", ExternalRef = "CRM-LOOK-1",
        })).Value!;
        var orders = browser.App.Services.GetRequiredService<OrderService>();
        var order = (await orders.ListAsync(Access.SystemAdmin("e2e"), new OrderQuery(null, null, 0, 1))).Items[0];

        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        // "/" puts the cursor in the search, whenever it is pressed.
        await Assertions.Expect(page.GetByTestId("customer-total")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(page.Locator("#global-search")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("CRM-LOOK-1", new() { Delay = 60 }); // a quick typist, not an instant paste
        var hit = page.GetByTestId("global-search-hit").Filter(new() { HasText = "Ada Byron" });
        await Assertions.Expect(hit).ToBeVisibleAsync();
        await page.ShotAsync("50-global-search");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        await page.ExpectUrlAsync($"**/customers/{ada.Id}");
        await Assertions.Expect(page.GetByTestId("customer-heading")).ToHaveTextAsync("Ada Byron");

        await page.Keyboard.PressAsync("Control+k");
        await Assertions.Expect(page.Locator("#global-search")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(OrderFormat.ShortId(order.Id).ToLowerInvariant(), new() { Delay = 60 });
        await Assertions.Expect(page.GetByTestId("global-search-hit").Filter(new() { HasText = OrderFormat.ShortId(order.Id) })).ToBeVisibleAsync();
        await page.ShotAsync("51-global-search-order");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        // Polls the address: waiting for a navigation event timed out once under CI load.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/orders/{order.Id}$"), new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_customers_box_matches_name_email_or_reference_and_the_orders_box_opens_an_order_by_number()
    {
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput { Name = "Alan Turing", Email = "alan@bletchley.example", ExternalRef = "ENIGMA-42" });
        var orders = browser.App.Services.GetRequiredService<OrderService>();
        var order = (await orders.ListAsync(Access.SystemAdmin("e2e"), new OrderQuery(null, null, 0, 2))).Items[1];

        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        foreach (var text in new[] { "turing", "bletchley", "ENIGMA-42" })
        {
            await page.Locator("#search-text").ClickAsync();
            await page.Locator("#search-text").PressAsync("Control+A");
            await page.Locator("#search-text").PressSequentiallyAsync(text);
            await page.Locator("#search-text").PressAsync("Enter");
            await Assertions.Expect(page.Locator("[data-testid=customer-table] tbody tr")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("[data-testid=customer-table] tbody")).ToContainTextAsync("Alan Turing");
        }

        // Nothing found: the empty state offers the likely fix.
        await page.GotoAsync("customers?filter=eq(name,Turing)");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("widen-search").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=customer-table] tbody")).ToContainTextAsync("Alan Turing");

        await page.GotoAsync("orders");
        await page.WaitForCircuitAsync();
        await page.Locator("#order-number").PressSequentiallyAsync("#00000000");
        await page.Locator("#order-number").PressAsync("Enter");
        await Assertions.Expect(page.GetByText("No order #00000000")).ToBeVisibleAsync();
        await page.Locator("#order-number").PressAsync("Control+A");
        await page.Locator("#order-number").PressSequentiallyAsync(OrderFormat.ShortId(order.Id));
        await page.Locator("#order-number").PressAsync("Enter");
        // Polls the address: waiting for a navigation event timed out once under CI load.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/orders/{order.Id}$"), new() { Timeout = 30_000 });
    }
}
