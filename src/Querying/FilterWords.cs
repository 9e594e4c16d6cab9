using System.Globalization;

namespace CommerceManager.Querying;

/// <summary>
/// An EP filter string said in words, for people: <c>eq(status,complete):ge(created_at,2026-01-01)</c> reads "Status is
/// complete, created on or after 2026-01-01". Any list's filter reads this way (fields by their API names made
/// readable); a filter that cannot be read is given back as it is.
/// </summary>
public static class FilterWords
{
    /// <summary>The words for <paramref name="filter"/>, or "" for none.</summary>
    public static string Describe(string? filter)
    {
        IReadOnlyList<FilterTerm> terms;
        try
        {
            terms = FilterLanguage.Parse(filter);
        }
        catch (FilterException)
        {
            return filter?.Trim() ?? "";
        }
        var words = string.Join(", ", terms.Select(Term));
        return words.Length == 0 ? "" : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>One term: "name contains “zola”", "created before 2026-02-01", "status is one of “complete”, “processing”".</summary>
    public static string Term(FilterTerm term)
    {
        var field = Field(term.Field);
        var time = term.Field.EndsWith("_at", StringComparison.Ordinal);
        var value = time ? term.Value : Quoted(term.Value);
        return term.Op switch
        {
            "like" => LikePattern.Read(term.Value) switch
            {
                (LikeKind.Contains, var text) => $"{field} contains {Quoted(text)}",
                (LikeKind.StartsWith, var text) => $"{field} starts with {Quoted(text)}",
                (LikeKind.EndsWith, var text) => $"{field} ends with {Quoted(text)}",
                (_, var text) => $"{field} is {Quoted(text)}",
            },
            "in" => $"{field} is one of {string.Join(", ", term.Values.Select(Quoted))}",
            "gt" => time ? $"{field} after {value}" : $"{field} more than {value}",
            "ge" => time ? $"{field} on or after {value}" : $"{field} at least {value}",
            "lt" => time ? $"{field} before {value}" : $"{field} less than {value}",
            "le" => time ? $"{field} on or before {value}" : $"{field} at most {value}",
            _ => $"{field} is {value}",
        };
    }

    private static string Quoted(string value) => $"“{value}”";

    /// <summary>An API field name made readable: <c>created_at</c> "created", <c>external_ref</c> "external reference".</summary>
    private static string Field(string name) => name switch
    {
        "created_at" => "created",
        "updated_at" => "updated",
        "last_order_at" => "last order",
        "external_ref" => "external reference",
        "customer_id" => "customer",
        "account_id" => "account",
        _ => (name.EndsWith("_at", StringComparison.Ordinal) ? name[..^3] : name).Replace('_', ' ').ToLower(CultureInfo.InvariantCulture),
    };
}
