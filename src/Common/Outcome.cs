namespace CommerceManager.Common;

public enum OutcomeKind
{
    Ok,
    NotFound,
    /// <summary>A unique value (such as an email) is already taken; <see cref="Outcome{T}.Field"/> says which.</summary>
    Duplicate,
    /// <summary>Someone else saved the record since it was read.</summary>
    Conflict,
    /// <summary>The request is understood but the record's state (or the store's set-up) does not allow it.</summary>
    Refused,
    /// <summary>The caller's credentials (a password, a provider's code) were not accepted.</summary>
    Denied,
    /// <summary>Something the operation depends on (an identity provider) could not be reached.</summary>
    Unavailable,
}

/// <summary>
/// The expected results of an operation: success, or a reason the caller shows to a person (console) or maps to
/// an error (API). Unexpected failures stay exceptions.
/// </summary>
public readonly record struct Outcome<T>(OutcomeKind Kind, T? Value, string? Error = null, string? Field = null)
{
    public bool IsOk => Kind == OutcomeKind.Ok;

    public static implicit operator Outcome<T>(T value) => new(OutcomeKind.Ok, value);

    /// <summary>The same failure for another result type.</summary>
    public Outcome<TOther> As<TOther>() => IsOk
        ? throw new InvalidOperationException("A successful outcome has a value of its own type.")
        : new(Kind, default, Error, Field);
}

public static class Outcome
{
    public const string StaleMessage = "This record was changed by someone else since you opened it. Reload to see their changes, then make yours again.";

    /// <summary>Success, for values the implicit conversion can't take (interfaces).</summary>
    public static Outcome<T> Ok<T>(T value) => new(OutcomeKind.Ok, value);
    public static Outcome<T> NotFound<T>() => new(OutcomeKind.NotFound, default, "Not found.");
    public static Outcome<T> Duplicate<T>(string field, string message) => new(OutcomeKind.Duplicate, default, message, field);
    public static Outcome<T> Conflict<T>() => new(OutcomeKind.Conflict, default, StaleMessage);
    public static Outcome<T> Refused<T>(string message, string? field = null) => new(OutcomeKind.Refused, default, message, field);
    public static Outcome<T> Denied<T>(string message) => new(OutcomeKind.Denied, default, message);
    public static Outcome<T> Unavailable<T>(string message) => new(OutcomeKind.Unavailable, default, message);
}
