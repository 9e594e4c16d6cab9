using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Customers;

/// <summary>
/// What both customer stores read the same way (plain LINQ, compiled where it is hot): the shape of a query (one email,
/// one contains term, the one box), its matching rows, its sorted page, and the unfiltered list.
/// </summary>
internal static class CustomerListing
{
    public static string SortOf(CustomerQuery query, string defaultSort) =>
        string.IsNullOrWhiteSpace(query.Sort) ? defaultSort : query.Sort.Trim();

    /// <summary>
    /// The customers a query matches, unsorted and unpaged. A contains/ends-with search starts from
    /// <paramref name="termSource"/> (column, folded text) and the one box from <paramref name="quickSource"/> (its
    /// columns and text): the provider's substring index where it has one, else the table.
    /// </summary>
    public static async Task<(IQueryable<Customer> Matching, IReadOnlyList<FieldDefinition> Custom, bool Unfiltered)> MatchingAsync(
        AppDbContext db, CustomerQuery query, CustomFieldValues customFields,
        Func<string, string, IQueryable<Customer>> termSource,
        Func<(string Column, string Text)[], string, IQueryable<Customer>> quickSource, CancellationToken ct)
    {
        var custom = await customFields.EnabledFieldsAsync(Flow.Customers, ct);
        var terms = CustomerFilters.SchemaFor(custom).Parse(query.Filter);
        IQueryable<Customer> source;
        if (query.Search?.Trim() is { Length: > 0 } whole && LooksLikeWholeEmail(whole))
        {
            // A whole address pasted in: that customer (or the reference), by the unique email index.
            var email = Customer.Normalize(CustomerFilters.EmailValue(whole));
            source = db.Customers.Where(c => c.NormalizedEmail == email || c.ExternalRef == whole);
        }
        else if (query.Search?.Trim() is { Length: > 0 } quick)
        {
            var box = OneBox.Of(quick);
            source = quickSource(box.Columns, box.Raw).Where(box.Match);
        }
        else
        {
            source = CustomerFilters.SubstringTerm(terms) is { } substring ? termSource(substring.Column, substring.Text) : db.Customers;
        }
        var filtered = CustomerFilters.Apply(source.AsNoTracking(), terms, custom);
        if (query.HasPassword is { } hasPassword)
        {
            filtered = hasPassword ? filtered.Where(c => c.PasswordHash != null) : filtered.Where(c => c.PasswordHash == null);
        }
        var unfiltered = terms.Count == 0 && query.HasPassword is null && string.IsNullOrWhiteSpace(query.Search);
        return (filtered, custom, unfiltered);
    }

    /// <summary>"Does this email exist?", a storefront's question before sign-up or log-in: compiled, from the email index.</summary>
    public static async Task<Page<CustomerDto>> EmailPageAsync(AppDbContext db, string email, PageRequest page, CancellationToken ct)
    {
        var matches = await EmailCountQuery.For(db)(db, email, ct);
        return new Page<CustomerDto>(matches == 0 ? [] : await EmailPageQuery.For(db)(db, email, page.Offset, page.Limit).ToListAsync(ct),
            matches, page.Offset, page.Limit, false);
    }

    /// <summary>A page of <paramref name="rows"/> in <paramref name="sort"/> (else <paramref name="defaultSort"/>).</summary>
    public static Task<List<CustomerDto>> SortedPageAsync(IQueryable<Customer> rows, string? sort, string defaultSort,
        IReadOnlyList<FieldDefinition> custom, PageRequest page, CancellationToken ct) =>
        CustomerFilters.Sort(rows, sort, defaultSort, custom).Skip(page.Offset).Take(page.Limit).Select(CustomerService.ToDto).ToListAsync(ct);

    /// <summary>Every customer: the total from the row counts, the default order's page compiled.</summary>
    public static async Task<Page<CustomerDto>> UnfilteredPageAsync(AppDbContext db, string sort, PageRequest page,
        Func<Task<List<CustomerDto>>> sortedPage, CancellationToken ct)
    {
        var all = await RowCounts.ReadAsync(db, Customer.Table, ct);
        var rows = all == 0 ? [] : sort == "-created_at" ? await NewestFirstQuery.For(db)(db, page.Offset, page.Limit).ToListAsync(ct) : await sortedPage();
        return new Page<CustomerDto>(rows, all, page.Offset, page.Limit);
    }

