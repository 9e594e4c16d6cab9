using CommerceManager.Common;
using FluentValidation;

namespace CommerceManager.Orders;

public static class OrdersSetup
{
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddOptions<StoreSettings>().BindConfiguration("Store");
        services.AddSingleton<IValidator<CartItemInput>, CartItemInputValidator>();
        services.AddSingleton<IValidator<CheckoutInput>, CheckoutInputValidator>();
        services.AddSingleton<CartService>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<OrderService>();
        services.AddSingleton<PaymentService>();
        return services;
    }
}
