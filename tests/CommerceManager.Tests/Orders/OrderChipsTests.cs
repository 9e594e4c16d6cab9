using Bunit;
using CommerceManager.Orders;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Orders;

/// <summary>States that need someone's action stand out in amber; finished ones in green; cancelled ones are quiet.</summary>
public sealed class OrderChipsTests : ConsoleTestContext
{
    private string ClassOf(OrderStatus status, PaymentStatus payment, ShippingStatus shipping, string chip) =>
        Render<OrderChips>(p => p.Add(c => c.Status, status).Add(c => c.Payment, payment).Add(c => c.Shipping, shipping))
            .Find($"[data-testid={chip}]").ClassName ?? "";

    [Fact]
    public void Unpaid_and_paid_but_unfulfilled_orders_are_amber()
    {
        Assert.Contains("warning", ClassOf(OrderStatus.Incomplete, PaymentStatus.Unpaid, ShippingStatus.Unfulfilled, "payment-chip"));
        Assert.DoesNotContain("warning", ClassOf(OrderStatus.Incomplete, PaymentStatus.Unpaid, ShippingStatus.Unfulfilled, "shipping-chip"));
        Assert.Contains("warning", ClassOf(OrderStatus.Complete, PaymentStatus.Paid, ShippingStatus.Unfulfilled, "shipping-chip"));
        Assert.Contains("success", ClassOf(OrderStatus.Complete, PaymentStatus.Paid, ShippingStatus.Fulfilled, "shipping-chip"));
        Assert.DoesNotContain("warning", ClassOf(OrderStatus.Cancelled, PaymentStatus.Unpaid, ShippingStatus.Unfulfilled, "payment-chip"));
    }
}
