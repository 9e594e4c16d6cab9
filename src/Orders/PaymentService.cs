using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Security;

namespace CommerceManager.Orders;

/// <summary>A payment to record: EP's manual gateway, a purchase or an authorization, of the balance or part of it.</summary>
public sealed record PaymentInput(string Gateway, string Method, long? Amount = null, string? CustomReference = null, string? Name = null);

/// <summary>How staff say a manual payment was taken (EP's <c>paymentmethod_meta.name</c>; the API takes any name).</summary>
public static class PaymentMethods
{
    public static readonly IReadOnlyList<string> Names = ["Card (in person)", "Bank transfer", "Cash", "Cheque", "Other"];
}

/// <summary>
/// Payments on orders, the EP way with its manual gateway: a purchase pays, an authorization reserves and a capture
/// pays what it reserved, a refund gives back. The order's payment state and status follow EP's rules: paid →
/// complete, authorized → processing, partial payments keep it incomplete.
/// </summary>
public sealed class PaymentService(OrderService orders, GatewayService gateways, TimeProvider clock)
{
    public const string ManualGateway = "manual";

    public const string StorefrontPaymentsOff = "Storefronts may not record payments in this store: its manual gateway is not enabled " +
        "(an admin turns it on in Settings → Payments, or a server with PUT /v2/gateways/manual {\"data\":{\"enabled\":true}}). " +
        "Record the payment from your server with a client_credentials token instead.";

    /// <summary>
    /// Records a payment. Staff who edit and API clients may pay any order. Storefronts may pay only when the store has
    /// enabled its manual gateway, and then only an order they own: a customer token its customer's orders, an implicit
    /// token alone a guest order.
    /// </summary>
    public async Task<Outcome<(OrderDetail Order, OrderTransactionDto Transaction)>> PayAsync(ClaimsPrincipal user, Guid orderId, PaymentInput input,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        if (!Access.Has(user, Permission.RecordAnyPayment) && !await gateways.ManualEnabledAsync(ct))
        {
            throw new AccessDeniedException(StorefrontPaymentsOff);
        }
        OrderTransaction? created = null;
        return await Run(orders.ChangeAsync(user, orderId, null, (order, db) =>
        {
            if (!string.Equals(input.Gateway, ManualGateway, StringComparison.Ordinal))
            {
                return $"gateway must be {ManualGateway}: this store records payments taken outside it (EP's manual gateway).";
            }
            var type = input.Method switch
            {
                "purchase" => TransactionType.Purchase,
                "authorize" => TransactionType.Authorize,
                _ => (TransactionType?)null,
            };
            if (type is null)
            {
                return "method must be purchase or authorize.";
            }
            if (order.Status == OrderStatus.Cancelled)
            {
                return "A cancelled order cannot take a payment.";
            }
            var owing = Owing(order);
            if (owing <= 0)
            {
                return order.RefundedAmount > 0
                    ? $"Nothing is owed on this order: it was paid, and {Money.Format(order.RefundedAmount, order.Currency)} of that was refunded."
                    : "Nothing is owed on this order: it is paid (or authorized) in full.";
            }
            var amount = input.Amount ?? owing;
            if (amount <= 0 || amount > owing)
            {
                return $"amount must be between 1 and the balance owing, {Money.Format(owing, order.Currency)} ({owing} minor units).";
            }
            var now = clock.UtcNow();
            created = new OrderTransaction
            {
                Id = Guid.CreateVersion7(), OrderId = order.Id, Type = type.Value, Status = TransactionStatus.Complete, Gateway = ManualGateway,
                Amount = amount, Currency = order.Currency, CustomReference = Clean(input.CustomReference), Name = Clean(input.Name),
                CreatedBy = By(user), CreatedAt = now, UpdatedAt = now,
            };
            order.Transactions.Add(created);
            db.Add(created);
            if (type == TransactionType.Purchase)
            {
                order.PaidAmount += amount;
            }
            else
            {
                order.AuthorizedAmount += amount;
            }
            Settle(order);
            return null;
        }, ct), () => created!);
    }

