using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Infrastructure;

public enum OutcomeKind
{
    Ok,
    NotFound,
    /// <summary>A unique value (such as an email) is already taken; <see cref="Outcome{T}.Field"/> says which.</summary>
    Duplicate,
    /// <summary>Someone else saved the record since it was read.</summary>
    Conflict,
    /// <summary>The request is understood but the record's state does not allow it.</summary>
    Refused,
}

/// <summary>
/// The expected results of a write: success, or a reason the caller shows to a person (console) or maps to
/// a status code (API). Unexpected failures stay exceptions.
/// </summary>
public readonly record struct Outcome<T>(OutcomeKind Kind, T? Value, string? Error = null, string? Field = null)
{
    public bool IsOk => Kind == OutcomeKind.Ok;

    public static implicit operator Outcome<T>(T value) => new(OutcomeKind.Ok, value);
}

public static class Outcome
{
    public const string StaleMessage = "This record was changed by someone else since you opened it. Reload to see their changes, then make yours again.";

    public static Outcome<T> NotFound<T>() => new(OutcomeKind.NotFound, default, "Not found.");
    public static Outcome<T> Duplicate<T>(string field, string message) => new(OutcomeKind.Duplicate, default, message, field);
    public static Outcome<T> Conflict<T>() => new(OutcomeKind.Conflict, default, StaleMessage);
    public static Outcome<T> Refused<T>(string message, string? field = null) => new(OutcomeKind.Refused, default, message, field);
}

public static class DbErrors
{
    /// <summary>True when a save failed on a unique index (SQLite or PostgreSQL).</summary>
    public static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } => true,
        DbException { SqlState: "23505" } => true,
        _ => false,
    };
}

/// <summary>
/// A page of results with the total the filter matched. When <see cref="TotalIsCapped"/>, the filter matched at
/// least <see cref="Total"/> (the console counts no further than it can page).
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit, bool TotalIsCapped = false)
{
    /// <summary>Counting stops here when an exact total is not asked for: past the deepest page there is nothing to show.</summary>
    public const int CountCap = 10_101;

    /// <summary>The total as a number to show: "10,100+" when capped.</summary>
    public string TotalNumber => TotalIsCapped ? $"{Total - 1:N0}+" : $"{Total:N0}";

    /// <summary>"26–50 of 1,234": the rows on this page.</summary>
    public string RangeText => $"{Offset + 1:N0}–{Offset + Items.Count:N0} of {TotalNumber}";

    public string TotalText(string one, string many) => !TotalIsCapped && Total == 1 ? $"1 {one}" : $"{TotalNumber} {many}";
}
