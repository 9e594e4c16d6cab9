using Bunit;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Orders;
using CommerceManager.Search;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Orders;

/// <summary>Orders found by what a caller reads out: the short number, the full id, or the store's order number.</summary>
public sealed class OrderLookupTests : ConsoleTestContext
{
    private async Task<(CustomerDto Ada, OrderDto Order)> OrderAsync(string? orderNumber = null)
    {
        var ada = (await App.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = $"ada{Guid.NewGuid():N}@example.com", ExternalRef = "CRM-7" })).Value!;
        await App.Get<CartService>().AddItemAsync(As.Admin, "c1", new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 1000 });
        var order = (await App.Get<CheckoutService>().CheckoutAsync(As.Admin, "c1", new CheckoutInput
        {
            CustomerId = ada.Id, OrderNumber = orderNumber, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order;
        return (ada, order);
    }

    [Fact]
    public async Task The_short_number_in_any_form_the_full_id_and_the_store_number_find_the_order()
    {
        var (_, order) = await OrderAsync("WEB-1001");
        await OrderAsync();
        var orders = App.Get<OrderService>();
        var shortId = OrderFormat.ShortId(order.Id);

        foreach (var text in new[] { shortId, shortId[1..], shortId.ToLowerInvariant(), $"  {shortId} ", order.Id.ToString(), "WEB-1001" })
        {
            var found = await orders.FindByNumberAsync(As.Viewer, text);
            Assert.Equal(order.Id, Assert.Single(found).Id);
        }
        Assert.Empty(await orders.FindByNumberAsync(As.Viewer, "#00000000"));
        Assert.Empty(await orders.FindByNumberAsync(As.Viewer, "#"));
        await Assert.ThrowsAsync<AccessDeniedException>(() => orders.FindByNumberAsync(As.Anonymous, shortId));
    }

    [Fact]
    public async Task The_short_number_is_a_seek_in_its_index()
    {
        var (_, order) = await OrderAsync();
        await using var db = await App.Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var shortId = ShortIdSql.Of(order.Id);
        var sql = db.Orders.Where(o => ShortIdSql.ShortId(o.Id) == shortId).ToQueryString();
        Assert.Equal(order.Id, (await db.Orders.Where(o => ShortIdSql.ShortId(o.Id) == shortId).SingleAsync()).Id);
        if (db.Database.IsSqlite())
        {
            Assert.Contains(await PlanAsync(db, sql), l => l.Contains("IX_Orders_ShortId", StringComparison.Ordinal));
        }
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task A_number_lookup_seeks_even_when_no_order_has_a_store_number()
    {
        // Statistics of a store whose orders carry no order number made every lookup by it look like a match for all
        // orders, and SQLite scanned 3M orders (12 s) instead of seeking.
        await OrderAsync();
        await OrderAsync();
        await using var db = await App.Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync("ANALYZE;");
        // The statistics ANALYZE wrote on the 1M-customer store (3,098,799 orders, none with a store number): the
        // partial indexes over order number and reference hold no rows, so they get no line at all.
        await db.Database.ExecuteSqlRawAsync("""
            DELETE FROM sqlite_stat1 WHERE tbl = 'Orders';
            INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
                ('Orders', 'IX_Orders_ShortId', '3098799 1'), ('Orders', 'IX_Orders_CreatedAt_Id', '3098799 1 1'),
                ('Orders', 'sqlite_autoindex_Orders_1', '3098799 1');
            ANALYZE sqlite_schema;
            """);
        Assert.Equal(2, await db.Database.SqlQueryRaw<int>(
            "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE name IN ('IX_Orders_OrderNumber', 'IX_Orders_ExternalRef') AND sql LIKE '%IS NOT NULL%'").SingleAsync());
        const string text = "CDB4714C";
        var sql = db.Orders.Where(o => ShortIdSql.ShortId(o.Id) == text || o.OrderNumber == text).Take(200).ToQueryString();

        var plan = await PlanAsync(db, sql);

        Assert.DoesNotContain(plan, l => l.StartsWith("SCAN", StringComparison.Ordinal));
        Assert.Contains(plan, l => l.Contains("IX_Orders_OrderNumber", StringComparison.Ordinal));
    }

    /// <summary>EF's own SQL, parameters inlined, through EXPLAIN QUERY PLAN.</summary>
    private static async Task<List<string>> PlanAsync(AppDbContext db, string sql)
    {
        var parameters = System.Text.RegularExpressions.Regex.Matches(sql, @"^\.param set (\S+) (.+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        var select = string.Join("\n", sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal))).Trim();
        foreach (System.Text.RegularExpressions.Match p in parameters)
        {
            select = select.Replace(p.Groups[1].Value, p.Groups[2].Value.Trim(), StringComparison.Ordinal);
        }
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + select;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }
        return plan;
    }

    [Fact]
    public async Task The_app_bar_search_finds_customers_by_reference_and_orders_by_number()
    {
        var (ada, order) = await OrderAsync();
        SignInAs(Roles.Viewer);
        var popovers = Popovers;
        var cut = Render<GlobalSearch>();

        cut.Find("#global-search").Input(OrderFormat.ShortId(order.Id));
        popovers.WaitForAssertion(() => Assert.Contains($"Order {OrderFormat.ShortId(order.Id)}", popovers.Markup), TimeSpan.FromSeconds(5));

        cut.Find("#global-search").Input("CRM-7");
        popovers.WaitForAssertion(() =>
        {
            Assert.Contains("Ada Lovelace", popovers.Markup);
            Assert.Contains(ada.Email, popovers.Markup);
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_app_bar_search_finds_accounts_by_name_and_members_by_name_or_email()
    {
        Assert.True((await App.Get<CommerceManager.Accounts.AccountService>().CreateAsync(As.Admin,
            new CommerceManager.Accounts.AccountInput { Name = "Acme Widgets", LegalName = "Acme Widgets Ltd" })).IsOk);
        Assert.True((await App.Get<CommerceManager.Accounts.AccountMemberService>().CreateAsync(As.Admin,
            new CommerceManager.Accounts.AccountMemberInput { Name = "Wile Coyote", Email = "wile@acme.example" })).IsOk);
        SignInAs(Roles.Viewer);
        var popovers = Popovers;
        var cut = Render<GlobalSearch>();

        cut.Find("#global-search").Input("widgets");
        popovers.WaitForAssertion(() => Assert.Contains("Acme Widgets", popovers.Markup), TimeSpan.FromSeconds(5));
        Assert.Contains("Account · Acme Widgets Ltd", popovers.Markup);

        cut.Find("#global-search").Input("coyote");
        popovers.WaitForAssertion(() => Assert.Contains("Wile Coyote", popovers.Markup), TimeSpan.FromSeconds(5));
        cut.Find("#global-search").Input("wile@acme");
        popovers.WaitForAssertion(() => Assert.Contains("Account member · wile@acme.example", popovers.Markup), TimeSpan.FromSeconds(5));
    }
}
