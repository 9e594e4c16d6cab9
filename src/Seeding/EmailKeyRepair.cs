using CommerceManager.Accounts;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Orders;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Seeding;

/// <summary>
/// Brings the stored email keys (customers, orders, account members) to <see cref="EmailRules.Fold"/> once, for a store
/// whose keys were folded the old way (every letter upper-cased): only emails with non-ASCII letters change. Runs at start
/// before requests are served, in keyset batches reading two columns; a store without such emails only reads. Idempotent, so
/// instances starting together may both run it.
/// </summary>
internal static class EmailKeyRepair
{
    private const string DoneKey = "initialized:email-keys-ascii-fold";
    private const int Batch = 10_000;

    public static async Task RunAsync(AppDbContext db, bool isNewDatabase, ILogger log, CancellationToken ct, TimeProvider? clock = null)
    {
        if (await db.AppSettings.AnyAsync(s => s.Key == DoneKey, ct))
        {
            return;
        }
        if (!isNewDatabase)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var customers = await RepairAsync(
                after => db.Customers.AsNoTracking().Where(c => after == null || c.Id > after.Value).OrderBy(c => c.Id).Take(Batch)
                    .Select(c => new Row(c.Id, c.Email, c.NormalizedEmail)).ToListAsync(ct),
                (rowId, key) => db.Customers.Where(c => c.Id == rowId).ExecuteUpdateAsync(s => s.SetProperty(c => c.NormalizedEmail, key), ct), log);
            var orders = await RepairAsync(
                after => db.Set<Order>().AsNoTracking().Where(o => after == null || o.Id > after.Value).OrderBy(o => o.Id).Take(Batch)
                    .Select(o => new Row(o.Id, o.CustomerEmail, o.NormalizedCustomerEmail)).ToListAsync(ct),
                (rowId, key) => db.Set<Order>().Where(o => o.Id == rowId).ExecuteUpdateAsync(s => s.SetProperty(o => o.NormalizedCustomerEmail, key), ct), log);
            var members = await RepairAsync(
                after => db.Set<AccountMember>().AsNoTracking().Where(m => after == null || m.Id > after.Value).OrderBy(m => m.Id).Take(Batch)
                    .Select(m => new Row(m.Id, m.Email, m.NormalizedEmail)).ToListAsync(ct),
                (rowId, key) => db.Set<AccountMember>().Where(m => m.Id == rowId).ExecuteUpdateAsync(s => s.SetProperty(m => m.NormalizedEmail, key), ct), log);
            if (customers + orders + members > 0 || started.Elapsed > TimeSpan.FromSeconds(2))
            {
                log.LogInformation("Email keys: {Customers} customers, {Orders} orders and {Members} account members re-keyed (non-ASCII letters are no longer folded) in {Seconds:0.0} s.",
                    customers, orders, members, started.Elapsed.TotalSeconds);
            }
        }
        db.AppSettings.Add(new AppSetting { Key = DoneKey, Value = (clock ?? TimeProvider.System).UtcNow().ToString("O") });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
        }
    }

    private sealed record Row(Guid Id, string Email, string Key);

    private static async Task<int> RepairAsync(Func<Guid?, Task<List<Row>>> next, Func<Guid, string, Task<int>> update, ILogger log)
    {
        var changed = 0;
        Guid? after = null;
        while (await next(after) is { Count: > 0 } batch)
        {
            foreach (var row in batch)
            {
                var folded = EmailRules.Fold(row.Email);
                if (folded == row.Key)
                {
                    continue;
                }
                try
                {
                    changed += await update(row.Id, folded);
                }
                catch (Exception ex) when (DbErrors.IsUniqueViolation(ex))
                {
                    // Two addresses that were distinct are now one key (a domain written in Unicode and in punycode): leave it.
                    log.LogWarning("Email keys: {RowId} keeps its old key: another row has the same email written differently.", row.Id);
                }
            }
            after = batch[^1].Id;
        }
        return changed;
    }
}
