using CommerceManager.Data;
using CommerceManager.Orders;
using CommerceManager.Seeding;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Orders;

/// <summary>
/// A status filter with thousands of matches pages in date order like any other list, also where the newest orders
/// are mostly of other statuses (a store's newest orders are rarely complete yet).
/// </summary>
public sealed class OrderStatusPageTests : IAsyncLifetime
{
    private TestServices services = default!;

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        await using var db = await services.DbAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        // About 3,600 orders, more than 2,000 of them complete: past the few-matches path.
        await new StoreGenerator(services.Get<SqlDialect>(), seed: 11).InsertAsync(connection, new StoreShape(1_200, 0, 3), 1, null);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    [Theory]
    [InlineData("-created_at")]
    [InlineData("created_at")]
    public async Task Complete_orders_page_newest_or_oldest_first_with_the_exact_total(string sort)
    {
        List<Guid> expected;
        await using (var db = await services.DbAsync())
        {
            var complete = db.Orders.AsNoTracking().Where(o => o.Status == OrderStatus.Complete);
            expected = sort == "created_at"
                ? await complete.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id).Select(o => o.Id).ToListAsync()
                : await complete.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Select(o => o.Id).ToListAsync();
        }
        Assert.True(expected.Count > 2_000, $"{expected.Count} complete orders");

        var orders = services.Get<OrderService>();
        foreach (var offset in new[] { 0, 25, 1_000, expected.Count - 10 })
        {
            var page = await orders.ListAsync(As.Admin, new OrderQuery("eq(status,complete)", sort, offset, 25));
            Assert.Equal(expected.Count, page.Total);
            Assert.Equal(expected.Skip(offset).Take(25), page.Items.Select(o => o.Id));
        }
    }
}
