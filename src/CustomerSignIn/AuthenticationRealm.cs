using System.Security.Claims;
using System.Text.Json;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.CustomerSignIn;

/// <summary>What a first sign-in through a provider does when a customer already has the person's email (EP's values).</summary>
public static class DuplicateEmailPolicy
{
    /// <summary>A new provider identity creates a new customer, even when one has the email already (EP's default, and the safe choice).</summary>
    public const string Allowed = "allowed";

    /// <summary>A new provider identity with a verified email is linked to the customer who has it: that customer's password is removed and its tokens end.</summary>
    public const string ApiOnly = "api_only";

    public static readonly string[] All = [Allowed, ApiOnly];
}

/// <summary>The store's customer authentication realm (EP's shape): its name, the storefront URIs sign-in may return to, and the duplicate-email policy.</summary>
public sealed record RealmDto(Guid Id, Guid StoreId, string Name, IReadOnlyList<string> RedirectUris, string DuplicateEmailPolicy);

public sealed class RealmInput
{
    public string? Name { get; set; }
    public IReadOnlyList<string>? RedirectUris { get; set; }
    public string? DuplicateEmailPolicy { get; set; }
}

/// <summary>The one customer authentication realm and the store's id (EP names both in its sign-in URLs); created on first use.</summary>
public sealed class RealmService(IDbContextFactory<AppDbContext> dbFactory)
{
    private const string RealmKey = "customer-authentication-realm";
    private const string StoreKey = "store-id";
    private const string NameKey = RealmKey + ":name";
    private const string RedirectUrisKey = RealmKey + ":redirect-uris";
    private const string PolicyKey = RealmKey + ":duplicate-email-policy";

    public async Task<RealmDto> GetAsync(CancellationToken ct = default)
    {
        var realm = await IdAsync(RealmKey, ct);
        var store = await IdAsync(StoreKey, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var values = await db.AppSettings.AsNoTracking().Where(s => s.Key.StartsWith(RealmKey + ":")).ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        return new RealmDto(realm, store, values.GetValueOrDefault(NameKey) ?? "Customer sign-in",
            values.TryGetValue(RedirectUrisKey, out var uris) ? JsonSerializer.Deserialize<string[]>(uris) ?? [] : [],
            values.GetValueOrDefault(PolicyKey) ?? DuplicateEmailPolicy.Allowed);
    }

    /// <summary>Changes what is given; the rest stays. Admins and API clients only.</summary>
    public async Task<RealmDto> UpdateAsync(ClaimsPrincipal user, RealmInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        var failures = new List<ValidationFailure>();
        if (input.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 255))
        {
            failures.Add(new(nameof(RealmInput.Name), "The realm needs a name (up to 255 characters)."));
        }
        if (input.DuplicateEmailPolicy is { } policy && !DuplicateEmailPolicy.All.Contains(policy))
        {
            failures.Add(new(nameof(RealmInput.DuplicateEmailPolicy), "duplicate_email_policy must be allowed or api_only."));
        }
        foreach (var uri in input.RedirectUris ?? [])
        {
            if (RedirectUriProblem(uri) is { } problem)
            {
                failures.Add(new(nameof(RealmInput.RedirectUris), problem));
            }
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        await GetAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        async Task SetAsync(string key, string value)
        {
            var row = await db.AppSettings.FirstOrDefaultAsync(s => s.Key == key, ct);
            if (row is null)
            {
                db.AppSettings.Add(new AppSetting { Key = key, Value = value });
            }
            else
            {
                row.Value = value;
            }
        }
        if (input.Name is { } newName)
        {
            await SetAsync(NameKey, newName.Trim());
        }
        if (input.RedirectUris is { } redirectUris)
        {
            await SetAsync(RedirectUrisKey, JsonSerializer.Serialize(redirectUris.Select(u => u.Trim()).Where(u => u.Length > 0).Distinct().ToArray()));
        }
        if (input.DuplicateEmailPolicy is { } newPolicy)
        {
            await SetAsync(PolicyKey, newPolicy);
        }
        await db.SaveChangesAsync(ct);
        return await GetAsync(ct);
    }

    /// <summary>EP's rule for storefront redirect URIs: absolute https, or http on this machine (localhost) for development.</summary>
    public static string? RedirectUriProblem(string uri) =>
        !Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var parsed) ? $"'{uri}' is not an absolute URL."
        : parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback) ? (parsed.Fragment.Length > 0 ? $"'{uri}' must not have a fragment." : null)
        : $"'{uri}' must start with https:// (http:// only for localhost).";

    private async Task<Guid> IdAsync(string key, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.AppSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, ct);
        if (stored is not null)
        {
            return Guid.Parse(stored.Value);
        }
        db.AppSettings.Add(new AppSetting { Key = key, Value = Guid.NewGuid().ToString() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Created by a concurrent request (or another instance): read theirs below.
        }
        await using var again = await dbFactory.CreateDbContextAsync(ct);
        return Guid.Parse((await again.AppSettings.AsNoTracking().FirstAsync(s => s.Key == key, ct)).Value);
    }
}
