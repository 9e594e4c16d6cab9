using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Seeding;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Data;

/// <summary>
/// The seed drops the non-unique indexes of the tables it fills and builds them once afterwards; a seed stopped
/// half-way leaves a store that gets them back at its next start, while unique emails stay enforced throughout.
/// </summary>
public sealed class BulkLoadTests : IAsyncLifetime
{
    private TestServices services = default!;

    public async Task InitializeAsync() => services = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await services.DisposeAsync();

    /// <summary>Every index of the tables a load fills, by name with its definition (primary keys included on PostgreSQL).</summary>
    private static async Task<List<string>> IndexesAsync(AppDbContext db) => db.Database.IsNpgsql()
        ? await db.Database.SqlQueryRaw<string>("""
            SELECT indexname || ': ' || indexdef AS "Value" FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename IN ('Customers', 'Addresses', 'Orders', 'OrderItems', 'OrderEvents')
            ORDER BY indexname
            """).ToListAsync()
        : await db.Database.SqlQueryRaw<string>("""
            SELECT name || ': ' || sql AS "Value" FROM sqlite_master
            WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('Customers', 'Addresses', 'Orders', 'OrderItems', 'OrderEvents')
            ORDER BY name
            """).ToListAsync();

    private static Task<List<string>> PausedTableAsync(AppDbContext db) => db.Database.SqlQueryRaw<string>(db.Database.IsNpgsql()
        ? "SELECT table_name::text AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'BulkLoad_paused_indexes'"
        : "SELECT name AS \"Value\" FROM sqlite_master WHERE name = 'BulkLoad_paused_indexes'").ToListAsync();

    [Fact]
    public async Task A_load_stopped_half_way_gets_its_indexes_back_at_the_next_start_and_unique_emails_hold_meanwhile()
    {
        var dialect = services.Get<SqlDialect>();
        var customers = services.Get<CustomerService>();
        await using var db = await services.DbAsync();
        var before = await IndexesAsync(db);
        Assert.Contains(before, i => i.StartsWith("IX_Customers_NormalizedName_Id:", StringComparison.Ordinal));
        Assert.Contains(before, i => i.StartsWith("IX_Orders_Status_CreatedAt_Id:", StringComparison.Ordinal));

        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await dialect.PauseBulkLoadIndexesAsync(connection, default);
        var paused = await IndexesAsync(db);
        // Only the unique ones (primary keys included) stay during the load; the trigram and jsonb indexes go too.
        Assert.Equal(before.Where(i => i.Contains("CREATE UNIQUE", StringComparison.Ordinal)), paused);
        Assert.True(paused.Count < before.Count - 10, $"{before.Count} indexes, {paused.Count} kept");
        Assert.Contains(paused, i => i.StartsWith("IX_Customers_NormalizedEmail_Unique:", StringComparison.Ordinal));

        // The seed's load, then a stop before it rebuilt anything.
        await new StoreGenerator(dialect, seed: 3).InsertAsync(connection, new StoreShape(300, 1, 1), 1, null);
        // The same generator again makes the same first email: the unique index refuses it in the middle of a load too.
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            new StoreGenerator(dialect, seed: 3).InsertAsync(connection, new StoreShape(1, 0, 0), 1, null));
        await db.Database.CloseConnectionAsync();
        var taken = (await customers.ListAsync(As.Admin, new CustomerQuery(null, "created_at", 0, 1))).Items.Single();
        var duplicate = await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Second Comer", Email = taken.Email.ToUpperInvariant() });
        Assert.Equal(OutcomeKind.Duplicate, duplicate.Kind);

        // The next start (migrations included) builds every index again, exactly as it was.
        await using (var restart = await services.DbAsync())
        {
            await DatabaseSetup.MigrateAsync(restart, dialect);
            Assert.Equal(before, await IndexesAsync(restart));
            Assert.Empty(await PausedTableAsync(restart));
        }
        var byName = await customers.ListAsync(As.Admin, new CustomerQuery(null, "name", 0, 500));
        Assert.Equal(300, byName.Total);
        Assert.Equal(byName.Items.Select(c => c.Name).Order(StringComparer.Ordinal).First(), byName.Items[0].Name);
    }

    [Fact]
    public void An_index_is_built_again_only_where_it_is_missing()
    {
        Assert.Equal("CREATE INDEX IF NOT EXISTS \"IX_A\" ON \"A\" (\"B\")", BulkLoadIndexes.IfNotExists("CREATE INDEX \"IX_A\" ON \"A\" (\"B\")"));
        Assert.Equal("CREATE INDEX IF NOT EXISTS \"IX_A\" ON \"A\" (\"B\")", BulkLoadIndexes.IfNotExists("CREATE INDEX IF NOT EXISTS \"IX_A\" ON \"A\" (\"B\")"));
    }
}
