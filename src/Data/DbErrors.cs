using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using CommerceManager.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

public static class DbErrors
{
    /// <summary>True when a save failed on a unique index (SQLite or PostgreSQL).</summary>
    public static bool IsUniqueViolation(DbUpdateException ex) => IsUniqueViolation(ex.InnerException);

    /// <summary>The same for a command run outside EF's save (a bulk insert).</summary>
    public static bool IsUniqueViolation(Exception? ex) => ex switch
    {
        SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } => true,
        DbException { SqlState: "23505" } => true,
        DbUpdateException update => IsUniqueViolation(update.InnerException),
        _ => false,
    };

    /// <summary>What staff and API clients are told when the database can't be written.</summary>
    public const string StorageUnavailableMessage =
        "The store can't save changes right now: its database can't be written (the disk is full or the database is read-only). " +
        "Nothing was changed; try again in a moment.";

    /// <summary>How long API clients are asked to wait before trying a write again.</summary>
    public const int StorageRetryAfterSeconds = 30;

    /// <summary>
    /// True when a write failed because the database can't be written at all, as opposed to this row being refused: a full
    /// disk, a read-only file or folder, an I/O error (SQLite), or a full disk, a read-only server or a server that is not
    /// reachable (PostgreSQL). Such failures pass once the cause is gone, so they are retryable (503), not the caller's fault.
    /// </summary>
    public static bool IsStorageUnavailable(Exception? ex) => ex switch
    {
        null => false,
        // SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN.
        SqliteException { SqliteErrorCode: 13 or 8 or 10 or 14 } => true,
        // disk_full, insufficient_resources, read_only_sql_transaction, cannot_connect_now, admin_shutdown.
        DbException { SqlState: "53100" or "53000" or "25006" or "57P03" or "57P01" } => true,
        // The server refused the connection: nothing was sent. (A connection lost mid-command is not here: the write
        // may have committed, so "nothing was changed" would not be true.)
        Npgsql.NpgsqlException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } } => true,
        _ => IsStorageUnavailable(ex.InnerException),
    };

    /// <summary>True when a save failed on a foreign key: the row it points at was deleted meanwhile.</summary>
    public static bool IsForeignKeyViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException { SqliteExtendedErrorCode: 787 } => true,
        DbException { SqlState: "23503" } => true,
        _ => false,
    };
}

public static class Saving
{
    /// <summary>
    /// Deletes the row <paramref name="find"/> reads, through the change tracker (so save interceptors see what it was,
    /// and the deletion is recorded in the same save); a row saved by someone meanwhile is read again and the delete
    /// tried once more. False when there is no such row (any more).
    /// </summary>
    public static async Task<bool> RemoveAsync<T>(IDbContextFactory<AppDbContext> factory, Func<AppDbContext, Task<T?>> find, CancellationToken ct)
        where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            if (await find(db) is not { } row)
            {
                return false;
            }
            db.Remove(row);
            try
            {
                await db.SaveChangesAsync(ct);
                return true;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>
    /// Saves, turning the two races a write can lose into outcomes: someone saved the same row since it was read
    /// (<see cref="OutcomeKind.Conflict"/>), or a unique index refused the row (<see cref="OutcomeKind.Duplicate"/> on
    /// <paramref name="uniqueField"/>, with <paramref name="duplicateMessage"/>). Any other failure is an exception.
    /// </summary>
    public static Task<Outcome<T>> SaveOrConflictAsync<T>(this DbContext db, Func<T> result, CancellationToken ct,
        string? uniqueField = null, string? duplicateMessage = null) =>
        SaveOrConflictAsync(() => db.SaveChangesAsync(ct), result, uniqueField, duplicateMessage);

    /// <summary>The same for a save made elsewhere (<see cref="SqliteGroupCommit"/>).</summary>
    public static async Task<Outcome<T>> SaveOrConflictAsync<T>(Func<Task> save, Func<T> result, string? uniqueField = null, string? duplicateMessage = null)
    {
        try
        {
            await save();
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome.Conflict<T>();
        }
        catch (DbUpdateException ex) when (uniqueField is not null && DbErrors.IsUniqueViolation(ex))
        {
            return Outcome.Duplicate<T>(uniqueField, duplicateMessage ?? "This value is already taken.");
        }
        return result();
    }

    /// <summary>
    /// The optimistic-concurrency check every edit starts with: the row must exist and, when the caller says which
    /// version it edited, still be that version. True (with the outcome to return) when the edit must stop.
    /// </summary>
    public static bool IsStale<TRow, T>([NotNullWhen(false)] TRow? row, Guid? expected, out Outcome<T> outcome) where TRow : class, IVersioned
    {
        outcome = row is null ? Outcome.NotFound<T>()
            : expected is { } version && version != row.Version ? Outcome.Conflict<T>()
            : default;
        return row is null || outcome.Kind != OutcomeKind.Ok;
    }
}

/// <summary>A row with an optimistic concurrency token, replaced on every save.</summary>
public interface IVersioned
{
    Guid Version { get; }
}

/// <summary>
/// Whether the app's own saves currently fail for lack of storage (a full disk, a read-only file): the latest such
/// failure is newer than the latest save that went through. Health reports it; the next successful save clears it.
/// </summary>
public sealed class StorageHealth(TimeProvider clock, AppMetrics metrics)
{
    private long lastFailureTicks;
    private long lastSuccessTicks;

    /// <summary>Since when saves have been failing, or null when the latest save went through.</summary>
    public DateTime? FailingSince
    {
        get
        {
            var failure = Interlocked.Read(ref lastFailureTicks);
            return failure > Interlocked.Read(ref lastSuccessTicks) ? new DateTime(failure, DateTimeKind.Utc) : null;
        }
    }

    internal void Failed()
    {
        Interlocked.Exchange(ref lastFailureTicks, clock.GetUtcNow().UtcTicks);
        metrics.StorageWriteFailed();
    }

    internal void Succeeded() => Interlocked.Exchange(ref lastSuccessTicks, clock.GetUtcNow().UtcTicks);
}

/// <summary>Tells <see cref="StorageHealth"/> how every EF save ended.</summary>
internal sealed class StorageHealthInterceptor(StorageHealth health) : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
{
    public override int SavedChanges(Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesCompletedEventData eventData, int result)
    {
        health.Succeeded();
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        health.Succeeded();
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(Microsoft.EntityFrameworkCore.Diagnostics.DbContextErrorEventData eventData)
    {
        if (DbErrors.IsStorageUnavailable(eventData.Exception))
        {
            health.Failed();
        }
    }

    public override Task SaveChangesFailedAsync(Microsoft.EntityFrameworkCore.Diagnostics.DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }
}
