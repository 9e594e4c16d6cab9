using System.Linq.Expressions;
using System.Security.Claims;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Orders;

public sealed record OrderDto(
    Guid Id,
    Guid? CustomerId,
    string CustomerName,
    string CustomerEmail,
    OrderStatus Status,
    PaymentStatus Payment,
    ShippingStatus Shipping,
    string Currency,
    long Total,
    long Tax,
    int ItemCount,
    string? OrderNumber,
    string? ExternalRef,
    long PaidAmount,
    long AuthorizedAmount,
    PostalAddress BillingAddress,
    PostalAddress ShippingAddress,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid Version,
    Guid? AccountId,
    Guid? AccountMemberId,
    long RefundedAmount)
{
    public string FormattedTotal => Money.Format(Total, Currency);

    /// <summary>What is still to pay: the total less what is paid, authorized, or was paid and given back (a refund is not owed again).</summary>
    public long BalanceOwing => Math.Max(0, Total + Tax - PaidAmount - AuthorizedAmount - RefundedAmount);

    /// <summary>Money received: what is kept plus what was refunded.</summary>
    public long Received => PaidAmount + RefundedAmount;
}

public sealed record OrderTransactionDto(Guid Id, TransactionType Type, TransactionStatus Status, string Gateway, long Amount, long RefundedAmount,
    string Currency, string? CustomReference, string? Name, string CreatedBy, DateTime CreatedAt, DateTime UpdatedAt,
    Guid? ParentId = null, DateTime? CapturedAt = null)
{
    /// <summary>What can still be refunded: a payment's amount less its refunds (a refund itself gives nothing back).</summary>
    public long Refundable => ParentId is null && Type is TransactionType.Purchase or TransactionType.Capture or TransactionType.Refund
        ? Amount - RefundedAmount : 0;

    /// <summary>A payment as EP's API shows it (refunds are folded into the payment they belong to).</summary>
    public bool IsPayment => ParentId is null;
}

public sealed record OrderItemDto(Guid Id, string Name, string Sku, int Quantity, long UnitPrice, long LineTotal);

public sealed record OrderEventDto(DateTime At, string Field, string? From, string To, string By);

public sealed record OrderDetail(OrderDto Order, IReadOnlyList<OrderItemDto> Items, IReadOnlyList<OrderEventDto> Events,
    IReadOnlyList<OrderTransactionDto> Transactions,
    IReadOnlyList<OrderStatus> NextStatuses, IReadOnlyList<PaymentStatus> NextPayments, IReadOnlyList<ShippingStatus> NextShippings);

/// <summary>
/// What a server may change on an order through the API (EP's rules): cancel it, mark it fulfilled, replace the
/// shipping address, set the order number and external reference. Null leaves a value as it is.
/// </summary>
public sealed record OrderUpdate(
    OrderStatus? Status = null,
    ShippingStatus? Shipping = null,
    PostalAddress? ShippingAddress = null,
    (string? Value, bool Set) OrderNumber = default,
    (string? Value, bool Set) ExternalRef = default);

public sealed record OrderQuery(string? Filter = null, string? Sort = null, int Offset = 0, int Limit = PageRequest.DefaultLimit, bool ExactTotal = true)
{
    public PageRequest Page => new PageRequest(Offset, Limit).Checked();
}

/// <summary>A change of status, payment and/or shipping; null leaves that one as it is.</summary>
public sealed record OrderStatusChange(OrderStatus? Status = null, PaymentStatus? Payment = null, ShippingStatus? Shipping = null);

