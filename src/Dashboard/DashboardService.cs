using System.Diagnostics;
using System.Security.Claims;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Dashboard;

public sealed record DayCount(DateOnly Day, int Count);

/// <summary>An amount of money (minor units) on a day.</summary>
public sealed record DayAmount(DateOnly Day, long Minor);

/// <summary>What the home page shows; every figure comes from a row counter or an index range, never a scan.</summary>
public sealed record DashboardFigures(
    int Customers,
    int Orders,
    IReadOnlyList<DayCount> NewCustomersByDay,
    IReadOnlyList<DayCount> NewCustomersByWeek,
    IReadOnlyList<DayCount> GuestCheckoutsByDay,
    IReadOnlyList<DayCount> OrdersByDay,
    IReadOnlyDictionary<OrderStatus, IReadOnlyList<DayCount>> OrdersByStatusByDay,
    IReadOnlyList<HistoryEntry> Recent,
    TimeSpan Took)
{
    /// <summary>New customers per day over the last <see cref="DashboardService.LongDays"/> days (the per-day chart).</summary>
    public IReadOnlyList<DayCount> NewCustomersLongByDay { get; init; } = [];

    /// <summary>Per day, the totals (minor units) of the orders placed that day that are not cancelled.</summary>
    public IReadOnlyList<DayAmount> RevenueByDay { get; init; } = [];

    /// <summary>Sign-ups (customers created) against checkouts without a customer, per day.</summary>
    public IEnumerable<(DateOnly Day, int SignUps, int Guests)> SignUpsVersusGuests =>
        NewCustomersByDay.Zip(GuestCheckoutsByDay, (s, g) => (s.Day, s.Count, g.Count));
}

/// <summary>
/// The home page's figures: totals from the row counters the triggers keep; per-day counts of the last weeks from
/// index ranges (customers by created date; orders by status and date, and guest orders by date, each a covering
/// index), so the cost follows the days shown, not the size of the store.
/// </summary>
public sealed class DashboardService(IDbContextFactory<AppDbContext> dbFactory, HistoryService history, TimeProvider clock)
{
    public const int Days = 14;
    /// <summary>Days of the new-customers chart (from the eight weeks' counts: no query of its own).</summary>
    public const int LongDays = 30;
    public const int Weeks = 8;

    /// <summary>How many of the latest changes the home page reads to make its recent-activity lines.</summary>
    public const int RecentRead = 60;

    public async Task<DashboardFigures> LoadAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var timer = Stopwatch.StartNew();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var firstDay = today.AddDays(-(Days - 1));
        var firstWeekDay = today.AddDays(-(Weeks * 7 - 1));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var customers = await RowCounts.ReadAsync(db, Customers.Customer.Table, ct);
        var orders = await RowCounts.ReadAsync(db, Orders.Order.Table, ct);

        var daily = await PerDayAsync(db.Customers.Select(c => c.CreatedAt), firstWeekDay, Weeks * 7, ct);
        var guests = await PerDayAsync(db.Orders.Where(o => o.CustomerId == null).Select(o => o.CreatedAt), firstDay, Days, ct);
        var byStatus = new Dictionary<OrderStatus, IReadOnlyList<DayCount>>();
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            byStatus[status] = await PerDayAsync(db.Orders.Where(o => o.Status == status).Select(o => o.CreatedAt), firstDay, Days, ct);
        }
        var ordersByDay = Enumerable.Range(0, Days).Select(i => new DayCount(firstDay.AddDays(i), byStatus.Values.Sum(s => s[i].Count))).ToList();
        var weekly = daily.Chunk(7).Select(week => new DayCount(week[0].Day, week.Sum(d => d.Count))).ToList();
        // Revenue: each day a sum over the orders of that day (a range of the creation index, the rows read for their totals).
        var revenue = new List<DayAmount>(Days);
        for (var i = 0; i < Days; i++)
        {
            var start = firstDay.AddDays(i).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var end = start.AddDays(1);
            revenue.Add(new DayAmount(firstDay.AddDays(i), await db.Orders.Where(o => o.CreatedAt >= start && o.CreatedAt < end && o.Status != OrderStatus.Cancelled)
                .SumAsync(o => o.Total, ct)));
        }
        // Enough to fold an import's or a seed's run of like changes into one line and still show eight lines.
        var recent = (await history.TimelineOfStoreAsync(user, RecentRead, ct)).Items;
        return new DashboardFigures(customers, orders, daily.TakeLast(Days).ToList(), weekly, guests, ordersByDay, byStatus, recent, timer.Elapsed)
        {
            NewCustomersLongByDay = daily.TakeLast(LongDays).ToList(),
            RevenueByDay = revenue,
        };
    }

    /// <summary>
    /// One count per UTC day, each an index range (the database counts index entries; no function on every row, no
    /// sort): the cost follows the orders and sign-ups of the days shown.
    /// </summary>
    private static async Task<List<DayCount>> PerDayAsync(IQueryable<DateTime> stamps, DateOnly first, int days, CancellationToken ct)
    {
        var counts = new List<DayCount>(days);
        for (var i = 0; i < days; i++)
        {
            var day = first.AddDays(i);
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var end = start.AddDays(1);
            counts.Add(new DayCount(day, await stamps.CountAsync(s => s >= start && s < end, ct)));
        }
        return counts;
    }
}
