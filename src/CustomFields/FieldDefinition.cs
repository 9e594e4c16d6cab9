using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommerceManager.Common;

namespace CommerceManager.CustomFields;

/// <summary>A field as the forms, the services and the API read it (cached).</summary>
public sealed record FieldDefinition(
    Guid Id,
    Guid FlowId,
    string FlowSlug,
    string Name,
    string Slug,
    string Description,
    FieldType Type,
    bool Required,
    bool Enabled,
    bool OmitNull,
    int Order,
    JsonNode? Default,
    FieldRules Rules,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool CustomerEditable = false)
{
    /// <summary>EP's name of a type (the API's <c>field_type</c> value).</summary>
    public static string TypeName(FieldType type) => type.ToString().ToLowerInvariant();

    /// <summary>A type in words, for staff: Text, Whole number, Decimal, Yes/no, Date.</summary>
    public static string TypeWords(FieldType type) => type switch
    {
        FieldType.String => "Text",
        FieldType.Integer => "Whole number",
        FieldType.Float => "Decimal",
        FieldType.Boolean => "Yes/no",
        FieldType.Date => "Date",
        _ => type.ToString(),
    };

    public static FieldDefinition From(Field f, string flowSlug) => new(f.Id, f.FlowId, flowSlug, f.Name, f.Slug, f.Description, f.Type,
        f.Required, f.Enabled, f.OmitNull, f.Order, f.DefaultJson is null ? null : JsonNode.Parse(f.DefaultJson), f.Rules, f.CreatedAt, f.UpdatedAt,
        f.CustomerEditable);
}

/// <summary>
/// The one place a custom field value is checked: the console's inputs, the services and the API all call
/// <see cref="Check"/>, so the same value gets the same message everywhere.
/// </summary>
public static partial class FieldValues
{
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Null when the value is acceptable (with <paramref name="normalized"/> the value to store), else why not.</summary>
    public static string? Check(FieldDefinition f, JsonNode? value, out JsonNode? normalized)
    {
        normalized = null;
        if (value is null || (value is JsonValue blank && blank.TryGetValue<string>(out var text) && text.Length == 0 && f.Type != FieldType.String))
        {
            return f.Required ? $"{f.Name} is required." : null;
        }
        switch (f.Type)
        {
            case FieldType.String:
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var s))
                {
                    return $"{f.Name} must be text.";
                }
                if (s.Length == 0)
                {
                    return f.Required ? $"{f.Name} is required." : null;
                }
                if (f.Rules.MinLength is { } min && s.Length < min)
                {
                    return $"{f.Name} must be at least {min} characters.";
                }
                if (f.Rules.MaxLength is { } max && s.Length > max)
                {
                    return $"{f.Name} must be at most {max} characters.";
                }
                if (f.Rules.Email && !EmailRules.IsValid(s))
                {
                    return $"{f.Name} must be a valid email address.";
                }
                if (f.Rules.Slug && !SlugPattern().IsMatch(s))
                {
                    return $"{f.Name} must be a slug: letters, digits, - and _ only.";
                }
                if (f.Rules.Pattern is { } pattern)
                {
                    try
                    {
                        // Linear-time matching: no pattern can make a value take long to check (ReDoS).
                        if (!Regex.IsMatch(s, pattern, RegexOptions.NonBacktracking, RegexTimeout))
                        {
                            return $"{f.Name} is not in the expected format.";
                        }
                    }
                    catch (Exception ex) when (ex is RegexMatchTimeoutException or NotSupportedException or ArgumentException)
                    {
                        return $"{f.Name} could not be checked against its format in time; use a shorter value.";
                    }
                }
                if (f.Rules.Enum is { Count: > 0 } options && !options.Any(o => o is JsonValue ov && ov.TryGetValue<string>(out var os) && os == s))
                {
                    return $"{f.Name} must be one of: {Options(f)}.";
                }
                normalized = JsonValue.Create(s);
                return null;
            }
            case FieldType.Integer:
            {
                if (!TryNumber(value, out var d) || Math.Abs(d % 1) > 0 || d is > long.MaxValue or < long.MinValue)
                {
                    return $"{f.Name} must be a whole number.";
                }
                var range = Range(f, d);
                if (range is not null)
                {
                    return range;
                }
                if (f.Rules.Enum is { Count: > 0 } options && !options.Any(o => TryNumber(o, out var od) && od == d))
                {
                    return $"{f.Name} must be one of: {Options(f)}.";
                }
                normalized = JsonValue.Create((long)d);
                return null;
            }
            case FieldType.Float:
            {
                if (!TryNumber(value, out var d) || double.IsNaN(d) || double.IsInfinity(d))
                {
                    return $"{f.Name} must be a number.";
                }
                var range = Range(f, d);
                if (range is not null)
                {
                    return range;
                }
                if (f.Rules.Enum is { Count: > 0 } options && !options.Any(o => TryNumber(o, out var od) && Math.Abs(od - d) < 1e-9))
                {
                    return $"{f.Name} must be one of: {Options(f)}.";
                }
                normalized = JsonValue.Create(d);
                return null;
            }
            case FieldType.Boolean:
                if (value is JsonValue b && b.TryGetValue<bool>(out var flag))
                {
                    normalized = JsonValue.Create(flag);
                    return null;
                }
                return $"{f.Name} must be true or false.";
            case FieldType.Date:
                if (value is JsonValue dv && dv.TryGetValue<string>(out var ds) && TryDate(ds, out var date))
                {
                    normalized = JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    return null;
                }
                return $"{f.Name} must be a date, such as 2025-01-31.";
            default:
                return $"{f.Name} has an unknown type.";
        }
    }

    public static bool TryDate(string s, out DateOnly date)
    {
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return true;
        }
        if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
        {
            date = DateOnly.FromDateTime(dt);
            return true;
        }
        return false;
    }

    public static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && (v.TryGetValue(out value) || (v.TryGetValue<long>(out var l) && (value = l) == l) || (v.TryGetValue<int>(out var i) && (value = i) == i));
    }

    private static string? Range(FieldDefinition f, double d)
    {
        if (f.Rules.From is { } from && d < from || f.Rules.To is { } to && d > to)
        {
            return $"{f.Name} must be between {f.Rules.From?.ToString(CultureInfo.InvariantCulture) ?? "−∞"} and {f.Rules.To?.ToString(CultureInfo.InvariantCulture) ?? "∞"}.";
        }
        return null;
    }

    public static string Options(FieldDefinition f) =>
        string.Join(", ", (f.Rules.Enum ?? []).Select(o => o is JsonValue v && v.TryGetValue<string>(out var s) ? s : o?.ToJsonString()));

    /// <summary>The value to show or bind: the stored one, or the default.</summary>
    public static JsonNode? Display(FieldDefinition f, JsonNode? stored) => stored ?? f.Default?.DeepClone();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex SlugPattern();
}

/// <summary>How a field's values compare in the database: text (strings, ISO dates), numbers or booleans.</summary>
public static class CustomValueKinds
{
    public static Data.CustomValueKind Of(FieldType type) => type switch
    {
        FieldType.Integer or FieldType.Float => Data.CustomValueKind.Number,
        FieldType.Boolean => Data.CustomValueKind.Flag,
        _ => Data.CustomValueKind.Text,
    };
}
