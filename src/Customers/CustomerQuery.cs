using System.Globalization;
using System.Linq.Expressions;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;

namespace CommerceManager.Customers;

/// <summary>
/// A view of the customers list: an EP filter string, a sort, a page; and the console's one-box <see cref="Search"/>
/// (name or email containing the text, or the exact external reference), which EP's filter cannot say (it has no "or").
/// </summary>
public sealed record CustomerQuery(
    string? Filter = null,
    string? Sort = null,
    int Offset = 0,
    int Limit = PageRequest.DefaultLimit,
    bool? HasPassword = null,
    bool ExactTotal = true,
    string? Search = null)
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

    public static readonly string[] SortFields = ["name", "email", "created_at", "updated_at", "id", "order_count", "orders_total", "last_order_at"];

    /// <summary>
    /// The filterable fields with the store's custom fields added (EP filters flow fields by slug): strings and booleans
    /// by equality, numbers and dates also by comparison. A slug never hides a built-in field.
    /// </summary>
    public static FilterSchema SchemaFor(IReadOnlyList<FieldDefinition> customFields)
    {
        if (customFields.Count == 0)
        {
            return Schema;
        }
        var fields = new Dictionary<string, string[]>(Schema.Fields);
        foreach (var field in customFields)
        {
            fields.TryAdd(field.Slug, field.Type is FieldType.Integer or FieldType.Float or FieldType.Date ? FilterSchema.Compare : FilterSchema.EqOnly);
        }
        return new FilterSchema(fields);
    }

    private static CustomValueKind KindOf(FieldType type) => CustomValueKinds.Of(type);

    public static IQueryable<Customer> Apply(IQueryable<Customer> q, IEnumerable<FilterTerm> terms, IReadOnlyList<FieldDefinition>? customFields = null)
    {
        foreach (var t in terms)
        {
            if (!Schema.Fields.ContainsKey(t.Field) && customFields?.FirstOrDefault(f => f.Slug == t.Field) is { } custom)
            {
                q = q.Where(CustomFilter(custom, t));
                continue;
            }
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

    /// <summary>
    /// The first contains or ends-with search on name or email, as the folded column and text a substring index can
    /// narrow the rows by (the term itself is still applied exactly).
    /// </summary>
    public static (string Column, string Text)? SubstringTerm(IEnumerable<FilterTerm> terms)
    {
        foreach (var t in terms.Where(t => t.Op == "like" && t.Field is "name" or "email"))
        {
            var (kind, text) = LikePattern.Read(t.Value);
            if (kind is LikeKind.Contains or LikeKind.EndsWith)
            {
                return t.Field == "name"
                    ? (nameof(Customer.NormalizedName), Customer.FoldName(text))
                    : (nameof(Customer.NormalizedEmail), Customer.Normalize(EmailValue(text)));
            }
        }
        return null;
    }

    /// <summary>One custom field's term, on the expression the field's index is built on.</summary>
    private static Expression<Func<Customer, bool>> CustomFilter(FieldDefinition field, FilterTerm t)
    {
        var bad = new FilterException($"'{t.Value}' is not a valid {FieldDefinition.TypeName(field.Type)} for '{field.Slug}'.");
        return field.Type switch
        {
            FieldType.Integer or FieldType.Float => QueryBuilding.Compare(t.Op, Value<double?>(field),
                double.TryParse(t.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : throw bad),
            FieldType.Boolean => QueryBuilding.Compare(t.Op, Value<bool?>(field),
                bool.TryParse(t.Value, out var flag) ? flag : throw bad),
            FieldType.Date => QueryBuilding.Compare(t.Op, Value<string?>(field),
                DateOnly.TryParseExact(t.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? t.Value : throw bad),
            _ => QueryBuilding.Compare(t.Op, Value<string?>(field), t.Value),
        };
    }

    /// <summary><c>c =&gt; CustomValueSql.Text/Number/Flag(c.CustomData, "&lt;field id&gt;")</c>, the id a constant.</summary>
    private static Expression<Func<Customer, T>> Value<T>(FieldDefinition field)
    {
        var c = Expression.Parameter(typeof(Customer), "c");
        var call = Expression.Call(CustomValueSql.MethodFor(KindOf(field.Type)),
            Expression.Property(c, nameof(Customer.CustomData)), Expression.Constant(field.Id.ToString()));
        // Number and Flag are declared non-nullable (EF's rule for functions); the value may be missing, so read it as T?.
        return Expression.Lambda<Func<Customer, T>>(call.Type == typeof(T) ? call : Expression.Convert(call, typeof(T)), c);
    }

    private static IQueryable<Customer> SortByCustom<T>(IQueryable<Customer> q, FieldDefinition field, bool desc) =>
        // Ties in created order, as the field's index (value, CreatedAt, Id) holds them.
        desc ? q.OrderByDescending(Value<T>(field)).ThenByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            : q.OrderBy(Value<T>(field)).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id);

    public static IQueryable<Customer> Sort(IQueryable<Customer> q, string? sort, string defaultSort, IReadOnlyList<FieldDefinition>? customFields = null)
    {
        var s = string.IsNullOrWhiteSpace(sort) ? defaultSort : sort.Trim();
        var desc = s.StartsWith('-');
        var field = s.TrimStart('-');
        if (!SortFields.Contains(field) && customFields?.FirstOrDefault(f => f.Slug == field) is { } custom)
        {
            return KindOf(custom.Type) switch
            {
                CustomValueKind.Number => SortByCustom<double?>(q, custom, desc),
                CustomValueKind.Flag => SortByCustom<bool?>(q, custom, desc),
                _ => SortByCustom<string?>(q, custom, desc),
            };
        }
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
            // Kept by triggers on Orders, each with its own index: the console's Orders / Spent / Last order columns.
            ("order_count", false) => q.OrderBy(c => c.OrderCount).ThenBy(c => c.Id),
            ("order_count", true) => q.OrderByDescending(c => c.OrderCount).ThenByDescending(c => c.Id),
            ("orders_total", false) => q.OrderBy(c => c.OrdersTotal).ThenBy(c => c.Id),
            ("orders_total", true) => q.OrderByDescending(c => c.OrdersTotal).ThenByDescending(c => c.Id),
            ("last_order_at", false) => q.OrderBy(c => c.LastOrderAt).ThenBy(c => c.Id),
            ("last_order_at", true) => q.OrderByDescending(c => c.LastOrderAt).ThenByDescending(c => c.Id),
            // EP's keyset paging: sort=id with filter=gt(id,<last id of the previous page>).
            ("id", false) => q.OrderBy(c => c.Id),
            ("id", true) => q.OrderByDescending(c => c.Id),
            _ => throw new FilterException($"Sorting by '{field}' is not supported. Use one of: {string.Join(", ", SortFields.Concat(customFields?.Select(f => f.Slug) ?? []))} (with - for descending).", FilterException.SortTitle),
        };
    }
}
