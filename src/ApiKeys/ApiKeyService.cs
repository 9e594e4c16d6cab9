using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.ApiKeys;

public sealed record ApiKeySummary(Guid Id, string Name, string ClientId, string SecretHint, DateTime CreatedAt, string CreatedBy,
    DateTime? RevokedAt, DateTime? LastUsedAt);

/// <summary>A newly created key: the only time its secret is ever visible.</summary>
public sealed record NewApiKey(ApiKeySummary Key, string ClientSecret);

public sealed class ApiKeyService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    // Token requests and every API call ask whether a key is still active; a short cache keeps that off the database.
    private readonly ConcurrentDictionary<string, (bool Active, DateTime Until)> activeCache = new(StringComparer.Ordinal);
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSettings);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenByDescending(k => k.CreatedAt)
            .Select(k => new ApiKeySummary(k.Id, k.Name, k.ClientId, k.SecretHint, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.LastUsedAt))
            .ToListAsync(ct);
    }

    public async Task<NewApiKey> CreateAsync(ClaimsPrincipal user, string name, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSettings);
        var clean = string.IsNullOrWhiteSpace(name) ? "API key" : name.Trim();
        if (clean.Length > 100)
        {
            clean = clean[..100];
        }
        var secret = RandomToken(40);
        var key = await InsertAsync(clean, RandomToken(40), secret, user.Identity?.Name ?? "admin", ct);
        return new NewApiKey(key, secret);
    }

    public async Task<bool> RevokeAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSettings);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null || key.RevokedAt is not null)
        {
            return false;
        }
        key.RevokedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        activeCache.TryRemove(key.ClientId, out _);
        return true;
    }

    /// <summary>Creates the key named by configuration unless a key with that client id exists (used at start-up).</summary>
    public async Task<bool> EnsureAsync(string clientId, string clientSecret, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.ApiKeys.AnyAsync(k => k.ClientId == clientId, ct))
        {
            return false;
        }
        try
        {
            await InsertAsync("Bootstrap key (from configuration)", clientId, clientSecret, "configuration", ct);
            return true;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another instance starting at the same time created it.
            return false;
        }
    }

    /// <summary>The active key with this client id (and secret, when one is given), or null.</summary>
    public async Task<ApiKey?> FindActiveAsync(string clientId, string? clientSecret, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.ClientId == clientId && k.RevokedAt == null, ct);
        if (key is null || (clientSecret is not null && !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(key.SecretHash), Encoding.ASCII.GetBytes(Hash(clientSecret)))))
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(5))
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return key;
    }

    /// <summary>Is the key behind an access token still active? Revocation ends its tokens within 30 seconds.</summary>
    public async Task<bool> IsActiveAsync(string clientId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (activeCache.TryGetValue(clientId, out var cached) && cached.Until > now)
        {
            return cached.Active;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = await db.ApiKeys.AnyAsync(k => k.ClientId == clientId && k.RevokedAt == null, ct);
        activeCache[clientId] = (active, now + CacheFor);
        return active;
    }

    private async Task<ApiKeySummary> InsertAsync(string name, string clientId, string secret, string createdBy, CancellationToken ct)
    {
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(), Name = name, ClientId = clientId, SecretHash = Hash(secret),
            SecretHint = secret.Length >= 4 ? secret[^4..] : secret, CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedBy = createdBy,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        activeCache.TryRemove(clientId, out _);
        return new ApiKeySummary(key.Id, key.Name, key.ClientId, key.SecretHint, key.CreatedAt, key.CreatedBy, null, null);
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string RandomToken(int length) =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length);
}
