using System.Globalization;
using CommerceManager.Querying;

namespace CommerceManager.Customers;

/// <summary>
/// Anything (name, email or external reference at once: the console's one box, sent as <c>q=</c>), name, email, or
/// one of the store's custom fields (by slug, in <see cref="CustomerSearch.CustomSlug"/>).
/// </summary>
public enum SearchField { Anything, Name, Email, Custom }

public enum SearchOperator { Is, IsLike, StartsWith, EndsWith }

/// <summary>
/// The console's search bar, mirroring Commerce Manager (field × operator × text, plus a created-date range).
/// It reads from and writes to the same EP <c>filter=</c> string the API takes, so a view in the console is an
/// API call and back; terms the bar cannot show (typed by hand) are kept as they are.
/// </summary>
public sealed class CustomerSearch
{
    public SearchField Field { get; set; } = SearchField.Anything;
    /// <summary>The custom field searched when <see cref="Field"/> is <see cref="SearchField.Custom"/>: always "is".</summary>
    public string? CustomSlug { get; set; }

    /// <summary>The field picker's value: "any", "name", "email", or "custom:&lt;slug&gt;".</summary>
    public string FieldKey
    {
        get => Field switch { SearchField.Anything => "any", SearchField.Email => "email", SearchField.Custom => "custom:" + CustomSlug, _ => "name" };
        set
        {
            (Field, CustomSlug) = value switch
            {
                "any" => (SearchField.Anything, null),
                "email" => (SearchField.Email, null),
                _ when value.StartsWith("custom:", StringComparison.Ordinal) => (SearchField.Custom, value["custom:".Length..]),
                _ => (SearchField.Name, (string?)null),
            };
            if (Field == SearchField.Custom)
            {
                Operator = SearchOperator.Is;
            }
        }
    }
    public SearchOperator Operator { get; set; } = SearchOperator.IsLike;
    public string Text { get; set; } = "";
    public DateTime? CreatedFrom { get; set; }
    /// <summary>Inclusive: the whole day is in the range.</summary>
    public DateTime? CreatedTo { get; set; }
    public IReadOnlyList<FilterTerm> OtherTerms { get; private set; } = [];

    /// <summary>The one-box text (name, email or reference), for the <c>q=</c> parameter; null when the box searches one field.</summary>
    public string? Quick => Field == SearchField.Anything && Text.Trim().Length > 0 ? Text.Trim() : null;

    public static CustomerSearch FromFilter(string? filter, IReadOnlyList<CustomFields.FieldDefinition>? customFields = null, string? quick = null)
    {
        var search = new CustomerSearch();
        var others = new List<FilterTerm>();
        var textTaken = !string.IsNullOrWhiteSpace(quick);
        if (textTaken)
        {
            search.Text = quick!.Trim();
        }
        foreach (var term in CustomerFilters.SchemaFor(customFields ?? []).Parse(filter))
        {
            if (!textTaken && term.Op == "eq" && !CustomerFilters.Schema.Fields.ContainsKey(term.Field))
            {
                textTaken = true;
                search.Field = SearchField.Custom;
                search.CustomSlug = term.Field;
                search.Operator = SearchOperator.Is;
                search.Text = term.Value;
            }
            else if (!textTaken && term.Field is "name" or "email")
            {
                textTaken = true;
                search.Field = term.Field == "name" ? SearchField.Name : SearchField.Email;
                var (kind, text) = term.Op == "eq" ? (LikeKind.Equals, term.Value) : LikePattern.Read(term.Value);
                search.Text = text;
                search.Operator = kind switch
                {
                    LikeKind.StartsWith => SearchOperator.StartsWith,
                    LikeKind.EndsWith => SearchOperator.EndsWith,
                    LikeKind.Contains => SearchOperator.IsLike,
                    _ => SearchOperator.Is,
                };
            }
            else if (term is { Field: "created_at", Op: "ge" } && search.CreatedFrom is null && IsDate(term.Value))
            {
                search.CreatedFrom = FilterLanguage.ParseTimestamp(term).Date;
            }
            else if (term is { Field: "created_at", Op: "lt" } && search.CreatedTo is null && IsDate(term.Value))
            {
                search.CreatedTo = FilterLanguage.ParseTimestamp(term).Date.AddDays(-1);
            }
            else
            {
                others.Add(term);
            }
        }
        search.OtherTerms = others;
        return search;
    }

    public string ToFilter()
    {
        var terms = new List<FilterTerm>();
        var text = Text.Replace("*", "", StringComparison.Ordinal).Trim();
        if (Field == SearchField.Anything)
        {
            // The one box travels as q=, not as a filter term (EP's filter has no "or").
        }
        else if (text.Length > 0 && Field == SearchField.Custom && !string.IsNullOrEmpty(CustomSlug))
        {
            terms.Add(new FilterTerm("eq", CustomSlug, text));
        }
        else if (text.Length > 0)
        {
            var field = Field == SearchField.Name ? "name" : "email";
            terms.Add(Operator switch
            {
                SearchOperator.Is => new FilterTerm("eq", field, text),
                SearchOperator.StartsWith => new FilterTerm("like", field, text + "*"),
                SearchOperator.EndsWith => new FilterTerm("like", field, "*" + text),
                _ => new FilterTerm("like", field, "*" + text + "*"),
            });
        }
        if (CreatedFrom is { } from)
        {
            terms.Add(new FilterTerm("ge", "created_at", Day(from)));
        }
        if (CreatedTo is { } to)
        {
            terms.Add(new FilterTerm("lt", "created_at", Day(to.AddDays(1))));
        }
        terms.AddRange(OtherTerms);
        return FilterLanguage.Format(terms);
    }

    public static string Label(SearchOperator op) => op switch
    {
        SearchOperator.Is => "is",
        SearchOperator.IsLike => "contains",
        SearchOperator.StartsWith => "starts with",
        _ => "ends with",
    };

    private static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool IsDate(string value) => value.Length == 10;
}
