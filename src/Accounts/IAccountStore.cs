using CommerceManager.Data;

namespace CommerceManager.Accounts;

/// <summary>
/// Where a contains (ends-with) search of accounts and account members starts, per provider (chosen by
/// <see cref="DatabaseSetup.AddStore{TStore, TSqlite, TPostgres}"/>): the rows the provider's substring index narrows
/// to. The caller still applies its exact test.
/// </summary>
public interface IAccountStore
{
    IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName);

    IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName);

    IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail);
}

/// <summary>SQLite: from the FTS5 trigram index (docs/decisions/0004-fts5-creation-ordered-index.md); below three characters, every row.</summary>
internal sealed class SqliteAccountStore : IAccountStore
{
    public IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName) =>
        SqliteSubstringIndex.Source(db.Accounts, nameof(ShopperAccount.NormalizedName), foldedName) ?? db.Accounts;

    public IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName) =>
        SqliteSubstringIndex.Source(db.AccountMembers, nameof(AccountMember.NormalizedName), foldedName) ?? db.AccountMembers;

    public IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail) =>
        SqliteSubstringIndex.Source(db.AccountMembers, nameof(AccountMember.NormalizedEmail), foldedEmail) ?? db.AccountMembers;
}

/// <summary>PostgreSQL: the trigram indexes serve the LIKE itself, so the table is the source.</summary>
internal sealed class PostgresAccountStore : IAccountStore
{
    public IQueryable<ShopperAccount> NameCandidates(AppDbContext db, string foldedName) => db.Accounts;

    public IQueryable<AccountMember> MemberNameCandidates(AppDbContext db, string foldedName) => db.AccountMembers;

    public IQueryable<AccountMember> MemberEmailCandidates(AppDbContext db, string foldedEmail) => db.AccountMembers;
}