    /// <summary>Everything a filtered list's total depends on besides the rows: the filter, the one box, the password choice, exact or capped, and the custom fields' definitions.</summary>
    public static string CountKey(CustomerQuery query, IReadOnlyList<FieldDefinition> custom) =>
        string.Join('\u001f', query.Filter?.Trim(), query.Search?.Trim(), query.HasPassword, query.ExactTotal,
            string.Join(',', custom.Select(f => $"{f.Id}:{f.Slug}:{f.Type}")));

    /// <summary>The console's one box alone (no filter, no password choice), not a whole email, in creation order.</summary>
    public static OneBox? OneBoxAlone(CustomerQuery query, bool unfiltered, string sort) =>
        unfiltered && query.HasPassword is null && sort is "-created_at" or "created_at"
        && query.Search?.Trim() is { Length: > 0 } quick && !LooksLikeWholeEmail(quick)
            ? OneBox.Of(quick)
            : null;

    private static bool LooksLikeWholeEmail(string text) =>
        text.IndexOf('@') is > 0 and var at && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.') && !text.Contains(' ');

    /// <summary>A filter that is one contains or ends-with term on name or email, in creation order: its terms, column and folded text.</summary>
    public static (IReadOnlyList<FilterTerm> Terms, string Column, string Text, bool EndsWith)? OneSubstring(CustomerQuery query,
        IReadOnlyList<FieldDefinition> custom, string sort)
    {
        if (!string.IsNullOrWhiteSpace(query.Search) || query.HasPassword is not null || sort is not ("-created_at" or "created_at")
            || CustomerFilters.SchemaFor(custom).Parse(query.Filter) is not [{ Op: "like", Field: "name" or "email" } term] terms
            || LikePattern.Read(term.Value).Kind is not (LikeKind.Contains or LikeKind.EndsWith) || CustomerFilters.SubstringTerm(terms) is not { } substring)
        {
            return null;
        }
        return (terms, substring.Column, substring.Text, LikePattern.Read(term.Value).Kind == LikeKind.EndsWith);
    }

    /// <summary>The normalized email when the query is just <c>eq(email,…)</c> in the default order, else null.</summary>
    public static string? OneEmail(CustomerQuery query, IReadOnlyList<FieldDefinition> custom, string sort) =>
        string.IsNullOrWhiteSpace(query.Search) && query.HasPassword is null && sort == "-created_at"
        && CustomerFilters.SchemaFor(custom).Parse(query.Filter) is [{ Op: "eq", Field: "email" } term]
            ? Customer.Normalize(CustomerFilters.EmailValue(term.Value))
            : null;

    // The hot reads, compiled once per model: no LINQ translation or query-cache lookup per request.
    // The API's most frequent read (on SQLite, SqliteCustomerLookup reads it without EF).
    public static readonly PerModel<Func<AppDbContext, Guid, CancellationToken, Task<CustomerDto?>>> ByIdQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, Guid id, CancellationToken ct) =>
            db.Set<Customer>().AsNoTracking().Where(c => c.Id == id).Select(CustomerService.ToDto).FirstOrDefault()));

    // The list's default page (the API's and the console's first request): the order CustomerFilters.Sort gives "-created_at".
    private static readonly PerModel<Func<AppDbContext, int, int, IAsyncEnumerable<CustomerDto>>> NewestFirstQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, int skip, int take) =>
            db.Set<Customer>().AsNoTracking().OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(skip).Take(take).Select(CustomerService.ToDto)));

    // "Does this email exist?". Several customers can share an email (EP's duplicate_email_policy), so the lookup pages
    // and counts like the list.
    private static readonly PerModel<Func<AppDbContext, string, int, int, IAsyncEnumerable<CustomerDto>>> EmailPageQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string email, int skip, int take) =>
            db.Set<Customer>().AsNoTracking().Where(c => c.NormalizedEmail == email)
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(skip).Take(take).Select(CustomerService.ToDto)));

    private static readonly PerModel<Func<AppDbContext, string, CancellationToken, Task<int>>> EmailCountQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string email, CancellationToken ct) => db.Set<Customer>().Count(c => c.NormalizedEmail == email)));
}
