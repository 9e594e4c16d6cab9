using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

/// <summary>
/// Exact totals of recent list queries, each kept with the version its table had when it was counted, on a provider whose
/// tables carry one (PostgreSQL: <see cref="RowCount.Version"/>, raised by triggers in the transaction of every insert,
/// update and delete). A list asked for again (the next page of a search, a storefront's "does anyone match?", the same
/// search from many shoppers) reads one primary-key row instead of counting every match again, and any change to the
/// table retires every count of it at once, on every instance.
/// <para>
/// Why the version is read before the count, in its own statement: a change that commits in between is either in the
/// count (which is then stored under the old version, which nobody reads again) or not yet committed when the count
/// ran, and then its version is not yet visible either. A count is never stored under a version newer than it.
/// </para>
/// </summary>
public sealed class VersionedCounts
{
    private const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<(string Database, string Table, string Query), (long Version, int Total, bool Capped)> counts = new();

    /// <summary>A count looked up: <see cref="Known"/> when a count at the table's current version was kept.</summary>
    public readonly record struct Ticket((string Database, string Table, string Query) Key, long Version, bool Known, int Total, bool Capped);

    /// <summary>
    /// The table's version and, when one was kept at that version, the count of <paramref name="query"/> (a key that
    /// names everything the count depends on); null inside a transaction (whose own uncommitted changes the version does
    /// not show yet). Registered on PostgreSQL only: its tables carry the versions.
    /// </summary>
    public async Task<Ticket?> LookUpAsync(AppDbContext db, string table, string query, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return null;
        }
        var version = await RowCounts.VersionAsync(db, table, ct);
        var key = (db.Database.GetConnectionString() ?? "", table, query);
        return counts.TryGetValue(key, out var known) && known.Version == version
            ? new Ticket(key, version, true, known.Total, known.Capped)
            : new Ticket(key, version, false, 0, false);
    }

    /// <summary>Keeps a count taken after <paramref name="ticket"/> was looked up, under the ticket's version.</summary>
    public void Remember(Ticket? ticket, int total, bool capped)
    {
        if (ticket is not { Known: false } open)
        {
            return;
        }
        if (counts.Count >= MaxEntries)
        {
            counts.Clear();
        }
        counts[open.Key] = (open.Version, total, capped);
    }
}