    /// <summary>Captures an authorization: what it reserved becomes paid.</summary>
    public Task<Outcome<(OrderDetail Order, OrderTransactionDto Transaction)>> CaptureAsync(ClaimsPrincipal user, Guid orderId, Guid transactionId,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.RecordAnyPayment);
        OrderTransaction? captured = null;
        return Run(orders.ChangeAsync(user, orderId, null, (order, _) =>
        {
            captured = order.Transactions.FirstOrDefault(t => t.Id == transactionId && t.ParentId == null);
            if (captured is null)
            {
                return NotFound;
            }
            if (captured.Type != TransactionType.Authorize || captured.Status != TransactionStatus.Complete)
            {
                return $"Only an authorization can be captured; this transaction is a {OrderTransitions.Word(captured.Type)}.";
            }
            if (order.Status == OrderStatus.Cancelled)
            {
                return "A cancelled order's authorization cannot be captured.";
            }
            captured.Type = TransactionType.Capture;
            captured.UpdatedAt = clock.UtcNow();
            captured.CapturedAt = captured.UpdatedAt;
            order.AuthorizedAmount -= captured.Amount;
            order.PaidAmount += captured.Amount;
            Settle(order);
            return null;
        }, ct), () => captured!);
    }

    /// <summary>
    /// Refunds a purchase or capture, in full or in part (repeatable up to its amount), once the order is paid and
    /// complete or cancelled, as EP allows. The money goes back outside the store; this records that it did.
    /// </summary>
    public Task<Outcome<(OrderDetail Order, OrderTransactionDto Transaction)>> RefundAsync(ClaimsPrincipal user, Guid orderId, Guid transactionId,
        long? amount, CancellationToken ct = default)
    {
        Access.Require(user, Permission.RecordAnyPayment);
        OrderTransaction? refunded = null;
        return Run(orders.ChangeAsync(user, orderId, null, (order, db) =>
        {
            // A refund's own id is not a payment: EP's API knows only the payment, updated.
            refunded = order.Transactions.FirstOrDefault(t => t.Id == transactionId && t.ParentId == null);
            if (refunded is null)
            {
                return NotFound;
            }
            var refundable = refunded.Type is TransactionType.Authorize or TransactionType.Refund ? 0 : refunded.Amount - refunded.RefundedAmount;
            if (refundable <= 0)
            {
                return refunded.Type == TransactionType.Authorize
                    ? "An authorization has taken no money: capture it first, or leave it."
                    : "This transaction is refunded in full already.";
            }
            if (!(order.Status == OrderStatus.Cancelled || (order.Status == OrderStatus.Complete && order.Payment == PaymentStatus.Paid)
                    || order.Payment is PaymentStatus.PartiallyPaid or PaymentStatus.Refunded))
            {
                return "Only a complete, paid order (or a cancelled one) can be refunded.";
            }
            var value = amount ?? refundable;
            if (value <= 0 || value > refundable)
            {
                return $"amount must be between 1 and {refundable} minor units (what this transaction has left to refund).";
            }
            var now = clock.UtcNow();
            // The payment keeps its line and its time; the refund is a movement of its own.
            refunded.RefundedAmount += value;
            refunded.UpdatedAt = now;
            var refund = new OrderTransaction
            {
                Id = Guid.CreateVersion7(), OrderId = order.Id, ParentId = refunded.Id, Type = TransactionType.Refund, Status = TransactionStatus.Complete,
                Gateway = refunded.Gateway, Amount = value, Currency = refunded.Currency, Name = refunded.Name, CreatedBy = By(user),
                CreatedAt = now, UpdatedAt = now,
            };
            order.Transactions.Add(refund);
            db.Add(refund);
            order.PaidAmount -= value;
            order.RefundedAmount += value;
            Settle(order);
            return null;
        }, ct), () => refunded!);
    }

    /// <summary>What is still to pay or reserve.</summary>
    public static long Owing(Order order) => order.Total + order.Tax - order.PaidAmount - order.AuthorizedAmount - order.RefundedAmount;

    /// <summary>EP's payment states from the amounts, and the order's status moving forward with them (never back).</summary>
    internal static void Settle(Order order)
    {
        var due = order.Total + order.Tax;
        order.Payment = order.PaidAmount >= due && due > 0 ? PaymentStatus.Paid
            : order.AuthorizedAmount > 0 && order.PaidAmount + order.AuthorizedAmount >= due ? PaymentStatus.Authorized
            : order.PaidAmount > 0 ? PaymentStatus.PartiallyPaid
            : order.AuthorizedAmount > 0 ? PaymentStatus.PartiallyAuthorized
            : order.RefundedAmount > 0 || order.Transactions.Any(t => t.RefundedAmount > 0) ? PaymentStatus.Refunded
            : PaymentStatus.Unpaid;
        if (order.Status == OrderStatus.Cancelled)
        {
            return;
        }
        if (order.Payment == PaymentStatus.Paid)
        {
            order.Status = OrderStatus.Complete;
        }
        else if (order.Payment == PaymentStatus.Authorized && order.Status == OrderStatus.Incomplete)
        {
            order.Status = OrderStatus.Processing;
        }
    }

    private const string NotFound = "There is no such transaction on this order.";

    private static async Task<Outcome<(OrderDetail, OrderTransactionDto)>> Run(Task<Outcome<OrderDetail>> change, Func<OrderTransaction> transaction)
    {
        var outcome = await change;
        if (outcome.Kind == OutcomeKind.Refused && outcome.Error == NotFound)
        {
            return Outcome.NotFound<(OrderDetail, OrderTransactionDto)>();
        }
        return outcome.IsOk ? (outcome.Value!, OrderService.TransactionDto(transaction())) : outcome.As<(OrderDetail, OrderTransactionDto)>();
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string By(ClaimsPrincipal user) =>
        user.Identity?.Name ?? (user.IsInRole(Roles.ApiClient) ? "API client" : Access.CustomerIdOf(user) is not null ? "the customer" : "storefront");
}
