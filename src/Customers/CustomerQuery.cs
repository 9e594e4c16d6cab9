using System.Linq.Expressions;
using CommerceManager.Querying;

namespace CommerceManager.Customers;

/// <summary>A view of the customers list: an EP filter string, a sort, a page.</summary>
public sealed record CustomerQuery(
    string? Filter = null,
    string? Sort = null,
    int Offset = 0,
    int Limit = PageRequest.DefaultLimit,
    bool? HasPassword = null,
    bool ExactTotal = true)
{
    public PageRequest Page => new PageRequest(Offset, Limit).Checked();
}

public static class CustomerFilters
{
    public static readonly FilterSchema Schema = new(new Dictionary<string, string[]>
    {
        ["email"] = FilterSchema.Text,
        ["name"] = FilterSchema.Text,
        ["id"] = FilterSchema.Compare,
        ["created_at"] = FilterSchema.Compare,
        ["updated_at"] = FilterSchema.Compare,
        ["external_ref"] = FilterSchema.EqOnly,
    });

    public static readonly string[] SortFields = ["name", "email", "created_at", "updated_at", "id"];

    public static IQueryable<Customer> Apply(IQueryable<Customer> q, IEnumerable<FilterTerm> terms)
    {
        foreach (var t in terms)
        {
            q = t.Field switch
            {
                "email" => QueryBuilding.Text(q, t, c => c.NormalizedEmail, v => Customer.Normalize(EmailValue(v))),
                "name" => QueryBuilding.Text(q, t, c => c.NormalizedName, Customer.FoldName),
                "external_ref" => q.Where(c => c.ExternalRef == t.Value),
                "id" => q.Where(QueryBuilding.Compare(t.Op, (Customer c) => c.Id, FilterLanguage.ParseGuid(t))),
                "created_at" => q.Where(QueryBuilding.Compare(t.Op, (Customer c) => c.CreatedAt, FilterLanguage.ParseTimestamp(t))),
                "updated_at" => q.Where(QueryBuilding.Compare(t.Op, (Customer c) => c.UpdatedAt, FilterLanguage.ParseTimestamp(t))),
                _ => throw new FilterException($"Filtering on '{t.Field}' is not supported."),
            };
        }
        return q;
    }

    /// <summary>
    /// Clients (the EP SDK among them) put emails in the query string unencoded, so "a+b@x.example" arrives as
    /// "a b@x.example". An email holds no spaces: read them back as plus signs.
    /// </summary>
    public static string EmailValue(string value) => value.Replace(' ', '+');

    public static IQueryable<Customer> Sort(IQueryable<Customer> q, string? sort, string defaultSort)
    {
        var s = string.IsNullOrWhiteSpace(sort) ? defaultSort : sort.Trim();
        var desc = s.StartsWith('-');
        var field = s.TrimStart('-');
        return (field, desc) switch
        {
            ("name", false) => q.OrderBy(c => c.NormalizedName).ThenBy(c => c.Id),
            ("name", true) => q.OrderByDescending(c => c.NormalizedName).ThenByDescending(c => c.Id),
            ("email", false) => q.OrderBy(c => c.NormalizedEmail),
            ("email", true) => q.OrderByDescending(c => c.NormalizedEmail),
            ("created_at", false) => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
            ("created_at", true) => q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
            ("updated_at", false) => q.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id),
            ("updated_at", true) => q.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
            // EP's keyset paging: sort=id with filter=gt(id,<last id of the previous page>).
            ("id", false) => q.OrderBy(c => c.Id),
            ("id", true) => q.OrderByDescending(c => c.Id),
            _ => throw new FilterException($"Sorting by '{field}' is not supported. Use one of: {string.Join(", ", SortFields)} (with - for descending).", FilterException.SortTitle),
        };
    }
}
