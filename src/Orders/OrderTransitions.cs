namespace CommerceManager.Orders;

/// <summary>
/// Which status, payment and shipping changes an order allows. The console offers only these; the service refuses
/// anything else with the reason.
/// </summary>
public static class OrderTransitions
{
    private static readonly Dictionary<OrderStatus, OrderStatus[]> StatusMoves = new()
    {
        [OrderStatus.Incomplete] = [OrderStatus.Processing, OrderStatus.Complete, OrderStatus.Cancelled],
        [OrderStatus.Processing] = [OrderStatus.Complete, OrderStatus.Cancelled],
        [OrderStatus.Complete] = [],
        [OrderStatus.Cancelled] = [],
    };

    private static readonly Dictionary<PaymentStatus, PaymentStatus[]> PaymentMoves = new()
    {
        [PaymentStatus.Unpaid] = [PaymentStatus.Authorized, PaymentStatus.Paid],
        [PaymentStatus.Authorized] = [PaymentStatus.Paid, PaymentStatus.Unpaid],
        [PaymentStatus.Paid] = [PaymentStatus.Refunded],
        [PaymentStatus.Refunded] = [],
        [PaymentStatus.PartiallyAuthorized] = [PaymentStatus.Authorized, PaymentStatus.Paid, PaymentStatus.Unpaid],
        [PaymentStatus.PartiallyPaid] = [PaymentStatus.Paid, PaymentStatus.Refunded],
    };

    private static readonly Dictionary<ShippingStatus, ShippingStatus[]> ShippingMoves = new()
    {
        [ShippingStatus.Unfulfilled] = [ShippingStatus.Fulfilled],
        [ShippingStatus.Fulfilled] = [],
    };

    public static IReadOnlyList<OrderStatus> NextStatuses(Order o) =>
        StatusMoves[o.Status].Where(s => WhyNot(o, s, o.Payment, o.Shipping) is null).ToList();

    public static IReadOnlyList<PaymentStatus> NextPayments(Order o) =>
        PaymentMoves[o.Payment].Where(p => WhyNot(o, o.Status, p, o.Shipping) is null).ToList();

    public static IReadOnlyList<ShippingStatus> NextShippings(Order o) =>
        ShippingMoves[o.Shipping].Where(s => WhyNot(o, o.Status, o.Payment, s) is null).ToList();

    /// <summary>Null when the order may move to these values, else the reason it may not.</summary>
    public static string? WhyNot(Order o, OrderStatus status, PaymentStatus payment, ShippingStatus shipping)
    {
        if (status != o.Status && !StatusMoves[o.Status].Contains(status))
        {
            return $"An order that is {Word(o.Status)} cannot move to {Word(status)}.";
        }
        if (payment != o.Payment && !PaymentMoves[o.Payment].Contains(payment))
        {
            return $"A payment that is {Word(o.Payment)} cannot become {Word(payment)}.";
        }
        if (shipping != o.Shipping && !ShippingMoves[o.Shipping].Contains(shipping))
        {
            return $"Shipping that is {Word(o.Shipping)} cannot become {Word(shipping)}.";
        }
        if (status == OrderStatus.Cancelled && shipping == ShippingStatus.Fulfilled)
        {
            return o.Status == OrderStatus.Cancelled
                ? "A cancelled order cannot be shipped."
                : "A shipped (fulfilled) order cannot be cancelled; refund the payment instead.";
        }
        if (status == OrderStatus.Cancelled && payment != o.Payment && payment is PaymentStatus.Paid or PaymentStatus.Authorized)
        {
            return "A cancelled order cannot take a payment.";
        }
        return null;
    }

    /// <summary>EP's word for a state: <c>partially_paid</c> for PartiallyPaid.</summary>
    public static string Word<T>(T value) where T : Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>The state EP's word names (any letter case), or null.</summary>
    public static T? Parse<T>(string word) where T : struct, Enum =>
        Enum.GetValues<T>().Cast<T?>().FirstOrDefault(v => string.Equals(Word(v!.Value), word.Trim(), StringComparison.OrdinalIgnoreCase));
}
