using CommerceManager.Data;
using CommerceManager.Querying;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>
/// Where a contains (ends-with) search of accounts and account members starts, per provider (chosen by
/// <see cref="DatabaseSetup.AddStore{TStore, TSqlite, TPostgres}"/>): the rows the provider's substring index narrows
/// to. The caller still applies its exact test.
/// </summary>
public interface IAccountStore
{
    IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName);

    /// <summary>
    /// A contains (ends-with) search of <paramref name="column"/> alone, newest first: its page and its total from the
    /// provider's indexes, without sorting or counting every match; null when the provider has no quicker way (the
    /// caller's general path then serves it). <paramref name="exact"/> is the caller's own test of the search, applied on top.
    /// </summary>
    Task<(List<T> Rows, int Total)?> NewestContainingAsync<T>(AppDbContext db, DbSet<T> set, string column, string folded, bool endsWith,
        Func<IQueryable<T>, IQueryable<T>> exact, Func<IQueryable<T>, IQueryable<T>> newestFirst, PageRequest page, CancellationToken ct) where T : class;

    IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName);

    IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail);
}

/// <summary>SQLite: from the FTS5 trigram index (docs/decisions/0004-fts5-creation-ordered-index.md); below three characters, every row.</summary>
internal sealed class SqliteAccountStore : IAccountStore
{
    public IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName) =>
        SqliteSubstringIndex.Source(db.Accounts, nameof(ShopperAccount.NormalizedName), foldedName) ?? db.Accounts;

    /// <summary>The page from the substring index in creation order; the total from the index (cached until it changes).</summary>
    public async Task<(List<T> Rows, int Total)?> NewestContainingAsync<T>(AppDbContext db, DbSet<T> set, string column, string folded, bool endsWith,
        Func<IQueryable<T>, IQueryable<T>> exact, Func<IQueryable<T>, IQueryable<T>> newestFirst, PageRequest page, CancellationToken ct) where T : class
    {
        if (SqliteSubstringIndex.FirstCreated(set, column, folded, endsWith, page.Offset + page.Limit, newestFirst: true) is not { } candidates)
        {
            return null;
        }
        await db.Database.OpenConnectionAsync(ct);
        var rows = await newestFirst(exact(candidates.AsNoTracking())).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count
            : await SqliteSubstringIndex.CountAsync(db, set, column, folded, endsWith, cap: null, ct) ?? await exact(set.AsNoTracking()).CountAsync(ct);
        return (rows, total);
    }

    public IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName) =>
        SqliteSubstringIndex.Source(db.AccountMembers, nameof(AccountMember.NormalizedName), foldedName) ?? db.AccountMembers;


    public IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail) =>
        SqliteSubstringIndex.Source(db.AccountMembers, nameof(AccountMember.NormalizedEmail), foldedEmail) ?? db.AccountMembers;
}

/// <summary>
/// PostgreSQL: the trigram indexes serve the LIKE itself, so the table is the source; a common text's newest page comes
/// from a walk of the creation-time index (<see cref="PostgresCreationWalk"/>) with its total kept at the table's version
/// (<see cref="VersionedCounts"/>), as for customers.
/// </summary>
internal sealed class PostgresAccountStore(VersionedCounts versionedCounts) : IAccountStore
{
    /// <summary>Widest walk of the creation-time index for a page, in rows (the customers' figure).</summary>
    private const long MaxCreationWindow = 200_000;

    public IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName) => db.Accounts;

    public async Task<(List<T> Rows, int Total)?> NewestContainingAsync<T>(AppDbContext db, DbSet<T> set, string column, string folded, bool endsWith,
        Func<IQueryable<T>, IQueryable<T>> exact, Func<IQueryable<T>, IQueryable<T>> newestFirst, PageRequest page, CancellationToken ct) where T : class
    {
        var table = set.EntityType.GetTableName()!;
        var ticket = await versionedCounts.LookUpAsync(db, table, $"{column} {(endsWith ? "ends" : "contains")} {folded}", ct);
        var found = ticket is { Known: true } known ? known.Total : await exact(set.AsNoTracking()).CountAsync(ct);
        versionedCounts.Remember(ticket, found, capped: false);
        if (found <= page.Offset)
        {
            return ([], found);
        }
        var wanted = page.Offset + page.Limit;
        var all = await RowCounts.ReadAsync(db, table, ct);
        var window = 4L * Math.Min(wanted, found) * Math.Max(all, found) / found;
        if (window > MaxCreationWindow)
        {
            // Few matches: the trigram index finds them, and sorting them is cheap.
            var few = await newestFirst(exact(set.AsNoTracking())).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
            return (few, found);
        }
        var candidates = PostgresCreationWalk.Rows(set, column, folded, endsWith, (int)Math.Max(window, wanted), wanted, newestFirst: true);
        var rows = await newestFirst(exact(candidates.AsNoTracking())).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        return rows.Count == Math.Min(page.Limit, found - page.Offset) ? (rows, found) : null;
    }

    public IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName) => db.AccountMembers;

    public IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail) => db.AccountMembers;
}
