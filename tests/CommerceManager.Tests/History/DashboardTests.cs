using CommerceManager.Common;
using Bunit;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;

namespace CommerceManager.Tests.History;

public sealed class DashboardTests : ConsoleTestContext
{
    [Fact]
    public async Task The_home_page_counts_todays_sign_ups_guest_checkouts_and_orders_by_status_and_lists_recent_changes()
    {
        var customers = App.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Bob", Email = "bob@example.com" });
        var carts = App.Get<CartService>();
        var checkout = App.Get<CheckoutService>();
        foreach (var (cart, customerId) in new[] { ("c1", (Guid?)ada.Id), ("c2", null), ("c3", null) })
        {
            await carts.AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 1000 });
            await checkout.CheckoutAsync(As.Admin, cart, new CheckoutInput
            {
                CustomerId = customerId, Name = customerId is null ? "Guest" : null, Email = customerId is null ? "guest@example.com" : null,
                BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
            });
        }
        var placed = (await App.Get<OrderService>().ListAsync(As.Admin, new OrderQuery())).Items.Sum(o => o.Total);
        SignInAs(Roles.Viewer);

        var cut = Render<CommerceManager.Components.Pages.Home>();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("2", cut.Find("[data-testid=kpi-customers]").TextContent.Trim());
            Assert.Equal("2", cut.Find("[data-testid=kpi-new-customers]").TextContent.Trim());
            Assert.Equal("3", cut.Find("[data-testid=kpi-orders]").TextContent.Trim());
            var today = cut.Find("[data-testid=signups-vs-guests] tbody tr").Children.Select(c => c.TextContent.Trim()).ToList();
            Assert.Equal(["2", "2"], today.Skip(1));
            var orders = cut.Find("[data-testid=orders-by-status] tbody tr").Children.Select(c => c.TextContent.Trim()).ToList();
            Assert.Equal(["3", "0", "0", "0", "3"], orders.Skip(1)); // all incomplete, today
            Assert.Equal("2", cut.FindAll("[data-testid=chart-new-by-day] tbody tr")[^1].QuerySelector(".bar-value")!.TextContent.Trim());
            Assert.Contains("Order", cut.Find("[data-testid=recent-activity]").TextContent);
            // Pictures, not lists: each chart is an image named by what it shows, drawn with a bar per figure.
            var orderChart = cut.Find("[data-testid=chart-orders-by-status] [role=img]");
            Assert.Contains("3 orders, 3 incomplete", orderChart.GetAttribute("aria-label"));
            Assert.NotEmpty(orderChart.QuerySelectorAll("svg path.mud-chart-bar"));
            Assert.Contains("2 sign-ups, 2 guest checkouts", cut.Find("[data-testid=chart-signups-vs-guests] [role=img]").GetAttribute("aria-label"));
            Assert.NotEmpty(cut.FindAll("[data-testid=chart-new-customers-per-day] svg path.mud-chart-bar"));
            // New customers over 30 days with the week's total; revenue per day (issue 38, item 4).
            Assert.Equal(30, cut.FindAll("[data-testid=chart-new-by-day] tbody tr").Count);
            Assert.Contains("This week (last 7 days): 2", cut.Find("[data-testid=new-this-week]").TextContent);
            var revenueToday = cut.Find("[data-testid=revenue-by-day] tbody tr").Children.Select(c => c.TextContent.Trim()).ToList();
            Assert.Equal(Money.Format(placed, "USD"), revenueToday[1]);
            Assert.Equal(14, cut.FindAll("[data-testid=revenue-by-day] tbody tr").Count);
            Assert.NotEmpty(cut.FindAll("[data-testid=chart-revenue-per-day] svg path.mud-chart-bar"));
        }, TimeSpan.FromSeconds(10)); // the figures are 126 small queries: longer than bUnit's default second on a busy PostgreSQL
    }

    [Fact]
    public async Task A_run_of_like_changes_is_one_line_that_says_what_changed_and_a_single_change_links_its_customer()
    {
        var customers = App.Get<CustomerService>();
        var people = new List<CustomerDto>();
        for (var i = 0; i < 5; i++)
        {
            people.Add((await customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Person {i}", Email = $"p{i}@run.example" })).Value!);
        }
        using (CommerceManager.History.ChangeContext.Use(CommerceManager.History.ChangeActor.System("nightly sync")))
        {
            foreach (var p in people)
            {
                await customers.UpdateAsync(As.Admin, p.Id, new CustomerInput { Name = p.Name + " Synced", Email = p.Email }, p.Version);
            }
        }
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@run.example" })).Value!;
        SignInAs(Roles.Viewer);

        var cut = Render<CommerceManager.Components.Pages.Home>();

        cut.WaitForAssertion(() =>
        {
            var lines = cut.FindAll("[data-testid=activity-line]").Select(l => l.TextContent).ToList();
            Assert.Contains("Customer created", lines[0]);
            Assert.Contains($"customers/{ada.Id}?tab=history", cut.FindAll("[data-testid=activity-line]")[0].InnerHtml);
            var run = Assert.Single(lines, l => l.Contains("Customer updated × 5"));
            Assert.Contains("changed Name", run);
            Assert.Contains("nightly sync", run);
        }, TimeSpan.FromSeconds(10));
    }
}
