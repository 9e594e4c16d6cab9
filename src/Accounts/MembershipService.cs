using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>A membership with the member it names (and the account it is of).</summary>
public sealed record MembershipDto(Guid Id, Guid AccountId, Guid MemberId, DateTime CreatedAt, DateTime UpdatedAt,
    string MemberName, string MemberEmail, string AccountName, string? AccountLegalName, string? AccountRegistrationId);

/// <summary>
/// Who belongs to which account (EP's account memberships): add, list, remove; the members of the realm not yet in an
/// account; the accounts a member belongs to. A member is in an account at most once (409), an account has at most
/// <see cref="AccountLimits.MembershipsPerAccount"/> members, and a member belongs to at most the store's
/// <c>membership_limit</c> accounts.
/// </summary>
public sealed class MembershipService(IDbContextFactory<AppDbContext> dbFactory, AccountSettingsService settings, AccountMemberService members,
    TimeProvider clock)
{
    public const string AlreadyMember = "account membership with the given account id and account member id already exists";

    public async Task<Page<MembershipDto>?> ListAsync(ClaimsPrincipal user, Guid accountId, string? filter, PageRequest page, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: false))
        {
            return null;
        }
        var terms = new FilterSchema(new Dictionary<string, string[]> { ["account_member_id"] = ["eq"] }).Parse(filter);
        page = page.Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return null;
        }
        var q = db.AccountMemberships.AsNoTracking().Where(m => m.AccountId == accountId);
        foreach (var t in terms)
        {
            var member = FilterLanguage.ParseGuid(t);
            q = q.Where(m => m.MemberId == member);
        }
        var total = await q.CountAsync(ct);
        var rows = await Joined(db, q, page).ToListAsync(ct);
        return new Page<MembershipDto>(rows, total, page.Offset, page.Limit);
    }

    public async Task<MembershipDto?> GetAsync(ClaimsPrincipal user, Guid accountId, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Joined(db, db.AccountMemberships.AsNoTracking().Where(m => m.Id == id && m.AccountId == accountId)).FirstOrDefaultAsync(ct);
    }

    /// <summary>The accounts a member belongs to, oldest membership first (a member's own token: its own).</summary>
    public async Task<Page<MembershipDto>?> OfMemberAsync(ClaimsPrincipal user, Guid memberId, PageRequest page, CancellationToken ct = default)
    {
        if (Access.AccountMemberIdOf(user) is { } self ? self != memberId : !Access.Has(user, Permission.ReadCustomers))
        {
            if (Access.AccountMemberIdOf(user) is null)
            {
                throw new AccessDeniedException("A member's accounts are read with a client_credentials token, or by the member itself.");
            }
            return null;
        }
        page = page.Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.AccountMembers.AnyAsync(m => m.Id == memberId, ct))
        {
            return null;
        }
        var q = db.AccountMemberships.AsNoTracking().Where(m => m.MemberId == memberId);
        var total = await q.CountAsync(ct);
        var rows = await Joined(db, q, page).ToListAsync(ct);
        return new Page<MembershipDto>(rows, total, page.Offset, page.Limit);
    }

    public async Task<Outcome<MembershipDto>> AddAsync(ClaimsPrincipal user, Guid accountId, Guid memberId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var limit = (await settings.GetAsync(ct)).MembershipLimit;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return Outcome.NotFound<MembershipDto>();
        }
        if (!await db.AccountMembers.AnyAsync(m => m.Id == memberId, ct))
        {
            return Outcome.Refused<MembershipDto>("There is no account member with this account_member_id.", "AccountMemberId");
        }
        if (await db.AccountMemberships.AnyAsync(m => m.AccountId == accountId && m.MemberId == memberId, ct))
        {
            return Outcome.Duplicate<MembershipDto>("AccountMemberId", AlreadyMember);
        }
        if (await db.AccountMemberships.CountAsync(m => m.AccountId == accountId, ct) >= AccountLimits.MembershipsPerAccount)
        {
            return Outcome.Refused<MembershipDto>($"An account has at most {AccountLimits.MembershipsPerAccount:N0} members.");
        }
        if (await db.AccountMemberships.CountAsync(m => m.MemberId == memberId, ct) >= limit)
        {
            return Outcome.Refused<MembershipDto>($"This member belongs to {limit:N0} accounts already, the store's membership_limit.");
        }
        var now = clock.UtcNow();
        var membership = new AccountMembership { Id = Guid.CreateVersion7(), AccountId = accountId, MemberId = memberId, CreatedAt = now, UpdatedAt = now };
        db.AccountMemberships.Add(membership);
        var saved = await db.SaveOrConflictAsync(() => membership.Id, ct, "AccountMemberId", AlreadyMember);
        if (!saved.IsOk)
        {
            return saved.As<MembershipDto>();
        }
        return (await GetAsync(user, accountId, membership.Id, ct))!;
    }

    /// <summary>Removes a member from an account; the member's tokens for that account end.</summary>
    public async Task<bool> RemoveAsync(ClaimsPrincipal user, Guid accountId, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var membership = await db.AccountMemberships.FirstOrDefaultAsync(m => m.Id == id && m.AccountId == accountId, ct);
        if (membership is null)
        {
            return false;
        }
        db.AccountMemberships.Remove(membership);
        await db.AccountMemberTokens.Where(t => t.MemberId == membership.MemberId && t.AccountId == accountId).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The realm's members who are not in this account (EP's unassigned account members), filtered by name or email.</summary>
    public async Task<Page<AccountMemberDto>?> UnassignedAsync(ClaimsPrincipal user, Guid accountId, AccountMemberQuery query, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var terms = AccountMemberService.Schema.Parse(query.Filter);
        var page = query.Page;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return null;
        }
        var memberships = db.AccountMemberships;
        var q = members.Filter(db, terms).Where(m => !memberships.Any(x => x.AccountId == accountId && x.MemberId == m.Id));
        var rows = await AccountMemberService.Sort(q, query.Sort).Skip(page.Offset).Take(page.Limit).Select(AccountMemberService.ToDto).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count : (await Counting.CountAsync(q, exact: true, ct)).Total;
        return new Page<AccountMemberDto>(rows, total, page.Offset, page.Limit);
    }

    /// <summary>Members in no account at all (signed in through a provider, not yet placed): the console's view of them.</summary>
    public async Task<Page<AccountMemberDto>> WithoutAccountAsync(ClaimsPrincipal user, AccountMemberQuery query, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var terms = AccountMemberService.Schema.Parse(query.Filter);
        var page = query.Page;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var memberships = db.AccountMemberships;
        var q = members.Filter(db, terms).Where(m => !memberships.Any(x => x.MemberId == m.Id));
        var rows = await AccountMemberService.Sort(q, query.Sort).Skip(page.Offset).Take(page.Limit).Select(AccountMemberService.ToDto).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count : (await Counting.CountAsync(q, exact: true, ct)).Total;
        return new Page<AccountMemberDto>(rows, total, page.Offset, page.Limit);
    }

    /// <summary>Memberships with their member and account, oldest first; a page of them when <paramref name="page"/> is given.</summary>
    private static IQueryable<MembershipDto> Joined(AppDbContext db, IQueryable<AccountMembership> memberships, PageRequest? page = null)
    {
        var ordered = memberships.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id);
        var rows = page is { } p ? ordered.Skip(p.Offset).Take(p.Limit) : ordered;
        return from m in rows
        join member in db.AccountMembers on m.MemberId equals member.Id
        join account in db.Accounts on m.AccountId equals account.Id
        orderby m.CreatedAt, m.Id
        select new MembershipDto(m.Id, m.AccountId, m.MemberId, m.CreatedAt, m.UpdatedAt, member.Name, member.Email, account.Name, account.LegalName,
            account.RegistrationId);
    }
}
