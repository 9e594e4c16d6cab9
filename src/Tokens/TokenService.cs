using System.Security.Claims;
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
    private const string KeyId = "default";

    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SemaphoreSlim keyLock = new(1, 1);
    private SymmetricSecurityKey? key;

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
        var result = await ValidateAsync(token, AccessAudience, ct);
        if (result is null || !result.Claims.TryGetValue("sub", out var sub) || !result.Claims.TryGetValue("grant", out var grant))
        {
            return null;
        }
        return new AccessGrant(sub.ToString()!, grant.ToString()!);
    }

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

    /// <summary>Ends one customer token (a customer signing out on one device).</summary>
    public async Task<bool> EndAsync(Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CustomerTokens.Where(t => t.Id == tokenId).ExecuteDeleteAsync(ct) > 0;
    }

    private async Task<TokenValidationResult?> ValidateAsync(string token, string audience, CancellationToken ct)
    {
        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = audience,
            IssuerSigningKey = await KeyAsync(ct),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = clock.LifetimeValidator(),
        });
        return result.IsValid ? result : null;
    }

    private async Task<SymmetricSecurityKey> KeyAsync(CancellationToken ct)
    {
        if (key is not null)
        {
            return key;
        }
        await keyLock.WaitAsync(ct);
        try
        {
            if (key is not null)
            {
                return key;
            }
            var protector = protection.CreateProtector("CommerceManager.SigningKeys");
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var stored = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == KeyId, ct);
            if (stored is null)
            {
                db.SigningKeys.Add(new SigningKey
                {
                    Id = KeyId,
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
                stored = await db.SigningKeys.AsNoTracking().FirstAsync(k => k.Id == KeyId, ct);
            }
            try
            {
                key = new SymmetricSecurityKey(Convert.FromBase64String(protector.Unprotect(stored.ProtectedSecret))) { KeyId = KeyId };
            }
            catch (CryptographicException)
            {
                // The Data Protection keys that sealed it are gone (a new data/keys folder): tokens already issued
                // cannot be checked anyway, so start a new signing key rather than refuse every call.
                log.LogWarning("The API signing key could not be unsealed (Data Protection keys changed); generating a new one. Issued tokens stop working.");
                var fresh = RandomNumberGenerator.GetBytes(32);
                await db.SigningKeys.Where(k => k.Id == KeyId)
                    .ExecuteUpdateAsync(u => u.SetProperty(k => k.ProtectedSecret, protector.Protect(Convert.ToBase64String(fresh))), ct);
                key = new SymmetricSecurityKey(fresh) { KeyId = KeyId };
            }
            return key;
        }
        finally
        {
            keyLock.Release();
        }
    }
}
