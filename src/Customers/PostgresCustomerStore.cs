using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Customers;

/// <summary>
/// Customers on PostgreSQL: the trigram indexes serve contains searches through plain LIKE; a common text's first page
/// in creation order comes from a walk of the creation-time index (<see cref="PostgresCreationWalk"/>); filtered totals
/// are kept at the table's version (<see cref="VersionedCounts"/>). See docs/decisions/0004-fts5-creation-ordered-index.md
/// and docs/decisions/0005-versioned-counts.md.
/// </summary>
internal sealed class PostgresCustomerStore(IDbContextFactory<AppDbContext> dbFactory, CustomFieldValues customFields,
    VersionedCounts versionedCounts) : ICustomerStore
{
    /// <summary>Widest walk of the creation-time index for a page of a contains search, in rows.</summary>
    private const long MaxCreationWindow = 200_000;

    public async Task<Page<CustomerDto>> ListAsync(CustomerQuery query, string defaultSort, CancellationToken ct)
    {
        var page = query.Page;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (filtered, custom, unfiltered) = await MatchingAsync(db, query, ct);
        var sort = CustomerListing.SortOf(query, defaultSort);
        if (CustomerListing.OneEmail(query, custom, sort) is { } email)
        {
            return await CustomerListing.EmailPageAsync(db, email, page, ct);
        }
        if (CustomerListing.OneSubstring(query, custom, sort) is (var terms, var column, var text, var endsWith)
            && await CreationWindowPageAsync(db, query, custom, terms, column, text, endsWith, sort == "-created_at", ct) is { } walked)
        {
            return walked;
        }

        Task<List<CustomerDto>> SortedPage() => CustomerListing.SortedPageAsync(filtered, query.Sort, defaultSort, custom, page, ct);
        if (unfiltered)
        {
            return await CustomerListing.UnfilteredPageAsync(db, sort, page, SortedPage, ct);
        }
        // A filtered total: kept from an earlier count while the table is unchanged, or known from a first page with
        // room to spare (it holds every match), else counted.
        var ticket = await versionedCounts.LookUpAsync(db, Customer.Table, CustomerListing.CountKey(query, custom), ct);
        if (ticket is { Known: true } known)
        {
            return new Page<CustomerDto>(known.Total == 0 ? [] : await SortedPage(), known.Total, page.Offset, page.Limit, known.Capped);
        }
        var items = await SortedPage();
        var (total, capped) = page.Offset == 0 && items.Count < page.Limit ? (items.Count, false)
            : await Counting.CountAsync(filtered, query.ExactTotal, ct);
        versionedCounts.Remember(ticket, total, capped);
        return new Page<CustomerDto>(items, total, page.Offset, page.Limit, capped);
    }

    /// <summary>
    /// A contains (ends-with) search's page in creation order from a walk of the creation-time index, when the matches
    /// are common enough that the walk finds the page soon: the total first (kept at the table's version), then a window
    /// four times as wide as the page needs at the matches' density. Null when the window would be too wide (few
    /// matches: the trigram index serves those well) or it held too few matches.
    /// </summary>
    private async Task<Page<CustomerDto>?> CreationWindowPageAsync(AppDbContext db, CustomerQuery query, IReadOnlyList<FieldDefinition> custom,
        IReadOnlyList<FilterTerm> terms, string column, string text, bool endsWith, bool newestFirst, CancellationToken ct)
    {
        var page = query.Page;
        var ticket = await versionedCounts.LookUpAsync(db, Customer.Table, CustomerListing.CountKey(query, custom), ct);
        var (found, capped) = ticket is { Known: true } known ? (known.Total, known.Capped)
            : await Counting.CountAsync(CustomerFilters.Apply(db.Customers.AsNoTracking(), terms, custom), query.ExactTotal, ct);
        versionedCounts.Remember(ticket, found, capped);
        if (found <= page.Offset)
        {
            return new Page<CustomerDto>([], found, page.Offset, page.Limit, capped);
        }
        var wanted = page.Offset + page.Limit;
        var all = await RowCounts.ReadAsync(db, Customer.Table, ct);
        var window = 4L * Math.Min(wanted, found) * Math.Max(all, found) / found;
        if (window > MaxCreationWindow)
        {
            return null;
        }
        var candidates = PostgresCreationWalk.Rows(db.Customers, column, text, endsWith, (int)Math.Max(window, wanted), wanted, newestFirst);
        var rows = await CustomerFilters.Sort(CustomerFilters.Apply(candidates.AsNoTracking(), terms, custom), newestFirst ? "-created_at" : "created_at",
                CustomerService.DefaultSort, custom)
            .Skip(page.Offset).Take(page.Limit).Select(CustomerService.ToDto).ToListAsync(ct);
        return rows.Count == Math.Min(page.Limit, found - page.Offset) ? new Page<CustomerDto>(rows, found, page.Offset, page.Limit, capped) : null;
    }

    // The trigram indexes serve the LIKE itself: the table is the source.
    public Task<(IQueryable<Customer> Matching, IReadOnlyList<FieldDefinition> Custom, bool Unfiltered)> MatchingAsync(
        AppDbContext db, CustomerQuery query, CancellationToken ct) =>
        CustomerListing.MatchingAsync(db, query, customFields, (_, _) => db.Customers, (_, _) => db.Customers, ct);

    public async Task<CustomerDto?> ByIdAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CustomerListing.ByIdQuery.For(db)(db, id, ct);
    }

    public async Task InsertAsync(Customer customer, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Customers.Add(customer);
        await db.SaveChangesAsync(ct);
    }
}
