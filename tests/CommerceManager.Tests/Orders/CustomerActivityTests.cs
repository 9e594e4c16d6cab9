using Bunit;
using Microsoft.Extensions.DependencyInjection;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Orders;

/// <summary>Order count, total spent and last order, kept by the database as orders are placed and change.</summary>
public sealed class CustomerActivityTests : ConsoleTestContext
{
    private async Task<OrderDto> CheckoutAsync(Guid customerId, long price, int quantity = 1)
    {
        var cart = $"cart-{Guid.NewGuid():N}";
        await App.Get<CartService>().AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = quantity, Price = price });
        return (await App.Get<CheckoutService>().CheckoutAsync(As.Admin, cart, new CheckoutInput
        {
            CustomerId = customerId, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order;
    }

    [Fact]
    public async Task Placing_and_cancelling_orders_keep_the_customers_figures_and_the_list_sorts_by_them()
    {
        var customers = App.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        var bob = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Bob", Email = "bob@example.com" })).Value!;
        Assert.Equal((0, 0L, (DateTime?)null), Figures(await customers.GetAsync(As.Viewer, ada.Id)));

        var first = await CheckoutAsync(ada.Id, 1000);
        var second = await CheckoutAsync(ada.Id, 2500, 2);
        await CheckoutAsync(bob.Id, 100);
        var stored = await customers.GetAsync(As.Viewer, ada.Id);
        Assert.Equal(2, stored!.OrderCount);
        Assert.Equal(first.Total + second.Total, stored.OrdersTotal);
        Assert.Equal(second.CreatedAt, stored.LastOrderAt!.Value, TimeSpan.FromMilliseconds(1));

        // A cancelled order still counts as an order but no longer as money spent.
        var cancelled = await App.Get<OrderService>().ChangeStatusAsync(As.Admin, second.Id, new OrderStatusChange(OrderStatus.Cancelled, null), null);
        Assert.True(cancelled.IsOk, cancelled.Error);
        stored = await customers.GetAsync(As.Viewer, ada.Id);
        Assert.Equal((2, first.Total), (stored!.OrderCount, stored.OrdersTotal));

        var bySpent = await customers.ListAsync(As.Viewer, new CustomerQuery(Sort: "-orders_total"));
        Assert.Equal(["Ada", "Bob"], bySpent.Items.Select(c => c.Name).ToArray());
        var byCount = await customers.ListAsync(As.Viewer, new CustomerQuery(Sort: "order_count"));
        Assert.Equal(["Bob", "Ada"], byCount.Items.Select(c => c.Name).ToArray());
    }

    [Fact]
    public async Task The_customer_page_shows_the_figures_and_the_tab_counts()
    {
        var ada = (await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        var payments = App.Get<PaymentService>();
        var paid = await CheckoutAsync(ada.Id, 1999);
        Assert.True((await payments.PayAsync(As.Admin, paid.Id, new PaymentInput(PaymentService.ManualGateway, "purchase"))).IsOk);
        // Money not received (unpaid) or given back (refunded) is not spent.
        await CheckoutAsync(ada.Id, 500);
        var refunded = await CheckoutAsync(ada.Id, 700);
        var payment = (await payments.PayAsync(As.Admin, refunded.Id, new PaymentInput(PaymentService.ManualGateway, "purchase"))).Value.Transaction;
        Assert.True((await payments.RefundAsync(As.Admin, refunded.Id, payment.Id, null)).IsOk);
        SignInAs(Roles.Viewer);

        var cut = Render<CommerceManager.Components.Pages.CustomerPage>(p => p.Add(c => c.Id, ada.Id));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("3", cut.Find("[data-testid=kpi-orders]").TextContent.Trim());
            Assert.Equal("$19.99", cut.Find("[data-testid=kpi-spent]").TextContent.Trim());
            Assert.Contains("Orders (3)", cut.Markup);
            Assert.Contains("Addresses (0)", cut.Markup);
        });
    }

    private static (int, long, DateTime?) Figures(CustomerDto? c) => (c!.OrderCount, c.OrdersTotal, c.LastOrderAt);
}
