using Bunit;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CommerceManager.Tests.Orders;

/// <summary>
/// Money that adds up: a refunded order owes nothing, every payment and refund is a line with its own time, part
/// payments carry a method and a reference.
/// </summary>
public sealed class MoneyTests : ConsoleTestContext
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    protected override void ConfigureAppServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);

    private async Task<OrderDto> OrderAsync(long price)
    {
        var ada = (await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = $"ada.{Guid.NewGuid():N}@example.com" })).Value!;
        var cart = $"cart-{Guid.NewGuid():N}";
        await App.Get<CartService>().AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Lamp", Sku = "LAMP", Quantity = 1, Price = price });
        return (await App.Get<CheckoutService>().CheckoutAsync(As.Admin, cart, new CheckoutInput
        {
            CustomerId = ada.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order;
    }

    [Fact]
    public async Task A_refunded_order_owes_nothing_and_keeps_its_payment_line_beside_the_refund_line()
    {
        var payments = App.Get<PaymentService>();
        var order = await OrderAsync(35800);
        var paid = (await payments.PayAsync(As.Representative, order.Id, new PaymentInput(PaymentService.ManualGateway, "purchase"))).Value;
        var fulfilled = await App.Get<OrderService>().ChangeStatusAsync(As.Representative, order.Id,
            new OrderStatusChange(OrderStatus.Complete, Shipping: ShippingStatus.Fulfilled), null);
        Assert.True(fulfilled.IsOk, fulfilled.Error);
        clock.Advance(TimeSpan.FromDays(3));

        var refunded = await payments.RefundAsync(As.Representative, order.Id, paid.Transaction.Id, null);

        Assert.True(refunded.IsOk, refunded.Error);
        var detail = refunded.Value.Order;
        Assert.Equal(0, detail.Order.BalanceOwing);
        Assert.Equal(35800, detail.Order.RefundedAmount);
        Assert.Equal(PaymentStatus.Refunded, detail.Order.Payment);
        var payment = Assert.Single(detail.Transactions, t => t.IsPayment);
        var refund = Assert.Single(detail.Transactions, t => !t.IsPayment);
        Assert.Equal((TransactionType.Purchase, 35800L, paid.Transaction.CreatedAt), (payment.Type, payment.RefundedAmount, payment.CreatedAt));
        Assert.Equal((TransactionType.Refund, 35800L, payment.Id), (refund.Type, refund.Amount, refund.ParentId));
        Assert.Equal(payment.CreatedAt.AddDays(3), refund.CreatedAt);
        // Nothing is owed, so nothing more can be paid; and a refund line is not itself refundable.
        var again = await payments.PayAsync(As.Representative, order.Id, new PaymentInput(PaymentService.ManualGateway, "purchase"));
        Assert.Contains("Nothing is owed", again.Error);
        Assert.Equal(Common.OutcomeKind.NotFound, (await payments.RefundAsync(As.Representative, order.Id, refund.Id, null)).Kind);

        SignInAs(Roles.Representative);
        var cut = Render<OrderPage>(p => p.Add(c => c.Id, order.Id));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("$0.00", cut.Find("[data-testid=order-balance]").TextContent.Trim());
            Assert.Equal("$358.00", cut.Find("[data-testid=order-refunded]").TextContent.Trim());
            Assert.Empty(cut.FindAll("[data-testid=record-payment]"));
            var lines = cut.FindAll("[data-testid=transaction-line]").Select(l => l.TextContent).ToList();
            Assert.Equal(2, lines.Count);
            Assert.Contains("Payment", lines[0]);
            Assert.Contains("Refund", lines[1]);
            Assert.Contains("−$358.00", lines[1]);
        });
    }

    [Fact]
    public async Task Record_payment_takes_part_of_the_balance_with_a_method_and_a_reference()
    {
        var order = await OrderAsync(10000);
        SignInAs(Roles.Representative);
        var cut = Render<OrderPage>(p => p.Add(c => c.Id, order.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=record-payment]"));

        cut.Find("[data-testid=record-payment]").Click();
        Dialogs.WaitForAssertion(() => Dialogs.Find("#payment-amount"));
        Dialogs.Find("#payment-amount").Input("40.00");
        Dialogs.Find("#payment-reference").Input("INV-1");
        Dialogs.Find("[data-testid=record-payment-confirm]").Click();

        cut.WaitForAssertion(() => Assert.Equal("$60.00", cut.Find("[data-testid=order-balance]").TextContent.Trim()));
        var detail = (await App.Get<OrderService>().GetAsync(As.Admin, order.Id))!;
        var payment = Assert.Single(detail.Transactions);
        Assert.Equal((4000L, PaymentMethods.Names[0], "INV-1"), (payment.Amount, payment.Name, payment.CustomReference));
        Assert.Equal(PaymentStatus.PartiallyPaid, detail.Order.Payment);
        Assert.Contains($"Payment ({PaymentMethods.Names[0]})", cut.Find("[data-testid=order-transactions]").TextContent);
    }
}
