using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>One account management authentication token: for one of the member's accounts.</summary>
public sealed record AccountTokenDto(Guid AccountId, string AccountName, string Token, DateTimeOffset Expires);

/// <summary>
/// Issues EP's account management authentication tokens: one per account the member belongs to (a page of them), each
/// a JWT naming the member (<c>sub</c>) and the account, for the store's token timeout.
/// </summary>
public sealed class AccountTokenService(IDbContextFactory<AppDbContext> dbFactory, TokenService tokens, AccountSettingsService settings)
{
    /// <summary>EP answers 20 tokens a page unless asked for another page size.</summary>
    public const int DefaultPageSize = 20;

    public async Task<Page<AccountTokenDto>> IssueAsync(Guid memberId, string mechanism, PageRequest page, CancellationToken ct = default)
    {
        page = page.Checked();
        var store = await settings.GetAsync(ct);
        List<(Guid Id, string Name)> accounts;
        int total;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var memberships = from m in db.AccountMemberships.AsNoTracking()
                              where m.MemberId == memberId
                              join a in db.Accounts on m.AccountId equals a.Id
                              orderby m.CreatedAt, m.Id
                              select new { a.Id, a.Name };
            total = await memberships.CountAsync(ct);
            accounts = (await memberships.Skip(page.Offset).Take(page.Limit).ToListAsync(ct)).Select(a => (a.Id, a.Name)).ToList();
        }
        var claims = new Dictionary<string, object>
        {
            ["realm_id"] = store.Realm.Id.ToString(),
            ["store_id"] = store.Realm.StoreId.ToString(),
            ["account_member_self_management"] = store.AccountMemberSelfManagement,
        };
        var issued = new List<AccountTokenDto>(accounts.Count);
        foreach (var (id, name) in accounts)
        {
            var token = await tokens.IssueAccountMemberTokenAsync(memberId, id, mechanism, TimeSpan.FromSeconds(store.TokenTimeoutSeconds), claims, ct);
            issued.Add(new AccountTokenDto(id, name, token.Token, token.Expires));
        }
        return new Page<AccountTokenDto>(issued, total, page.Offset, page.Limit);
    }
}