public sealed class OrderService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public static readonly FilterSchema Schema = new(new Dictionary<string, string[]>
    {
        ["id"] = FilterSchema.EqOnly,
        ["customer_id"] = FilterSchema.EqOnly,
        ["email"] = FilterSchema.Text,
        ["name"] = FilterSchema.Text,
        ["status"] = FilterSchema.EqOnly,
        ["payment"] = FilterSchema.EqOnly,
        ["shipping"] = FilterSchema.EqOnly,
        ["created_at"] = FilterSchema.Compare,
        ["updated_at"] = FilterSchema.Compare,
        ["order_number"] = FilterSchema.EqOnly,
        ["external_ref"] = FilterSchema.EqOnly,
        // EP's dotted names for the same fields.
        ["customer.id"] = FilterSchema.EqOnly,
        ["customer.email"] = FilterSchema.Text,
        ["customer.name"] = FilterSchema.Text,
        // EP's Account Management: the account and member an order was placed for, and its contact.
        ["account_id"] = FilterSchema.EqOnly,
        ["account_member_id"] = FilterSchema.EqOnly,
        ["contact.email"] = FilterSchema.Text,
        ["contact.name"] = FilterSchema.Text,
    });

    /// <summary>
    /// Orders, newest first by default. Staff and API clients see all (narrowed by the filter); a customer token
    /// sees only its own customer's orders, whatever the filter says.
    /// </summary>
    public async Task<Page<OrderDto>> ListAsync(ClaimsPrincipal user, OrderQuery query, CancellationToken ct = default)
    {
        var ownCustomer = Access.CustomerIdOf(user);
        var ownAccount = Access.AccountIdOf(user);
        if (ownCustomer is null && ownAccount is null)
        {
            Access.Require(user, Permission.ReadCustomers);
        }
        var terms = Schema.Parse(query.Filter);
        var (offset, limit) = query.Page;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var orders = Apply(db.Orders.AsNoTracking(), terms);
        if (ownCustomer is { } customerId)
        {
            orders = orders.Where(o => o.CustomerId == customerId);
        }
        if (ownAccount is { } accountId)
        {
            // EP: with the account header, "limit orders to a specific account".
            orders = orders.Where(o => o.AccountId == accountId);
        }
        var unfiltered = terms.Count == 0 && ownCustomer is null && ownAccount is null;
        var descending = (query.Sort?.Trim() ?? "-created_at") switch
        {
            "created_at" => false,
            "-created_at" or "" => true,
            var other => throw new FilterException($"Sorting orders by '{other.TrimStart('-')}' is not supported. Use created_at or -created_at.", FilterException.SortTitle),
        };
        var sorted = descending
            ? orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
            : orders.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id);
        Task<List<OrderDto>> PageAsync() => sorted.Skip(offset).Take(limit).Select(ToDto).ToListAsync(ct);
        var byStatus = terms.Any(t => t.Field is "status" or "payment" or "shipping");
        if (!unfiltered && !byStatus)
        {
            // A customer's orders and other narrow filters: a first page with room to spare holds every match, so it
            // is the total too, and there is nothing to count.
            var page = await PageAsync();
            var (found, cappedAt) = offset == 0 && page.Count < limit ? (page.Count, false) : await Counting.CountAsync(orders, query.ExactTotal, ct);
            return new Page<OrderDto>(page, found, offset, limit, cappedAt);
        }
        var (total, capped) = unfiltered ? (await RowCounts.ReadAsync(db, Order.Table, ct), false)
            : await Counting.CountAsync(orders, query.ExactTotal, ct);
        if (total == 0)
        {
            return new Page<OrderDto>([], 0, offset, limit);
        }
        if (total <= SmallResult && byStatus)
        {
            return new Page<OrderDto>(await SmallPageAsync(db, orders, descending, offset, limit, ct), total, offset, limit, capped);
        }
        if (byStatus)
        {
            // The page's keys first, then its rows. A store's newest orders are the least likely to be complete, but the
            // planner takes status and age as independent: asked for whole rows, PostgreSQL walked the date index and
            // stepped over 68,791 newer orders to find 25 complete ones (118 ms at 6M orders). Asked for keys, it reads
            // them from the (status, date) index alone (under 1 ms), and the 25 rows by primary key.
            var keys = sorted.Select(o => o.Id).Skip(offset).Take(limit);
            var rows = db.Orders.AsNoTracking().Where(o => keys.Contains(o.Id));
            var inOrder = descending ? rows.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id) : rows.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id);
            return new Page<OrderDto>(await inOrder.Select(ToDto).ToListAsync(ct), total, offset, limit, capped);
        }
        return new Page<OrderDto>(await PageAsync(), total, offset, limit, capped);
    }

    private const int SmallResult = 2_000;

    /// <summary>
    /// A rare mix of statuses (say refunded but fulfilled) would make the date-ordered walk visit every order with the
    /// first status. When the count says few match, read their keys through the covering status indexes, order those
    /// in memory, and load just the page.
    /// </summary>
    private static async Task<List<OrderDto>> SmallPageAsync(AppDbContext db, IQueryable<Order> orders, bool descending, int offset, int limit, CancellationToken ct)
    {
        var keys = await orders.Select(o => new { o.Id, o.CreatedAt }).ToListAsync(ct);
        var ordered = descending
            ? keys.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id, DatabaseOrder.Guid)
            : keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, DatabaseOrder.Guid);
        var ids = ordered.Skip(offset).Take(limit).Select(k => k.Id).ToList();
        var page = await db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(ToDto).ToListAsync(ct);
        return ids.Select(id => page.First(o => o.Id == id)).ToList();
    }

    /// <summary>
    /// Orders a person names by what they read: the short number shown everywhere (<c>#6B310869</c>, with or without
    /// the #, any case), the full id, or the store's own order number. Staff only; newest first, at most
    /// <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<OrderDto>> FindByNumberAsync(ClaimsPrincipal user, string text, int limit = 10, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var number = text.Trim().TrimStart('#').Trim();
        if (number.Length == 0)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Order> orders;
        if (Guid.TryParse(number, out var id))
        {
            orders = db.Orders.Where(o => o.Id == id);
        }
        else if (number.Length == 8 && number.All(char.IsAsciiHexDigit))
        {
            var shortId = number.ToUpperInvariant();
            orders = db.Orders.Where(o => ShortIdSql.ShortId(o.Id) == shortId || o.OrderNumber == number);
        }
        else
        {
            orders = db.Orders.Where(o => o.OrderNumber == number);
        }
        // Matches are a handful: read them by their indexes, then order here. With ORDER BY in the query SQLite walks the
        // date index instead and tests every order on the way (12 s at 3M orders when nothing or little matches).
        var found = await orders.AsNoTracking().Take(MaxNumberMatches).Select(ToDto).ToListAsync(ct);
        return found.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id, DatabaseOrder.Guid).Take(limit).ToList();
    }

    private const int MaxNumberMatches = 200;

    /// <summary>
    /// Orders for an export, streamed newest first: the given ids, or every order the filter matches (staff only).
    /// </summary>
    public async IAsyncEnumerable<OrderDto> ReadAsync(ClaimsPrincipal user, IReadOnlyList<Guid>? ids, string? filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Order> orders;
        if (ids is not null)
        {
            var list = ids.ToList();
            orders = db.Orders.AsNoTracking().Where(o => list.Contains(o.Id));
        }
        else
        {
            orders = Apply(db.Orders.AsNoTracking(), Schema.Parse(filter));
        }
        var rows = orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Select(ToDto).AsAsyncEnumerable();
        await foreach (var order in rows.WithCancellation(ct))
        {
            yield return order;
        }
    }

    /// <summary>
    /// What a customer has spent: money received on their orders less what was refunded (as Shopify's "Amount spent");
    /// unpaid orders and authorizations not captured count nothing.
    /// </summary>
    public async Task<long> AmountSpentAsync(ClaimsPrincipal user, Guid customerId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Orders.Where(o => o.CustomerId == customerId).SumAsync(o => o.PaidAmount, ct);
    }

    public async Task<OrderDetail?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (Access.CustomerIdOf(user) is null && Access.AccountIdOf(user) is null)
        {
            Access.Require(user, Permission.ReadCustomers);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().Include(o => o.Items).Include(o => o.Events).Include(o => o.Transactions).AsSplitQuery()
            .FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null || !Owns(user, order))
        {
            return null;
        }
        return Detail(order);
    }

    /// <summary>Moves status, payment and shipping along the allowed transitions only; anything else is refused with the reason.</summary>
    public Task<Outcome<OrderDetail>> ChangeStatusAsync(ClaimsPrincipal user, Guid id, OrderStatusChange change,
        Guid? expectedVersion, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        return ChangeAsync(user, id, expectedVersion, (order, _) =>
        {
            var status = change.Status ?? order.Status;
            var payment = change.Payment ?? order.Payment;
            var shipping = change.Shipping ?? order.Shipping;
            if (OrderTransitions.WhyNot(order, status, payment, shipping) is { } reason)
            {
                return reason;
            }
            if (payment != order.Payment)
            {
                // Staff set the payment state by hand: the amounts follow, so balances read true.
                (order.PaidAmount, order.AuthorizedAmount) = payment switch
                {
                    PaymentStatus.Paid => (order.Total + order.Tax, 0L),
                    PaymentStatus.Authorized => (order.PaidAmount, order.Total + order.Tax - order.PaidAmount),
                    PaymentStatus.Refunded => Refund(order),
                    PaymentStatus.Unpaid => (0L, 0L),
                    _ => (order.PaidAmount, order.AuthorizedAmount),
                };
            }
            (order.Status, order.Payment, order.Shipping) = (status, payment, shipping);
            return null;
        }, ct);
    }

    /// <summary>
    /// EP's <c>PUT /v2/orders/:id</c>: cancel (not once fulfilled), mark fulfilled (only when paid), replace the shipping
    /// address (while unfulfilled), set the order number or external reference. Payment moves only through payments.
    /// </summary>
    public Task<Outcome<OrderDetail>> UpdateAsync(ClaimsPrincipal user, Guid id, OrderUpdate update, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        return ChangeAsync(user, id, null, (order, _) =>
        {
            if (update.Status is { } status && status != OrderStatus.Cancelled)
            {
                return $"status can only be set to cancelled: an order becomes processing or complete as it is paid (POST /v2/orders/{order.Id}/payments).";
            }
            if (update.Shipping is { } shipping && shipping != ShippingStatus.Fulfilled)
            {
                return "shipping can only be set to fulfilled.";
            }
            if (update.Shipping == ShippingStatus.Fulfilled && order.Shipping != ShippingStatus.Fulfilled && order.Payment != PaymentStatus.Paid)
            {
                return $"Only a paid order can be fulfilled; this one is {OrderTransitions.Word(order.Payment)}.";
            }
            if ((update.Status is not null || update.ShippingAddress is not null) && order.Shipping == ShippingStatus.Fulfilled)
            {
                return "A fulfilled order's status and shipping address can no longer change.";
            }
            var status2 = update.Status ?? order.Status;
            var shipping2 = update.Shipping ?? order.Shipping;
            if (status2 == OrderStatus.Cancelled && shipping2 == ShippingStatus.Fulfilled)
            {
                return order.Status == OrderStatus.Cancelled
                    ? "A cancelled order cannot be shipped."
                    : "A shipped (fulfilled) order cannot be cancelled; refund the payment instead.";
            }
            // EP cancels any order not yet fulfilled, paid or not (cancelling does not refund).
            (order.Status, order.Shipping) = (status2, shipping2);
            if (update.ShippingAddress is { } address)
            {
                order.ShippingAddress = address;
            }
            if (update.OrderNumber.Set)
            {
                order.OrderNumber = string.IsNullOrWhiteSpace(update.OrderNumber.Value) ? null : update.OrderNumber.Value.Trim();
            }
            if (update.ExternalRef.Set)
            {
                order.ExternalRef = string.IsNullOrWhiteSpace(update.ExternalRef.Value) ? null : update.ExternalRef.Value.Trim();
            }
            return null;
        }, ct);
    }

    /// <summary>
    /// The one way an order changes: load it whole, check the version the caller saw, apply <paramref name="change"/>
    /// (which returns why not, or null), record each status, payment and shipping move in the order's history, save.
    /// </summary>
    internal async Task<Outcome<OrderDetail>> ChangeAsync(ClaimsPrincipal user, Guid id, Guid? expectedVersion,
        Func<Order, AppDbContext, string?> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var order = await db.Orders.Include(o => o.Items).Include(o => o.Events).Include(o => o.Transactions).AsSplitQuery()
            .FirstOrDefaultAsync(o => o.Id == id, ct);
        var own = Access.CustomerIdOf(user);
        if (order is not null && !Owns(user, order))
        {
            // Answered as if it did not exist, so a storefront cannot probe other people's orders.
            order = null;
        }
        if (Saving.IsStale(order, expectedVersion, out Outcome<OrderDetail> stale))
        {
            return stale;
        }
        var before = (order.Status, order.Payment, order.Shipping);
        if (change(order, db) is { } reason)
        {
            return Outcome.Refused<OrderDetail>(reason);
        }
        var now = clock.UtcNow();
        var by = user.Identity?.Name ?? (user.IsInRole(Roles.ApiClient) ? "API client" : own is not null ? "the customer" : "storefront");
        var recorded = 0;
        void Record(string field, string from, string to)
        {
            if (from != to)
            {
                // One tick apart, so the history reads in the order the changes were made.
                var e = new OrderEvent { Id = Guid.CreateVersion7(), OrderId = order.Id, At = now.AddMicroseconds(recorded++), Field = field, From = from, To = to, By = by };
                order.Events.Add(e);
                db.Add(e);
            }
        }
        Record("status", OrderTransitions.Word(before.Status), OrderTransitions.Word(order.Status));
        Record("payment", OrderTransitions.Word(before.Payment), OrderTransitions.Word(order.Payment));
        Record("shipping", OrderTransitions.Word(before.Shipping), OrderTransitions.Word(order.Shipping));
        order.UpdatedAt = now;
        order.Version = Guid.NewGuid();
        return await db.SaveOrConflictAsync(() => Detail(order), ct);
    }

    /// <summary>
    /// Whether the caller may act on this order: staff and API clients on any, a customer token on its customer's
    /// orders, an implicit token alone on guest orders (which belong to nobody).
    /// </summary>
    internal static bool Owns(ClaimsPrincipal user, Order order) =>
        Access.Has(user, Permission.ReadCustomers)
        || (Access.CustomerIdOf(user) is { } customer ? order.CustomerId == customer
            : Access.AccountIdOf(user) is { } account ? order.AccountId == account
            : order.CustomerId is null && order.AccountId is null);

    /// <summary>Staff mark an order refunded by hand: what was paid is given back (and is owed no more).</summary>
    private static (long Paid, long Authorized) Refund(Order order)
    {
        order.RefundedAmount += order.PaidAmount;
        return (0L, 0L);
    }

    internal static OrderDetail Detail(Order order) => new(
        ToDtoCompiled(order),
        order.Items.OrderBy(i => i.Id).Select(i => new OrderItemDto(i.Id, i.Name, i.Sku, i.Quantity, i.UnitPrice, i.LineTotal)).ToList(),
        order.Events.OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new OrderEventDto(e.At, e.Field, e.From, e.To, e.By)).ToList(),
        order.Transactions.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Select(TransactionDto).ToList(),
        OrderTransitions.NextStatuses(order), OrderTransitions.NextPayments(order), OrderTransitions.NextShippings(order));

    internal static OrderTransactionDto TransactionDto(OrderTransaction t) => new(t.Id, t.Type, t.Status, t.Gateway, t.Amount, t.RefundedAmount,
        t.Currency, t.CustomReference, t.Name, t.CreatedBy, t.CreatedAt, t.UpdatedAt, t.ParentId, t.CapturedAt);

    private static IQueryable<Order> Apply(IQueryable<Order> q, IEnumerable<FilterTerm> terms)
    {
        foreach (var t in terms)
        {
            q = t.Field switch
            {
                "id" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Id, FilterLanguage.ParseGuid(t))),
                "customer_id" or "customer.id" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.CustomerId, (Guid?)FilterLanguage.ParseGuid(t))),
                "account_id" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.AccountId, (Guid?)FilterLanguage.ParseGuid(t))),
                "account_member_id" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.AccountMemberId, (Guid?)FilterLanguage.ParseGuid(t))),
                "email" or "customer.email" or "contact.email" => QueryBuilding.Text(q, t, o => o.NormalizedCustomerEmail, v => Customer.Normalize(CustomerFilters.EmailValue(v))),
                "name" or "customer.name" or "contact.name" => QueryBuilding.Text(q, t, o => o.NormalizedCustomerName, Customer.FoldName),
                "status" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Status, ParseEnum<OrderStatus>(t))),
                "payment" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Payment, ParseEnum<PaymentStatus>(t))),
                "shipping" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Shipping, ParseEnum<ShippingStatus>(t))),
                "created_at" => q.Where(QueryBuilding.Compare(t.Op, (Order o) => o.CreatedAt, FilterLanguage.ParseTimestamp(t))),
                "updated_at" => q.Where(QueryBuilding.Compare(t.Op, (Order o) => o.UpdatedAt, FilterLanguage.ParseTimestamp(t))),
                "order_number" => q.Where(o => o.OrderNumber == t.Value),
                "external_ref" => q.Where(o => o.ExternalRef == t.Value),
                _ => throw new FilterException($"Filtering orders on '{t.Field}' is not supported."),
            };
        }
        return q;
    }

    private static T ParseEnum<T>(FilterTerm t) where T : struct, Enum =>
        OrderTransitions.Parse<T>(t.Value) is { } value
            ? value
            : throw new FilterException($"'{t.Value}' is not a {t.Field}. Use one of: {string.Join(", ", Enum.GetValues<T>().Select(v => OrderTransitions.Word(v)))}.");

    internal static readonly Expression<Func<Order, OrderDto>> ToDto = o => new OrderDto(o.Id, o.CustomerId, o.CustomerName, o.CustomerEmail,
        o.Status, o.Payment, o.Shipping, o.Currency, o.Total, o.Tax, o.ItemCount, o.OrderNumber, o.ExternalRef, o.PaidAmount, o.AuthorizedAmount,
        o.BillingAddress, o.ShippingAddress,
        o.CreatedAt, o.UpdatedAt, o.Version, o.AccountId, o.AccountMemberId, o.RefundedAmount);

    internal static readonly Func<Order, OrderDto> ToDtoCompiled = ToDto.Compile();
}
