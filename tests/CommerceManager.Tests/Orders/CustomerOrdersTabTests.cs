using Bunit;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Orders;

public sealed class CustomerOrdersTabTests : ConsoleTestContext
{
    [Fact]
    public async Task The_tab_lists_only_this_customers_orders_newest_first_with_totals_and_status_chips()
    {
        var customers = App.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        var carts = App.Get<CartService>();
        var checkout = App.Get<CheckoutService>();
        await carts.AddItemAsync(As.Admin, "c1", new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 1000 });
        var first = (await checkout.CheckoutAsync(As.Admin, "c1", new CheckoutInput { CustomerId = ada.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing() })).Value!.Order;
        await carts.AddItemAsync(As.Admin, "c1", new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 2, Price = 1000 });
        var second = (await checkout.CheckoutAsync(As.Admin, "c1", new CheckoutInput { CustomerId = ada.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing() })).Value!.Order;
        await checkout.CheckoutAsync(As.Admin, "c1", new CheckoutInput { Name = "Guest", Email = "ada@example.com", BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing() });
        await App.Get<OrderService>().ChangeStatusAsync(As.Admin, second.Id, new OrderStatusChange(OrderStatus.Processing, PaymentStatus.Paid), null);
        SignInAs(Roles.Viewer);

        var cut = Render<CustomerOrdersTab>(p => p.Add(t => t.CustomerId, ada.Id));

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("[data-testid=orders-table] tbody tr");
            Assert.Equal(2, rows.Count);
            Assert.Contains(OrderFormat.ShortId(second.Id), rows[0].TextContent);
            Assert.Contains("$30.00", rows[0].TextContent);
            Assert.Contains("processing", rows[0].QuerySelector("[data-testid=status-chip]")!.TextContent);
            Assert.Contains("paid", rows[0].QuerySelector("[data-testid=payment-chip]")!.TextContent);
            Assert.Contains(OrderFormat.ShortId(first.Id), rows[1].TextContent);
            Assert.Equal("2", cut.Find("[data-testid=order-count]").TextContent.Trim());
        });
    }

    [Fact]
    public async Task A_customer_without_orders_gets_an_explanation()
    {
        var ada = (await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        SignInAs(Roles.Viewer);

        var cut = Render<CustomerOrdersTab>(p => p.Add(t => t.CustomerId, ada.Id));

        cut.WaitForAssertion(() => Assert.Contains("no orders yet", cut.Find("[data-testid=orders-empty]").TextContent));
    }
}
