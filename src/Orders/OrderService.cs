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
    PostalAddress BillingAddress,
    PostalAddress ShippingAddress,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid Version)
{
    public string FormattedTotal => Money.Format(Total, Currency);
}

public sealed record OrderItemDto(Guid Id, string Name, string Sku, int Quantity, long UnitPrice, long LineTotal);

public sealed record OrderEventDto(DateTime At, string Field, string? From, string To, string By);

public sealed record OrderDetail(OrderDto Order, IReadOnlyList<OrderItemDto> Items, IReadOnlyList<OrderEventDto> Events,
    IReadOnlyList<OrderStatus> NextStatuses, IReadOnlyList<PaymentStatus> NextPayments, IReadOnlyList<ShippingStatus> NextShippings);

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
        // EP's dotted names for the same fields.
        ["customer.id"] = FilterSchema.EqOnly,
        ["customer.email"] = FilterSchema.Text,
        ["customer.name"] = FilterSchema.Text,
    });

    /// <summary>
    /// Orders, newest first by default. Staff and API clients see all (narrowed by the filter); a customer token
    /// sees only its own customer's orders, whatever the filter says.
    /// </summary>
    public async Task<Page<OrderDto>> ListAsync(ClaimsPrincipal user, OrderQuery query, CancellationToken ct = default)
    {
        var ownCustomer = Access.CustomerIdOf(user);
        if (ownCustomer is null)
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
        var unfiltered = terms.Count == 0 && ownCustomer is null;
        var (total, capped) = unfiltered ? (await RowCounts.ReadAsync(db, RowCount.Orders, ct), false)
            : await Counting.CountAsync(orders, query.ExactTotal, ct);
        var descending = (query.Sort?.Trim() ?? "-created_at") switch
        {
            "created_at" => false,
            "-created_at" or "" => true,
            var other => throw new FilterException($"Sorting orders by '{other.TrimStart('-')}' is not supported. Use created_at or -created_at.", FilterException.SortTitle),
        };
        if (total == 0)
        {
            return new Page<OrderDto>([], 0, offset, limit);
        }
        if (total <= SmallResult && terms.Any(t => t.Field is "status" or "payment" or "shipping"))
        {
            return new Page<OrderDto>(await SmallPageAsync(db, orders, descending, offset, limit, ct), total, offset, limit, capped);
        }
        var sorted = descending
            ? orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
            : orders.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id);
        var items = await sorted.Skip(offset).Take(limit).Select(ToDto).ToListAsync(ct);
        return new Page<OrderDto>(items, total, offset, limit, capped);
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

    public async Task<OrderDetail?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        var ownCustomer = Access.CustomerIdOf(user);
        if (ownCustomer is null)
        {
            Access.Require(user, Permission.ReadCustomers);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().Include(o => o.Items).Include(o => o.Events).AsSplitQuery()
            .FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null || (ownCustomer is not null && order.CustomerId != ownCustomer))
        {
            return null;
        }
        return Detail(order);
    }

    /// <summary>Moves status, payment and shipping along the allowed transitions only; anything else is refused with the reason.</summary>
    public async Task<Outcome<OrderDetail>> ChangeStatusAsync(ClaimsPrincipal user, Guid id, OrderStatusChange change,
        Guid? expectedVersion, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var order = await db.Orders.Include(o => o.Items).Include(o => o.Events).AsSplitQuery().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (Saving.IsStale(order, expectedVersion, out Outcome<OrderDetail> stale))
        {
            return stale;
        }
        var status = change.Status ?? order.Status;
        var payment = change.Payment ?? order.Payment;
        var shipping = change.Shipping ?? order.Shipping;
        if (OrderTransitions.WhyNot(order, status, payment, shipping) is { } reason)
        {
            return Outcome.Refused<OrderDetail>(reason);
        }

        var now = clock.UtcNow();
        var by = user.Identity?.Name ?? (user.IsInRole(Roles.ApiClient) ? "API client" : "unknown");
        var recorded = 0;
        void Record(string field, string from, string to)
        {
            if (from != to)
            {
                // One tick apart, so the history reads in the order the changes were made.
                var e = new OrderEvent { Id = Guid.CreateVersion7(), OrderId = order.Id, At = now.AddTicks(recorded++), Field = field, From = from, To = to, By = by };
                order.Events.Add(e);
                db.Add(e);
            }
        }
        Record("status", OrderTransitions.Word(order.Status), OrderTransitions.Word(status));
        Record("payment", OrderTransitions.Word(order.Payment), OrderTransitions.Word(payment));
        Record("shipping", OrderTransitions.Word(order.Shipping), OrderTransitions.Word(shipping));
        (order.Status, order.Payment, order.Shipping) = (status, payment, shipping);
        order.UpdatedAt = now;
        order.Version = Guid.NewGuid();
        return await db.SaveOrConflictAsync(() => Detail(order), ct);
    }

    private static OrderDetail Detail(Order order) => new(
        ToDtoCompiled(order),
        order.Items.OrderBy(i => i.Id).Select(i => new OrderItemDto(i.Id, i.Name, i.Sku, i.Quantity, i.UnitPrice, i.LineTotal)).ToList(),
        order.Events.OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new OrderEventDto(e.At, e.Field, e.From, e.To, e.By)).ToList(),
        OrderTransitions.NextStatuses(order), OrderTransitions.NextPayments(order), OrderTransitions.NextShippings(order));

    private static IQueryable<Order> Apply(IQueryable<Order> q, IEnumerable<FilterTerm> terms)
    {
        foreach (var t in terms)
        {
            q = t.Field switch
            {
                "id" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Id, FilterLanguage.ParseGuid(t))),
                "customer_id" or "customer.id" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.CustomerId, (Guid?)FilterLanguage.ParseGuid(t))),
                "email" or "customer.email" => QueryBuilding.Text(q, t, o => o.NormalizedCustomerEmail, v => Customer.Normalize(CustomerFilters.EmailValue(v))),
                "name" or "customer.name" => QueryBuilding.Text(q, t, o => o.NormalizedCustomerName, Customer.FoldName),
                "status" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Status, ParseEnum<OrderStatus>(t))),
                "payment" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Payment, ParseEnum<PaymentStatus>(t))),
                "shipping" => q.Where(QueryBuilding.Compare("eq", (Order o) => o.Shipping, ParseEnum<ShippingStatus>(t))),
                "created_at" => q.Where(QueryBuilding.Compare(t.Op, (Order o) => o.CreatedAt, FilterLanguage.ParseTimestamp(t))),
                "updated_at" => q.Where(QueryBuilding.Compare(t.Op, (Order o) => o.UpdatedAt, FilterLanguage.ParseTimestamp(t))),
                _ => throw new FilterException($"Filtering orders on '{t.Field}' is not supported."),
            };
        }
        return q;
    }

    private static T ParseEnum<T>(FilterTerm t) where T : struct, Enum =>
        Enum.TryParse<T>(t.Value, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FilterException($"'{t.Value}' is not a {t.Field}. Use one of: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");

    internal static readonly Expression<Func<Order, OrderDto>> ToDto = o => new OrderDto(o.Id, o.CustomerId, o.CustomerName, o.CustomerEmail,
        o.Status, o.Payment, o.Shipping, o.Currency, o.Total, o.Tax, o.ItemCount,
        o.BillingAddress, o.ShippingAddress,
        o.CreatedAt, o.UpdatedAt, o.Version);

    internal static readonly Func<Order, OrderDto> ToDtoCompiled = ToDto.Compile();
}
