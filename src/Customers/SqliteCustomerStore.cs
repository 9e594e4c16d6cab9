using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Customers;

/// <summary>
/// Customers on SQLite: contains searches from the FTS5 trigram index in creation order, the page read by a statement
/// kept prepared (<see cref="SqliteCustomerLookup"/>), a customer by id without EF, and creates sharing one commit
/// (<see cref="SqliteGroupCommit"/>). See docs/decisions/0003-sqlite-group-commit.md and
/// docs/decisions/0004-fts5-creation-ordered-index.md.
/// </summary>
internal sealed class SqliteCustomerStore(IDbContextFactory<AppDbContext> dbFactory, CustomFieldValues customFields,
    SqliteCustomerLookup lookup, SqliteGroupCommit groupCommit) : ICustomerStore
{
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
        // A name or email contains (or ends-with) search alone, or the console's one box, in creation order: the
        // storefront's and the console's usual searches. Counted from the substring index, and the page read from it in
        // creation order rather than by sorting every match. Below three characters the index has nothing to say.
        if (CustomerListing.OneSubstring(query, custom, sort) is (_, var column, var text, var endsWith)
            && SqliteSubstringIndex.FirstCreatedPage(db.Customers, column, text, endsWith, sort == "-created_at", SqliteCustomerLookup.Columns)
                is var (pageSql, phrase))
        {
            // One statement, kept prepared by the lookup's connections and read without EF (preparing it cost more than running it).
            return await FromIndexAsync(db, query,
                () => lookup.PageAsync(pageSql, phrase, text, page.Offset + page.Limit - 1, page.Limit, page.Offset, ct),
                () => SqliteSubstringIndex.CountAsync(db, db.Customers, column, text, endsWith, query.ExactTotal ? null : Counting.Cap, ct), ct);
        }
        if (CustomerListing.OneBoxAlone(query, unfiltered: string.IsNullOrWhiteSpace(query.Filter), sort) is { } box
            && SqliteSubstringIndex.FirstCreatedAny(db.Customers, box.Columns, nameof(Customer.ExternalRef), box.Raw,
                page.Offset + page.Limit, sort == "-created_at") is { } firstAny)
        {
            return await FromIndexAsync(db, query,
                () => CustomerListing.SortedPageAsync(firstAny.AsNoTracking().Where(box.Match), sort, defaultSort, custom, page, ct),
                () => SqliteSubstringIndex.CountAnyAsync(db, db.Customers, box.Columns, nameof(Customer.ExternalRef),
                    box.Raw, query.ExactTotal ? null : Counting.Cap, ct), ct);
        }

        Task<List<CustomerDto>> SortedPage() => CustomerListing.SortedPageAsync(filtered, query.Sort, defaultSort, custom, page, ct);
        if (unfiltered)
        {
            return await CustomerListing.UnfilteredPageAsync(db, sort, page, SortedPage, ct);
        }
        // A filtered total: known from a first page with room to spare (it holds every match), else counted.
        var items = await SortedPage();
        var (total, capped) = page.Offset == 0 && items.Count < page.Limit ? (items.Count, false)
            : await Counting.CountAsync(filtered, query.ExactTotal, ct);
        return new Page<CustomerDto>(items, total, page.Offset, page.Limit, capped);
    }

    /// <summary>A page and its count, both from the substring index.</summary>
    private static async Task<Page<CustomerDto>> FromIndexAsync(AppDbContext db, CustomerQuery query, Func<Task<List<CustomerDto>>> pageAsync,
        Func<Task<int?>> countAsync, CancellationToken ct)
    {
        var page = query.Page;
        // The count on the context's connection (kept open for the EF page too); the prepared page reads on the lookup's own.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var found = await countAsync() ?? throw new InvalidOperationException("The substring index gave a page but no count.");
            var rows = found <= page.Offset ? [] : await pageAsync();
            return new Page<CustomerDto>(rows, found, page.Offset, page.Limit, !query.ExactTotal && found == Counting.Cap);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task<(IQueryable<Customer> Matching, IReadOnlyList<FieldDefinition> Custom, bool Unfiltered)> MatchingAsync(
        AppDbContext db, CustomerQuery query, CancellationToken ct) =>
        CustomerListing.MatchingAsync(db, query, customFields,
            termSource: (column, text) => SqliteSubstringIndex.Source(db.Customers, column, text) ?? db.Customers,
            quickSource: (any, quick) => SqliteSubstringIndex.SourceAny(db.Customers, any, nameof(Customer.ExternalRef), quick) ?? db.Customers, ct);

    public Task<CustomerDto?> ByIdAsync(Guid id, CancellationToken ct) => lookup.ByIdAsync(id, ct);

    // Concurrent creates share a commit (one sync for all of them).
    public Task InsertAsync(Customer customer, CancellationToken ct) => groupCommit.InsertAsync(customer, ct);
}
