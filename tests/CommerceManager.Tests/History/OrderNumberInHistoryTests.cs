using CommerceManager.Customers;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.History;

/// <summary>One number per order: history says "Order #482F6958", the number the order page, lists and search use.</summary>
public sealed class OrderNumberInHistoryTests
{
    [Fact]
    public async Task An_order_in_the_history_is_named_by_its_short_number_not_the_ids_first_characters()
    {
        await using var services = await TestServices.CreateAsync();
        var ada = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@onenumber.example" })).Value!;
        var cart = $"cart-{Guid.NewGuid():N}";
        await services.Get<CartService>().AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 900 });
        var order = (await services.Get<CheckoutService>().CheckoutAsync(As.Admin, cart, new CheckoutInput
        {
            CustomerId = ada.Id, BillingAddress = CommerceManager.Tests.Orders.CheckoutAndOrderTests.Billing(), ShippingAddress = CommerceManager.Tests.Orders.CheckoutAndOrderTests.Billing(),
        })).Value!.Order;

        var timeline = await services.Get<HistoryService>().TimelineAsync(As.Admin, ada.Id, new HistoryQuery());

        var entry = Assert.Single(timeline.Items, e => e.ResourceType == "order");
        Assert.Equal($"Order {OrderFormat.ShortId(order.Id)} created", entry.Title);
    }
}
