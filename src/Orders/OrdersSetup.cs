using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Common;
using FluentValidation;
using CommerceManager.History;

namespace CommerceManager.Orders;

public static class OrdersSetup
{
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddOptions<StoreSettings>().BindConfiguration("Store");
        services.AddBulkLoadedTables(Order.Table, "OrderItems", "OrderEvents");
        services.AddSingleton<IValidator<CartItemInput>, CartItemInputValidator>();
        services.AddSingleton<IValidator<CheckoutInput>, CheckoutInputValidator>();
        services.AddSingleton<CartService>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<OrderService>();
        services.AddCustomerBelongings<OrderBelongings>();
        // An order on its customer's timeline (a guest's on none): created, and its status, payment and shipping.
        services.AddHistoryRule(HistoryRule.For<Order>("order", ChangeKinds.Order, o => o.Id, o => o.CustomerId,
                o => o.OrderNumber is { Length: > 0 } number ? number : OrderFormat.ShortId(o.Id))
            .Field(nameof(Order.Status), "status").Field(nameof(Order.Payment), "payment").Field(nameof(Order.Shipping), "shipping")
            .Field(nameof(Order.Total), "total").Field(nameof(Order.Currency), "currency"));
        services.AddSingleton<GatewayService>();
        services.AddRecordedSetting(GatewayService.ManualEnabledKey, "Manual payment gateway for storefronts");
        services.AddSingleton<PaymentService>();
        return services;
    }
}
