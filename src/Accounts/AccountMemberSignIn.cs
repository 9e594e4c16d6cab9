using CommerceManager.Common;
using CommerceManager.CustomerSignIn;
using CommerceManager.Data;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>
/// Account members signing in through the account realm's OpenID Connect profiles (EP's core starter): the member a
/// provider identity signed in as before; else, under <c>duplicate_email_policy: allowed</c>, a new member (with an
/// account of its own when the store auto-creates them); under <c>api_only</c>, the member who has the verified email,
/// whose passwords are removed and tokens ended (so whoever registered the email first keeps no way in). A member with
/// no account yet gets no tokens: EP calls it unassigned, and staff assign it in the console.
/// </summary>
public sealed class AccountMemberSignIn(IDbContextFactory<AppDbContext> dbFactory, AccountSettingsService settings, TimeProvider clock,
    ILogger<AccountMemberSignIn> log) : IRealmMembers
{
    public RealmKind Realm => RealmKind.AccountMembers;

    public async Task<Outcome<Guid>> FindOrCreateAsync(OidcProfile profile, ProviderIdentity identity, string duplicateEmailPolicy, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var login = await db.AccountMemberLogins.FirstOrDefaultAsync(l => l.ProfileId == profile.Id && l.Subject == identity.Subject, ct);
        if (login is not null)
        {
            login.LastSignInAt = now;
            login.Email = identity.Email;
            await db.SaveChangesAsync(ct);
            return login.MemberId;
        }
        var link = new AccountMemberLogin
        {
            Id = Guid.CreateVersion7(), ProfileId = profile.Id, Subject = identity.Subject, Email = identity.Email, CreatedAt = now, LastSignInAt = now,
        };
        if (duplicateEmailPolicy == DuplicateEmailPolicy.ApiOnly)
        {
            var normalized = AccountText.FoldEmail(identity.Email);
            var existing = await db.AccountMembers.Where(m => m.NormalizedEmail == normalized).OrderBy(m => m.CreatedAt).FirstOrDefaultAsync(ct);
            if (existing is not null)
            {
                if (!identity.EmailVerified)
                {
                    return Outcome.Duplicate<Guid>("email", $"An account member with this email already exists, and {profile.Name} has not verified that " +
                        "the email belongs to this person. Sign in with the password instead, or verify the email at the provider.");
                }
                // Link, in one transaction: the identity, no password any more, every token of the member ended.
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                link.MemberId = existing.Id;
                db.AccountMemberLogins.Add(link);
                db.MemberPasswords.RemoveRange(await db.MemberPasswords.Where(p => p.MemberId == existing.Id).ToListAsync(ct));
                var ended = await db.AccountMemberTokens.Where(t => t.MemberId == existing.Id).ExecuteDeleteAsync(ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                log.LogWarning("Account member sign-in with {Provider} linked a new identity to member {MemberId} by its verified email " +
                    "(duplicate_email_policy api_only): passwords removed, {Tokens} token(s) ended.", profile.Name, existing.Id, ended);
                return existing.Id;
            }
        }
        var store = await settings.GetAsync(ct);
        var member = AccountMemberService.NewMember(new AccountMemberInput { Name = identity.Name, Email = identity.Email }, now);
        db.AccountMembers.Add(member);
        link.MemberId = member.Id;
        db.AccountMemberLogins.Add(link);
        if (store.AutoCreateAccountForAccountMembers)
        {
            var account = new ShopperAccount { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now, Version = Guid.NewGuid() };
            account.SetName(member.Name);
            account.SetLegalName(member.Name);
            db.Accounts.Add(account);
            db.AccountMemberships.Add(new AccountMembership { Id = Guid.CreateVersion7(), AccountId = account.Id, MemberId = member.Id, CreatedAt = now, UpdatedAt = now });
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Two first sign-ins at once: the other one created the member; sign in as it.
            await using var again = await dbFactory.CreateDbContextAsync(ct);
            return await again.AccountMemberLogins.Where(l => l.ProfileId == profile.Id && l.Subject == identity.Subject).Select(l => l.MemberId).FirstAsync(ct);
        }
        return member.Id;
    }
}
