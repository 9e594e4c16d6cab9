using System.Security.Cryptography;
using CommerceManager.Data;
using CommerceManager.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CommerceManager.Tokens;

public sealed record IssuedToken(string Token, Guid Id, DateTimeOffset Expires);

/// <summary>What a valid access token says about its caller.</summary>
public sealed record AccessGrant(string ClientId, string GrantType);

/// <summary>
/// Signs and checks the API's tokens: one-hour access tokens (implicit / client_credentials) and 24-hour customer
/// tokens. Both are HS256 JWTs under a key generated on first run and stored encrypted in the database, so every
/// instance sharing the database (and Data Protection keys) accepts them. Customer tokens are also recorded, so
/// deleting a customer ends them.
/// </summary>
public sealed class TokenService(IDbContextFactory<AppDbContext> dbFactory, IDataProtectionProvider protection, TimeProvider clock,
    ILogger<TokenService> log)
{
    public const string GrantImplicit = "implicit";
    public const string GrantClientCredentials = "client_credentials";
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan CustomerTokenLifetime = TimeSpan.FromHours(24);

    private const string Issuer = "commerce-manager";
    private const string AccessAudience = "commerce-manager/api";
    private const string CustomerAudience = "commerce-manager/customer";
    private const string AccountMemberAudience = "commerce-manager/account-member";
    /// <summary>The first key's id: fixed, so two instances starting on an empty database create it once.</summary>
    private const string FirstKeyId = "default";

    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SemaphoreSlim keyLock = new(1, 1);

    public async Task<IssuedToken> IssueAccessTokenAsync(string clientId, string grantType, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = AccessAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + AccessTokenLifetime).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["grant"] = grantType, ["jti"] = id.ToString() },
            SigningCredentials = new SigningCredentials(await KeyAsync(ct), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, id, now + AccessTokenLifetime);
    }

    public async Task<AccessGrant?> ValidateAccessTokenAsync(string token, CancellationToken ct = default)
    {
        // Every API call brings its access token: one checked before is answered from memory until it expires, as
        // long as the keys that signed it are still the keys (a rotation that discards them ends it here too).
        // Access tokens are not revoked one by one; their API key is, and the caller checks that separately.
        var keys = await KeysAsync(ct);
        if (checkedAccess.TryGetValue(token, out var known) && ReferenceEquals(known.Keys, keys) && clock.GetUtcNow() < known.Expires)
        {
            return known.Grant;
        }
        var result = await ValidateAsync(token, AccessAudience, ct);
        if (result is null || !result.Claims.TryGetValue("sub", out var sub) || !result.Claims.TryGetValue("grant", out var grant))
        {
            return null;
        }
        var access = new AccessGrant(sub.ToString()!, grant.ToString()!);
        if (checkedAccess.Count >= MaxCheckedAccessTokens)
        {
            checkedAccess.Clear(); // bounded: a flood of distinct tokens costs a re-check, never memory
        }
        checkedAccess[token] = (access, keys, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero));
        return access;
    }

    private const int MaxCheckedAccessTokens = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (AccessGrant Grant, SigningKeys Keys, DateTimeOffset Expires)> checkedAccess =
        new(StringComparer.Ordinal);

    public async Task<IssuedToken> IssueCustomerTokenAsync(Guid customerId, string mechanism, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // Keep the table small: a customer's expired tokens go when a new one is issued.
            await db.CustomerTokens.Where(t => t.CustomerId == customerId && t.ExpiresAt < now.UtcDateTime).ExecuteDeleteAsync(ct);
            db.CustomerTokens.Add(new CustomerToken
            {
                Id = id, CustomerId = customerId, Mechanism = mechanism, CreatedAt = now.UtcDateTime, ExpiresAt = (now + CustomerTokenLifetime).UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
        }
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = CustomerAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + CustomerTokenLifetime).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = customerId.ToString(), ["jti"] = id.ToString() },
            SigningCredentials = new SigningCredentials(await KeyAsync(ct), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, id, now + CustomerTokenLifetime);
    }

    /// <summary>
    /// The customer a customer token belongs to and the token's id, or null if it is forged, expired, ended (signed out,
    /// a password or email change, a provider link) or its customer was deleted: one primary-key read.
    /// </summary>
    public async Task<(Guid CustomerId, Guid TokenId)?> ValidateCustomerTokenAsync(string token, CancellationToken ct = default)
    {
        var result = await ValidateAsync(token, CustomerAudience, ct);
        if (result is null
            || !result.Claims.TryGetValue("sub", out var sub) || !Guid.TryParse(sub.ToString(), out var customerId)
            || !result.Claims.TryGetValue("jti", out var jti) || !Guid.TryParse(jti.ToString(), out var tokenId))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var known = await db.CustomerTokens.AnyAsync(t => t.Id == tokenId && t.CustomerId == customerId, ct);
        return known ? (customerId, tokenId) : null;
    }

    /// <summary>
    /// An account management authentication token: one member, one account, for <paramref name="lifetime"/> (at most
    /// <see cref="CustomerTokenLifetime"/>, so a key rotation never ends one early). <paramref name="claims"/> are EP's
    /// informational claims (realm, store, self-management); <c>sub</c> is the member, <c>scope</c> and
    /// <c>account_id</c> the account.
    /// </summary>
    public async Task<IssuedToken> IssueAccountMemberTokenAsync(Guid memberId, Guid accountId, string mechanism, TimeSpan lifetime,
        IReadOnlyDictionary<string, object> claims, CancellationToken ct = default)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > CustomerTokenLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "An account token lives between a second and 24 hours.");
        }
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.AccountMemberTokens.Where(t => t.MemberId == memberId && t.ExpiresAt < now.UtcDateTime).ExecuteDeleteAsync(ct);
            db.AccountMemberTokens.Add(new AccountMemberToken
            {
                Id = id, MemberId = memberId, AccountId = accountId, Mechanism = mechanism, CreatedAt = now.UtcDateTime, ExpiresAt = (now + lifetime).UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
        }
        var all = new Dictionary<string, object>(claims)
        {
            ["sub"] = memberId.ToString(), ["jti"] = id.ToString(), ["account_id"] = accountId.ToString(), ["scope"] = accountId.ToString(),
        };
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = AccountMemberAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = all,
            SigningCredentials = new SigningCredentials(await KeyAsync(ct), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, id, now + lifetime);
    }

    /// <summary>
    /// The member and account an account token is for and the token's id, or null if it is forged, expired, or was
    /// ended (the member, account or membership deleted, a password change): one primary-key read.
    /// </summary>
    public async Task<(Guid MemberId, Guid AccountId, Guid TokenId)?> ValidateAccountMemberTokenAsync(string token, CancellationToken ct = default)
    {
        var result = await ValidateAsync(token, AccountMemberAudience, ct);
        if (result is null
            || !result.Claims.TryGetValue("sub", out var sub) || !Guid.TryParse(sub.ToString(), out var memberId)
            || !result.Claims.TryGetValue("account_id", out var account) || !Guid.TryParse(account.ToString(), out var accountId)
            || !result.Claims.TryGetValue("jti", out var jti) || !Guid.TryParse(jti.ToString(), out var tokenId))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var known = await db.AccountMemberTokens.AnyAsync(t => t.Id == tokenId && t.MemberId == memberId && t.AccountId == accountId, ct);
        return known ? (memberId, accountId, tokenId) : null;
    }

    /// <summary>Ends one customer token (a customer signing out on one device).</summary>
    public async Task<bool> EndAsync(Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CustomerTokens.Where(t => t.Id == tokenId).ExecuteDeleteAsync(ct) > 0;
    }

    private async Task<TokenValidationResult?> ValidateAsync(string token, string audience, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = audience,
            // The current key, and a rotated-out one for as long as tokens it signed can live.
            IssuerSigningKeys = keys.Valid,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = clock.LifetimeValidator(),
        });
        return result.IsValid ? result : null;
    }

    /// <summary>
    /// Replaces the signing key: new tokens are signed with a new key, and the previous one keeps validating for the
    /// longest token lifetime (24 hours), so nobody is signed out. Keys that can no longer sign anything alive are
    /// deleted. With <paramref name="discardExisting"/> every stored key goes first (for a database whose keys no
    /// instance can unseal any more): every token ends.
    /// </summary>
    /// <returns>The new key's id.</returns>
    public async Task<string> RotateAsync(bool discardExisting = false, CancellationToken ct = default)
    {
        var protector = protection.CreateProtector(ProtectorPurpose);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (discardExisting)
        {
            await db.SigningKeys.ExecuteDeleteAsync(ct);
        }
        var existing = await db.SigningKeys.AsNoTracking().ToListAsync(ct);
        if (!discardExisting)
        {
            // Refuse to rotate away from keys this instance can't read: that would hide the deployment fault.
            foreach (var key in existing)
            {
                Unseal(protector, key);
            }
        }
        var next = (existing.Select(k => int.TryParse(k.Id, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1)
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        var now = clock.GetUtcNow().UtcDateTime;
        // Never earlier than the newest key, so "newest" stays the one just made even if clocks differ.
        var createdAt = existing.Count == 0 ? now : new DateTime(Math.Max(now.Ticks, existing.Max(k => k.CreatedAt).Ticks + TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        var created = new SigningKey { Id = next, ProtectedSecret = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))), CreatedAt = createdAt };
        db.SigningKeys.Add(created);
        await db.SaveChangesAsync(ct);
        var all = Ordered([created, .. existing]);
        var stale = all.Skip(StillValid(all, now)).Select(k => k.Id).ToList();
        await db.SigningKeys.Where(k => stale.Contains(k.Id)).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        cached = null;
        log.LogWarning("Rotated the API signing key: new tokens are signed with key {KeyId}.", next);
        return next;
    }

    private static List<SigningKey> Ordered(IEnumerable<SigningKey> keys) =>
        [.. keys.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id, StringComparer.Ordinal)];

    /// <summary>
    /// How many of the newest keys still validate: the newest, and each older one while tokens it signed can be alive
    /// (until its successor is a token lifetime old).
    /// </summary>
    private static int StillValid(List<SigningKey> ordered, DateTime now)
    {
        var count = Math.Min(ordered.Count, 1);
        while (count < ordered.Count && ordered[count - 1].CreatedAt >= now - CustomerTokenLifetime)
        {
            count++;
        }
        return count;
    }

    private const string ProtectorPurpose = "CommerceManager.SigningKeys";
    private static readonly TimeSpan KeysFor = TimeSpan.FromMinutes(1);
    private sealed record SigningKeys(SymmetricSecurityKey Current, IReadOnlyList<SecurityKey> Valid, DateTimeOffset ReadAt);
    private SigningKeys? cached;

    private async Task<SymmetricSecurityKey> KeyAsync(CancellationToken ct) => (await KeysAsync(ct)).Current;

    /// <summary>
    /// The signing keys, read from the database (re-read every minute, so a rotation on another instance is seen) and
    /// created on first use exactly once (the key's id is the primary key). A key that cannot be unsealed means this
    /// instance's Data Protection keys are not the ones that sealed it: that is refused loudly, never papered over by
    /// a new key that would sign every other instance's customers out.
    /// </summary>
    /// <summary>
    /// At start-up: creates the signing key on a new database and makes sure this instance can unseal the keys in
    /// use (throws <see cref="SigningKeyUnavailableException"/> when its Data Protection keys are not the ones they were sealed with).
    /// </summary>
    public async Task EnsureSigningKeysAsync(CancellationToken ct = default) => await KeysAsync(ct);

    private async Task<SigningKeys> KeysAsync(CancellationToken ct)
    {
        if (cached is { } keys && clock.GetUtcNow() - keys.ReadAt < KeysFor)
        {
            return keys;
        }
        await keyLock.WaitAsync(ct);
        try
        {
            if (cached is { } again && clock.GetUtcNow() - again.ReadAt < KeysFor)
            {
                return again;
            }
            var protector = protection.CreateProtector(ProtectorPurpose);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var stored = await db.SigningKeys.AsNoTracking().ToListAsync(ct);
            if (stored.Count == 0)
            {
                db.SigningKeys.Add(new SigningKey
                {
                    Id = FirstKeyId,
                    ProtectedSecret = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
                    CreatedAt = clock.GetUtcNow().UtcDateTime,
                });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
                {
                    // Another instance created it first: use theirs.
                }
                stored = await db.SigningKeys.AsNoTracking().ToListAsync(ct);
            }
            var ordered = Ordered(stored);
            var valid = ordered.Take(StillValid(ordered, clock.GetUtcNow().UtcDateTime)).Select(k => (SecurityKey)Unseal(protector, k)).ToList();
            cached = new SigningKeys((SymmetricSecurityKey)valid[0], valid, clock.GetUtcNow());
            return cached;
        }
        finally
        {
            keyLock.Release();
        }
    }

    private SymmetricSecurityKey Unseal(IDataProtector protector, SigningKey stored)
    {
        try
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(protector.Unprotect(stored.ProtectedSecret))) { KeyId = stored.Id };
        }
        catch (CryptographicException ex)
        {
            log.LogCritical("The API signing key {KeyId} cannot be unsealed with this instance's Data Protection keys.", stored.Id);
            throw new SigningKeyUnavailableException(
                "The API signing key in the database cannot be unsealed with this instance's Data Protection keys, so no API token can be issued or checked. " +
                "Give every instance the same keys (DataProtection__KeysPath on shared storage, or the database with PostgreSQL, and the same " +
                "DataProtection__CertificatePath), or restore the keys folder from backup. To start over with a new signing key (every token ends), run " +
                "`dotnet run --project tools/CommerceManager.Tools -- rotate-signing-key --replace-unreadable`.", ex);
        }
    }
}

/// <summary>The stored signing key cannot be unsealed here: a deployment fault to fix, not something to paper over.</summary>
public sealed class SigningKeyUnavailableException(string message, Exception inner) : InvalidOperationException(message, inner);
