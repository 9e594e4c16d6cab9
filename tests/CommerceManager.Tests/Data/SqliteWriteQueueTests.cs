using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Data;

/// <summary>
/// The in-process write queue on SQLite: writers wait their turn (never fail for it), and the turn is handed on
/// however a write ends, so one odd ending can't stall every later save.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class SqliteWriteQueueTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_save_waits_for_a_transaction_another_request_holds_and_lands_after_it()
    {
        await using var app = await TestServices.CreateAsync();
        var customers = app.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;

        await using (var holder = await app.DbAsync())
        {
            await using var transaction = await holder.Database.BeginTransactionAsync();
            await holder.Customers.Where(c => c.Id == ada.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "Ada Lovelace"));

            var waiting = Enumerable.Range(0, 20)
                .Select(i => customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Waiting {i}", Email = $"waiting{i}@example.com" }))
                .ToList();
            await Task.Delay(300);
            Assert.All(waiting, w => Assert.False(w.IsCompleted, "A save went ahead while another transaction held the file."));

            await transaction.CommitAsync();
            var outcomes = await Task.WhenAll(waiting).WaitAsync(Soon);
            Assert.All(outcomes, o => Assert.True(o.IsOk));
        }

        await using var db = await app.DbAsync();
        Assert.Equal("Ada Lovelace", (await db.Customers.SingleAsync(c => c.Id == ada.Id)).Name);
        Assert.Equal(20, await db.Customers.CountAsync(c => c.Name.StartsWith("Waiting ")));
    }

    [Fact]
    public async Task A_write_that_would_wait_for_its_own_transaction_fails_at_once_saying_so_and_the_file_stays_usable()
    {
        await using var app = await TestServices.CreateAsync();
        var contexts = app.Get<IDbContextFactory<AppDbContext>>();
        var ada = (await app.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;

        await using (var holder = await contexts.CreateDbContextAsync())
        {
            await using var transaction = await holder.Database.BeginTransactionAsync();
            await holder.Customers.Where(c => c.Id == ada.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "Ada Lovelace"));

            // The same operation writes through a second context while its transaction is open: it could never go ahead.
            await using var second = await contexts.CreateDbContextAsync();
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                second.Customers.Where(c => c.Id == ada.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ExternalRef, "crm-1")).WaitAsync(Soon));
            Assert.Contains("its own operation holds", refused.Message);

            await transaction.CommitAsync();
        }

        // Another operation's write meanwhile waits its turn as before, and the file is usable afterwards.
        var outcome = await app.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Grace", Email = "grace@example.com" }).WaitAsync(Soon);
        Assert.True(outcome.IsOk);
        await using var db = await app.DbAsync();
        var stored = await db.Customers.SingleAsync(c => c.Id == ada.Id);
        Assert.Equal(("Ada Lovelace", null), (stored.Name, stored.ExternalRef));
    }

    [Fact]
    public async Task The_turn_passes_on_however_a_write_ends()
    {
        await using var app = await TestServices.CreateAsync();
        var customers = app.Get<CustomerService>();
        var count = 0;
        async Task NextSaveGoesThrough()
        {
            var outcome = await customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Next {++count}", Email = $"next{count}@example.com" }).WaitAsync(Soon);
            Assert.True(outcome.IsOk);
        }
        await NextSaveGoesThrough();

        // A transaction given up without commit or rollback: its connection closes with the context.
        await using (var db = await app.DbAsync())
        {
            await db.Database.BeginTransactionAsync();
            await db.Customers.ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "Never"));
        }
        await NextSaveGoesThrough();

        // A transaction rolled back.
        await using (var db = await app.DbAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Customers.ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "Never"));
            await transaction.RollbackAsync();
        }
        await NextSaveGoesThrough();

        // A lone statement the database refuses (two customers with one email).
        await using (var db = await app.DbAsync())
        {
            await Assert.ThrowsAnyAsync<Exception>(() => db.Customers.ExecuteUpdateAsync(s => s.SetProperty(c => c.NormalizedEmail, "same@example.com")));
        }
        await NextSaveGoesThrough();

        // A save that loses a race (its transaction fails and rolls back).
        await using (var stale = await app.DbAsync())
        {
            var customer = await stale.Customers.FirstAsync();
            await using (var other = await app.DbAsync())
            {
                var fresh = await other.Customers.SingleAsync(c => c.Id == customer.Id);
                fresh.Name = "Changed elsewhere";
                fresh.Version = Guid.NewGuid();
                await other.SaveChangesAsync();
            }
            customer.Name = "Stale edit";
            customer.Version = Guid.NewGuid();
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync());
        }
        await NextSaveGoesThrough();

        await using (var db = await app.DbAsync())
        {
            Assert.Equal(0, await db.Customers.CountAsync(c => c.Name == "Never" || c.Name == "Stale edit"));
            Assert.Equal(count, await db.Customers.CountAsync(c => c.Name.StartsWith("Next ") || c.Name == "Changed elsewhere"));
        }
    }

    [Theory]
    [InlineData("INSERT INTO \"Customers\" (\"Id\") VALUES (1)", true)]
    [InlineData("  UPDATE \"Customers\" SET \"Name\" = 'x'", true)]
    [InlineData("-- a tag\nDELETE FROM \"Customers\"", true)]
    [InlineData("SELECT 1", false)]
    [InlineData("PRAGMA wal_checkpoint(TRUNCATE)", false)]
    [InlineData("VACUUM INTO '/tmp/backup.db'", false)]
    public void Only_write_statements_take_a_turn(string sql, bool write)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(write, SqliteWriteQueue.IsLoneWrite(command));
    }
}
