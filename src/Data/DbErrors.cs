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
    /// Saves, turning the two races a write can lose into outcomes: someone saved the same row since it was read
    /// (<see cref="OutcomeKind.Conflict"/>), or a unique index refused the row (<see cref="OutcomeKind.Duplicate"/> on
    /// <paramref name="uniqueField"/>, with <paramref name="duplicateMessage"/>). Any other failure is an exception.
    /// </summary>
    public static async Task<Outcome<T>> SaveOrConflictAsync<T>(this DbContext db, Func<T> result, CancellationToken ct,
        string? uniqueField = null, string? duplicateMessage = null)
    {
        try
        {
            await db.SaveChangesAsync(ct);
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
