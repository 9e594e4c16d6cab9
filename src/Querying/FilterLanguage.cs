using System.Globalization;
using System.Text;

namespace CommerceManager.Querying;

/// <summary>One <c>op(field,value)</c> term of an EP filter string.</summary>
public sealed record FilterTerm(string Op, string Field, string Value)
{
    /// <summary>The values of an <c>in(field,a,b,…)</c> term (EP's list operator); one value for every other operator.</summary>
    public IReadOnlyList<string> Values { get; init; } = [Value];

    public override string ToString() => $"{Op}({Field},{string.Join(',', Values.Select(FilterLanguage.Quote))})";

    // Equal by what the filter says: Values follows from Value (an in-list is its values joined).
    public bool Equals(FilterTerm? other) => other is not null && Op == other.Op && Field == other.Field && Value == other.Value;

    public override int GetHashCode() => HashCode.Combine(Op, Field, Value);
}

/// <summary>Raised for any filter or sort the API cannot accept; answered with 400.</summary>
public sealed class FilterException(string detail, string title = FilterException.Title) : Exception(detail)
{
    public const string Title = "Could not parse the supplied filter";
    public const string SortTitle = "Could not parse the supplied sort";

    public string ErrorTitle { get; } = title;
}

/// <summary>
/// The EP filter language, <c>op(field,value)[:op(field,value)…]</c>, shared by the API's <c>filter=</c>
/// parameter and the console's search bar (which builds the same string and shows it).
/// Parsing only splits terms; which fields and operators are allowed is the caller's
/// <see cref="FilterSchema"/>. Values never reach SQL as text: callers turn terms into LINQ.
/// </summary>
public static class FilterLanguage
{
    public const int MaxTerms = 10;

    public static IReadOnlyList<FilterTerm> Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return [];
        }

        var terms = new List<FilterTerm>();
        var s = filter.Trim();
        var i = 0;
        while (true)
        {
            var op = ReadWhile(s, ref i, char.IsAsciiLetter).ToLowerInvariant();
            Expect(s, ref i, '(');
            var field = ReadWhile(s, ref i, c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.').Trim();
            SkipSpaces(s, ref i);
            Expect(s, ref i, ',');
            FilterTerm term;
            if (op == "in")
            {
                // in(field,a,b,"c d"): values separated by commas, each quoted or not.
                var values = new List<string>();
                while (true)
                {
                    values.Add(ReadListValue(s, ref i));
                    if (i < s.Length && s[i] == ',')
                    {
                        i++;
                        continue;
                    }
                    break;
                }
                if (values.Count > MaxListValues)
                {
                    throw new FilterException($"An in(…) term may list at most {MaxListValues} values.");
                }
                term = new FilterTerm(op, field, string.Join(',', values)) { Values = values };
            }
            else
            {
                term = new FilterTerm(op, field, ReadValue(s, ref i));
            }
            Expect(s, ref i, ')');
            if (op.Length == 0 || field.Length == 0)
            {
                throw new FilterException($"The filter term near position {i} is not of the form op(field,value).");
            }
            terms.Add(term);
            if (terms.Count > MaxTerms)
            {
                throw new FilterException($"A filter may have at most {MaxTerms} terms.");
            }
            SkipSpaces(s, ref i);
            if (i == s.Length)
            {
                return terms;
            }
            Expect(s, ref i, ':');
            SkipSpaces(s, ref i);
        }
    }

    /// <summary>Builds a filter string from terms; the inverse of <see cref="Parse"/>.</summary>
    public static string Format(IEnumerable<FilterTerm> terms) => string.Join(':', terms.Select(t => t.ToString()));

    /// <summary>Quotes a value when it holds characters that would end it early.</summary>
    public static string Quote(string value)
    {
        if (value.IndexOfAny([')', '(', ',', ':', '"', '\'']) < 0 && value.Trim() == value)
        {
            return value;
        }
        return value.Contains('"') ? $"'{value}'" : $"\"{value}\"";
    }

    private static string ReadValue(string s, ref int i)
    {
        SkipSpaces(s, ref i);
        if (i < s.Length && s[i] is '"' or '\'')
        {
            var quote = s[i++];
            var end = s.IndexOf(quote, i);
            if (end < 0)
            {
                throw new FilterException("A quoted filter value is not closed.");
            }
            var quoted = s[i..end];
            i = end + 1;
            SkipSpaces(s, ref i);
            return quoted;
        }
        // Unquoted values run to the closing parenthesis, so timestamps with colons need no quotes.
        var close = s.IndexOf(')', i);
        if (close < 0)
        {
            throw new FilterException("A filter term is missing its closing parenthesis.");
        }
        var value = s[i..close].Trim();
        i = close;
        return value;
    }

    /// <summary>Most values an <c>in</c> term takes (EP pages at 100).</summary>
    public const int MaxListValues = 100;

    /// <summary>One value of an <c>in</c> list: quoted, or up to the next comma or closing parenthesis.</summary>
    private static string ReadListValue(string s, ref int i)
    {
        SkipSpaces(s, ref i);
        if (i < s.Length && s[i] is '"' or '\'')
        {
            return ReadValue(s, ref i);
        }
        var end = s.IndexOfAny([',', ')'], i);
        if (end < 0)
        {
            throw new FilterException("A filter term is missing its closing parenthesis.");
        }
        var value = s[i..end].Trim();
        i = end;
        return value;
    }

    private static string ReadWhile(string s, ref int i, Func<char, bool> accept)
    {
        var sb = new StringBuilder();
        while (i < s.Length && accept(s[i]))
        {
            sb.Append(s[i++]);
        }
        return sb.ToString();
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }
    }

    private static void Expect(string s, ref int i, char c)
    {
        if (i >= s.Length || s[i] != c)
        {
            throw new FilterException(i >= s.Length
                ? $"The filter ended early: expected '{c}'."
                : $"Expected '{c}' at position {i} but found '{s[i]}'.");
        }
        i++;
    }

    public static DateTime ParseTimestamp(FilterTerm term)
    {
        if (DateTime.TryParse(term.Value, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return DateTime.SpecifyKind(value, DateTimeKind.Utc);
        }
        throw new FilterException($"'{term.Value}' is not a date or timestamp for {term.Field}.");
    }

    public static Guid ParseGuid(FilterTerm term) => Guid.TryParse(term.Value, out var id)
        ? id
        : throw new FilterException($"'{term.Value}' is not an id for {term.Field}.");
}

