using CommerceManager.Data;
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
    /// The newest accounts whose name contains (ends with) the text, at least <paramref name="count"/> of them and few
    /// others, or null when the provider's index does not give them in creation order (the caller then sorts every match).
    /// </summary>
    IQueryable<ShopperAccount>? NewestByName(AppDbContext db, string foldedName, bool endsWith, int count);

    /// <summary>How many accounts' names contain (end with) the text, from the provider's index; null when it has no quicker way than counting the matches.</summary>
    Task<int?> CountByNameAsync(AppDbContext db, string foldedName, bool endsWith, CancellationToken ct);

    IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName);

    /// <summary>As <see cref="NewestByName"/>, for members whose <paramref name="column"/> (folded name or email) contains (ends with) the text.</summary>
    IQueryable<AccountMember>? NewestMembers(AppDbContext db, string column, string folded, bool endsWith, int count);

    /// <summary>As <see cref="CountByNameAsync"/>, for members.</summary>
    Task<int?> CountMembersAsync(AppDbContext db, string column, string folded, bool endsWith, CancellationToken ct);

    IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail);
}

/// <summary>SQLite: from the FTS5 trigram index (docs/decisions/0004-fts5-creation-ordered-index.md); below three characters, every row.</summary>
internal sealed class SqliteAccountStore : IAccountStore
{
    public IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName) =>
        SqliteSubstringIndex.Source(db.Accounts, nameof(ShopperAccount.NormalizedName), foldedName) ?? db.Accounts;

    public IQueryable<ShopperAccount>? NewestByName(AppDbContext db, string foldedName, bool endsWith, int count) =>
        SqliteSubstringIndex.FirstCreated(db.Accounts, nameof(ShopperAccount.NormalizedName), foldedName, endsWith, count, newestFirst: true);

    public async Task<int?> CountByNameAsync(AppDbContext db, string foldedName, bool endsWith, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        return await SqliteSubstringIndex.CountAsync(db, db.Accounts, nameof(ShopperAccount.NormalizedName), foldedName, endsWith, cap: null, ct);
    }

    public IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName) =>
        SqliteSubstringIndex.Source(db.AccountMembers, nameof(AccountMember.NormalizedName), foldedName) ?? db.AccountMembers;

    public IQueryable<AccountMember>? NewestMembers(AppDbContext db, string column, string folded, bool endsWith, int count) =>
        SqliteSubstringIndex.FirstCreated(db.AccountMembers, column, folded, endsWith, count, newestFirst: true);

    public async Task<int?> CountMembersAsync(AppDbContext db, string column, string folded, bool endsWith, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        return await SqliteSubstringIndex.CountAsync(db, db.AccountMembers, column, folded, endsWith, cap: null, ct);
    }

    public IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail) =>
        SqliteSubstringIndex.Source(db.AccountMembers, nameof(AccountMember.NormalizedEmail), foldedEmail) ?? db.AccountMembers;
}

/// <summary>PostgreSQL: the trigram indexes serve the LIKE itself, so the table is the source.</summary>
internal sealed class PostgresAccountStore : IAccountStore
{
    public IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName) => db.Accounts;

    public IQueryable<ShopperAccount>? NewestByName(AppDbContext db, string foldedName, bool endsWith, int count) => null;

    public Task<int?> CountByNameAsync(AppDbContext db, string foldedName, bool endsWith, CancellationToken ct) => Task.FromResult<int?>(null);

    public IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName) => db.AccountMembers;

    public IQueryable<AccountMember>? NewestMembers(AppDbContext db, string column, string folded, bool endsWith, int count) => null;

    public Task<int?> CountMembersAsync(AppDbContext db, string column, string folded, bool endsWith, CancellationToken ct) => Task.FromResult<int?>(null);

    public IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail) => db.AccountMembers;
}
