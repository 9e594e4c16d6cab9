using System.Globalization;
using CommerceManager.Querying;

namespace CommerceManager.Customers;

public enum SearchField { Name, Email }

public enum SearchOperator { Is, IsLike, StartsWith, EndsWith }

/// <summary>
/// The console's search bar, mirroring Commerce Manager (field × operator × text, plus a created-date range).
/// It reads from and writes to the same EP <c>filter=</c> string the API takes, so a view in the console is an
/// API call and back; terms the bar cannot show (typed by hand) are kept as they are.
/// </summary>
public sealed class CustomerSearch
{
    public SearchField Field { get; set; } = SearchField.Name;
    public SearchOperator Operator { get; set; } = SearchOperator.IsLike;
    public string Text { get; set; } = "";
    public DateTime? CreatedFrom { get; set; }
    /// <summary>Inclusive: the whole day is in the range.</summary>
    public DateTime? CreatedTo { get; set; }
    public IReadOnlyList<FilterTerm> OtherTerms { get; private set; } = [];

    public static CustomerSearch FromFilter(string? filter)
    {
        var search = new CustomerSearch();
        var others = new List<FilterTerm>();
        var textTaken = false;
        foreach (var term in CustomerFilters.Schema.Parse(filter))
        {
            if (!textTaken && term.Field is "name" or "email")
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
        if (text.Length > 0)
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
        SearchOperator.IsLike => "is like",
        SearchOperator.StartsWith => "starts with",
        _ => "ends with",
    };

    private static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool IsDate(string value) => value.Length == 10;
}
