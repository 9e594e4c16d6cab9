namespace CommerceManager.History;

/// <summary>
/// How changes to one entity type are recorded: its EP resource type, whose timeline it belongs to, and which
/// properties are facts worth recording (under the field names the API uses). A feature registers one per entity it
/// wants on the timeline; History knows no feature.
/// </summary>
public sealed class HistoryRule
{
    private HistoryRule(Type entityType, string resourceType, string kind, Func<object, Guid> idOf, Func<object, Guid?> customerOf,
        Func<object, string?> subjectOf)
    {
        EntityType = entityType;
        ResourceType = resourceType;
        Kind = kind;
        IdOf = idOf;
        CustomerOf = customerOf;
        SubjectOf = subjectOf;
    }

    public Type EntityType { get; }
    public string ResourceType { get; }
    public string Kind { get; }
    internal Func<object, Guid> IdOf { get; }
    internal Func<object, Guid?> CustomerOf { get; }
    internal Func<object, string?> SubjectOf { get; }
    /// <summary>Property path (<c>Name</c>, or <c>Postal.Line1</c> inside an owned type) and the field name it is recorded under.</summary>
    internal List<(string Path, string Field)> Fields { get; } = [];
    /// <summary>A JSON column of custom values keyed by field id; each key that changes is a field <c>custom:&lt;id&gt;</c>.</summary>
    internal string? CustomValues { get; private set; }
    /// <summary>A password hash: recorded as a separate sign-in change (set, replaced, removed), never its value.</summary>
    internal string? Password { get; private set; }
    /// <summary>The field the secret is recorded as (set / replaced / not set, never its value).</summary>
    internal string PasswordField { get; private set; } = "password";
    /// <summary>The kind of change a new secret is: sign-in for a password, the rule's own kind for a setting's secret.</summary>
    internal string PasswordKind { get; private set; } = ChangeKinds.SignIn;
    /// <summary>Which rows of the type are recorded (all when null): e.g. only the settings a feature names.</summary>
    internal Func<object, bool>? Applies { get; private set; }

    public static HistoryRule For<T>(string resourceType, string kind, Func<T, Guid> id, Func<T, Guid?> customer, Func<T, string?> subject)
        where T : class =>
        new(typeof(T), resourceType, kind, o => id((T)o), o => customer((T)o), o => subject((T)o));

    public HistoryRule Field(string path, string field)
    {
        Fields.Add((path, field));
        return this;
    }

    public HistoryRule WithCustomValues(string property)
    {
        CustomValues = property;
        return this;
    }

    /// <summary>Records only the rows <paramref name="applies"/> accepts.</summary>
    public HistoryRule When<T>(Func<T, bool> applies) where T : class
    {
        Applies = o => applies((T)o);
        return this;
    }

    public HistoryRule WithPassword(string property)
    {
        Password = property;
        return this;
    }

    /// <summary>A setting's secret (a webhook's key): recorded as <paramref name="field"/> set / replaced / not set, under the rule's own kind.</summary>
    public HistoryRule WithSecret(string property, string field)
    {
        (Password, PasswordField, PasswordKind) = (property, field, Kind);
        return this;
    }
}
