using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Accounts;

/// <summary>
/// A one-time password for a member's username in a password profile (EP's one-time password token): only its hash is
/// kept; it lasts <see cref="OneTimePasswords.Lifetime"/>, works once, and is void after <see cref="OneTimePasswords.MaxTries"/>
/// wrong tries. A new request replaces the one before.
/// </summary>
public sealed class OneTimePassword
{
    public Guid Id { get; set; }
    /// <summary>The username entry (<see cref="MemberPassword"/>) it signs in; deleting the entry or the member deletes it.</summary>
    public Guid PasswordId { get; set; }
    public string Purpose { get; set; } = "";
    public string CodeHash { get; set; } = "";
    public int Failures { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

internal sealed class OneTimePasswordConfiguration : IEntityTypeConfiguration<OneTimePassword>
{
    public void Configure(EntityTypeBuilder<OneTimePassword> b)
    {
        b.ToTable("OneTimePasswords");
        b.Property(o => o.Purpose).HasMaxLength(40);
        b.Property(o => o.CodeHash).HasMaxLength(64);
        b.HasOne<MemberPassword>().WithMany().HasForeignKey(o => o.PasswordId).OnDelete(DeleteBehavior.Cascade);
        // One code at a time per username entry.
        b.HasIndex(o => o.PasswordId).IsUnique();
        b.HasIndex(o => o.ExpiresAt);
    }
}

/// <summary>
/// EP's one-time password tokens: a shopper who forgot their password (or signs in without one) asks for a code; the
/// store hands it to the webhooks observing <c>one-time-password-token-request.created</c>, whose receiver sends it to
/// the shopper; the shopper's storefront exchanges it at <c>POST /v2/account-members/tokens</c>
/// (<c>authentication_mechanism: passwordless</c>) for the member's account tokens.
/// </summary>
public sealed class OneTimePasswords(IDbContextFactory<AppDbContext> dbFactory, AccountSettingsService settings, IStoreEvents events, TimeProvider clock,
    ILogger<OneTimePasswords> logger)
{
    public const string RequestedEvent = "one-time-password-token-request.created";
    public const string ResetPassword = "reset_password";
    public const string PasswordlessAuthentication = "passwordless_authentication";
    public static readonly string[] Purposes = [ResetPassword, PasswordlessAuthentication];
    /// <summary>EP: "This code is valid for 10 minutes".</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public const int MaxTries = 5;
    public const string NotEnabled = "One-time password tokens are not enabled on this password profile: set enable_one_time_password_token to true.";

    // Six characters without look-alikes (no 0/o, 1/l): about a billion codes, five tries each.
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int Length = 6;

    /// <summary>
    /// Accepts a request for a code for <paramref name="username"/> in the profile: NotFound when the realm or profile is
    /// not the account realm's, Refused when the profile does not allow one-time passwords, else Ok at once. The code is
    /// made and published in the background, and only when a member has that username, so neither the answer nor its
    /// timing tells anyone who has an account.
    /// </summary>
    public async Task<Outcome<bool>> RequestAsync(Guid realmId, Guid profileId, string username, string purpose, CancellationToken ct = default)
    {
        var store = await settings.GetAsync(ct);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var profile = realmId == store.Realm.Id ? await db.PasswordProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == profileId, ct) : null;
            if (profile is null)
            {
                return Outcome.NotFound<bool>();
            }
            if (!profile.EnableOneTimePasswordToken)
            {
                return Outcome.Refused<bool>(NotEnabled, "enable_one_time_password_token");
            }
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await IssueAsync(store.Realm.Id, profileId, username, purpose, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Could not issue a one-time password for password profile {Profile}", profileId);
            }
        }, CancellationToken.None);
        return true;
    }

    /// <summary>Makes the code (replacing the username's previous one) and publishes it; nothing for an unknown username.</summary>
    private async Task IssueAsync(Guid realmId, Guid profileId, string username, string purpose, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var normalized = AccountText.FoldEmail(username);
        var entry = await db.MemberPasswords.AsNoTracking().FirstOrDefaultAsync(p => p.PasswordProfileId == profileId && p.NormalizedUsername == normalized, ct);
        if (entry is null)
        {
            return;
        }
        var member = await db.AccountMembers.AsNoTracking().FirstAsync(m => m.Id == entry.MemberId, ct);
        var now = clock.UtcNow();
        var code = RandomNumberGenerator.GetString(Alphabet, Length);
        var otp = new OneTimePassword { Id = Guid.CreateVersion7(), PasswordId = entry.Id, Purpose = purpose, CreatedAt = now, ExpiresAt = now + Lifetime };
        otp.CodeHash = Hash(otp.Id, code);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Set<OneTimePassword>().Where(o => o.PasswordId == entry.Id).ExecuteDeleteAsync(ct);
            db.Add(otp);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Two requests at once for one username (a double click): the other one's code stands, and was sent.
            return;
        }
        events.Publish(RequestedEvent, new JsonObject
        {
            ["authentication_realm_id"] = realmId.ToString(),
            ["password_profile_id"] = profileId.ToString(),
            ["purpose"] = purpose,
            ["one_time_password_token"] = code,
            ["created_at"] = ApiTime(now),
            ["updated_at"] = ApiTime(now),
            ["user_authentication_info"] = new JsonObject { ["id"] = member.Id.ToString(), ["name"] = member.Name, ["email"] = member.Email },
            ["user_authentication_password_profile_info"] = new JsonObject
            {
                ["id"] = entry.Id.ToString(), ["password_profile_id"] = profileId.ToString(), ["username"] = entry.Username,
            },
        });
    }

    /// <summary>The member whose code this is, once (the code is then gone); null for a wrong, used or expired code.</summary>
    public async Task<Guid?> RedeemAsync(Guid profileId, string username, string code, CancellationToken ct = default)
    {
        var normalized = AccountText.FoldEmail(username);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Only while the profile still allows one-time passwords: switching them off voids the codes already sent.
        var found = await (from o in db.Set<OneTimePassword>().AsNoTracking()
                           join p in db.MemberPasswords on o.PasswordId equals p.Id
                           join profile in db.PasswordProfiles on p.PasswordProfileId equals profile.Id
                           where p.PasswordProfileId == profileId && p.NormalizedUsername == normalized && profile.EnableOneTimePasswordToken
                           select new { Otp = o, p.MemberId }).FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }
        var otp = found.Otp;
        var now = clock.UtcNow();
        if (otp.ExpiresAt <= now)
        {
            await db.Set<OneTimePassword>().Where(o => o.Id == otp.Id).ExecuteDeleteAsync(ct);
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(otp.Id, code.Trim().ToLowerInvariant())), Encoding.ASCII.GetBytes(otp.CodeHash)))
        {
            // Counted in the database, so parallel guesses across instances share the five tries.
            var failures = await db.Set<OneTimePassword>().Where(o => o.Id == otp.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Failures, o => o.Failures + 1), ct);
            if (failures > 0 && otp.Failures + 1 >= MaxTries)
            {
                await db.Set<OneTimePassword>().Where(o => o.Id == otp.Id).ExecuteDeleteAsync(ct);
            }
            return null;
        }
        // Used once: whoever deletes the row first has signed in with it.
        return await db.Set<OneTimePassword>().Where(o => o.Id == otp.Id && o.Failures < MaxTries).ExecuteDeleteAsync(ct) == 1 ? found.MemberId : null;
    }

    /// <summary>Codes past their lifetime, deleted (an hourly chore).</summary>
    public async Task<int> ForgetExpiredAsync(CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<OneTimePassword>().Where(o => o.ExpiresAt <= now).ExecuteDeleteAsync(ct);
    }

    private static string Hash(Guid id, string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{id:N}:{code}")));

    private static string ApiTime(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", System.Globalization.CultureInfo.InvariantCulture);
}