/// <summary>Which operators each field of a resource accepts.</summary>
public sealed class FilterSchema(IReadOnlyDictionary<string, string[]> fields)
{
    public IReadOnlyDictionary<string, string[]> Fields => fields;

    public static readonly string[] Text = ["eq", "like"];
    public static readonly string[] Compare = ["eq", "gt", "ge", "lt", "le"];
    public static readonly string[] EqOnly = ["eq"];

    public IReadOnlyList<FilterTerm> Parse(string? filter)
    {
        var terms = FilterLanguage.Parse(filter);
        foreach (var t in terms)
        {
            if (!fields.TryGetValue(t.Field, out var ops))
            {
                throw new FilterException($"Filtering on '{t.Field}' is not supported.");
            }
            if (!ops.Contains(t.Op))
            {
                throw new FilterException($"The operator '{t.Op}' is not supported for '{t.Field}'.");
            }
        }
        return terms;
    }
}

/// <summary>What a <c>like</c> value asks for once its <c>*</c> wildcards are read.</summary>
public enum LikeKind { Equals, StartsWith, EndsWith, Contains }

public static class LikePattern
{
    public static (LikeKind Kind, string Text) Read(string value)
    {
        var starts = value.StartsWith('*');
        var ends = value.Length > 1 && value.EndsWith('*');
        var text = value.Trim('*');
        if (text.Contains('*'))
        {
            throw new FilterException("A like value may have '*' only at its start or end.");
        }
        return (starts, ends) switch
        {
            (true, true) => (LikeKind.Contains, text),
            (true, false) => (LikeKind.EndsWith, text),
            (false, true) => (LikeKind.StartsWith, text),
            _ => (LikeKind.Equals, text),
        };
    }
}
