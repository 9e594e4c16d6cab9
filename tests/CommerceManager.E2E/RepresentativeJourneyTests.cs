using System.Security.Claims;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

public sealed class RepresentativeJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly ClaimsPrincipal Admin = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "e2e"));

    private static async Task AddAddressAsync(IPage page, string label, string first, string line1, string postcode, string county, string country, string countryName)
    {
        await page.GetByTestId("add-address").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#address-label").FillAsync(label);
        // The label has suggestions too: let their search settle on the typed label, then Tab takes it and closes them.
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item").First).ToContainTextAsync(label);
        await dialog.Locator("#address-label").PressAsync("Tab");
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await dialog.Locator("#address-first-name").FillAsync(first);
        await dialog.Locator("#address-last-name").FillAsync("Example");
        await dialog.Locator("#address-line1").FillAsync(line1);
        await dialog.Locator("#address-city").FillAsync("Springfield");
        await dialog.Locator("#address-county").FillAsync(county);
        await dialog.Locator("#address-postcode").FillAsync(postcode);
        await dialog.Locator("#address-country").FillAsync(countryName);
        // Wait for the search to narrow the list (the full list, shown on focus, has the country too), then pick it.
        var options = page.Locator(".mud-popover-open .mud-list-item");
        await Assertions.Expect(options.First).ToContainTextAsync($"({country})");
        await options.First.ClickAsync();
        await Assertions.Expect(options).ToHaveCountAsync(0);
        await Assertions.Expect(dialog.Locator("#address-country")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex($@"\({country}\)$"));
        await dialog.GetByTestId("save-address").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_representative_manages_a_customers_addresses_and_reads_their_orders()
    {
        var staff = browser.App.Services.GetRequiredService<StaffService>();
        await staff.CreateAsync(Admin, new StaffInput { Email = "rep@e2e.example", DisplayName = "Rita Rep", Role = Roles.Representative, Password = "rep e2e password 1" });
        var orders = browser.App.Services.GetRequiredService<OrderService>();
        var anOrder = (await orders.ListAsync(Admin, new OrderQuery(Limit: 100))).Items.First(o => o.CustomerId is not null);
        var customerId = anOrder.CustomerId!.Value;

        var page = await browser.NewPageAsync();
        await page.SignInAsync("rep@e2e.example", "rep e2e password 1");
        await page.GotoAsync($"customers/{customerId}?tab=addresses");
        await page.WaitForCircuitAsync();
        var before = await page.GetByTestId("address-card").CountAsync();

        await AddAddressAsync(page, "Home", "Homer", "742 Evergreen Terrace", "49007", "Kalamazoo", "US", "United States");
        await AddAddressAsync(page, "Office", "Olive", "1 Plant Street", "49008", "Kalamazoo", "US", "united st");
        await AddAddressAsync(page, "Neighbour", "Ned", "744 Evergreen Terrace", "SW1A 1AA", "Greater London", "GB", "GB");
        await Assertions.Expect(page.GetByTestId("address-card")).ToHaveCountAsync(before + 3);
        await Assertions.Expect(page.GetByTestId("address-card").Filter(new() { HasText = "Ned Example" })).ToContainTextAsync("United Kingdom");
        // The tab's count follows (it read the count when the page opened, and showed it stale before).
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Addresses" })).ToContainTextAsync($"Addresses ({before + 3})");
        await page.ShotAsync("10-addresses-added");

        // Edit the office address.
        var office = page.GetByTestId("address-card").Filter(new() { HasText = "Olive Example" });
        await office.GetByTestId("edit-address").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.Locator("#address-line1")).ToHaveValueAsync("1 Plant Street");
        await dialog.Locator("#address-line1").FillAsync("2 Plant Street");
        await page.ShotAsync("11-address-edit");
        await dialog.GetByTestId("save-address").ClickAsync();
        await Assertions.Expect(page.GetByTestId("address-card").Filter(new() { HasText = "Olive Example" })).ToContainTextAsync("2 Plant Street");

        // Delete the neighbour's, after confirming.
        await page.GetByTestId("address-card").Filter(new() { HasText = "Ned Example" }).GetByTestId("delete-address").ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-message")).ToContainTextAsync("744 Evergreen Terrace");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("address-card")).ToHaveCountAsync(before + 2);
        await Assertions.Expect(page.GetByTestId("address-card").Filter(new() { HasText = "Ned Example" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Addresses" })).ToContainTextAsync($"Addresses ({before + 2})");
        await page.ShotAsync("12-addresses-after-delete");

        // Orders tab, then one order.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Orders" }).ClickAsync();
        var rows = page.Locator("[data-testid=orders-table] tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        // The open tab is in the URL (replaced, not pushed): poll for it rather than wait for a page load.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("tab=orders$"));
        await page.ShotAsync("13-customer-orders");
        await rows.Filter(new() { HasText = OrderFormat.ShortId(anOrder.Id) }).GetByRole(AriaRole.Link).ClickAsync();
        await page.ExpectUrlAsync($"**/orders/{anOrder.Id}");
        await Assertions.Expect(page.GetByTestId("order-heading")).ToContainTextAsync(OrderFormat.ShortId(anOrder.Id));
        await Assertions.Expect(page.GetByTestId("order-total")).ToHaveTextAsync(anOrder.FormattedTotal);
        await Assertions.Expect(page.GetByTestId("order-customer-link")).ToBeVisibleAsync();
        await page.ShotAsync("14-order");
    }

    [Fact]
    public async Task Staff_filter_the_orders_page_and_the_filter_lives_in_the_url()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("orders");
        await page.WaitForCircuitAsync();

        await page.Locator("#order-email").FillAsync("@guest.example");
        await page.GetByTestId("order-email-match").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "contains" }).ClickAsync();
        // Wait for the list to close before submitting: a click while it is open only closes it.
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        // The Filter button rather than Enter: a key pressed while the closed list's re-render lands can be lost under load.
        await page.GetByTestId("orders-search").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/orders\\?filter="));
        await Assertions.Expect(page.GetByTestId("orders-api-filter")).ToHaveTextAsync("like(email,*@guest.example*)");
        await Assertions.Expect(page.Locator("[data-testid=orders-table] tbody tr").First).ToContainTextAsync("guest");
        await page.ShotAsync("15-orders-filtered");
    }
}
