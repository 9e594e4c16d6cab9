using System.Security.Claims;
using System.Text.Json;
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

/// <summary>
/// An authentication realm of the store (EP's shape): its name, the storefront URIs sign-in may return to, and the
/// duplicate-email policy. <see cref="Kind"/> says whose realm it is: customers', or account members'.
/// </summary>
public sealed record RealmDto(Guid Id, Guid StoreId, string Name, IReadOnlyList<string> RedirectUris, string DuplicateEmailPolicy,
    RealmKind Kind = RealmKind.Customers)
{
    /// <summary>EP's <c>relationships.origin</c> type: the settings object that owns the realm.</summary>
    public string OriginType => Kind == RealmKind.Customers ? "customer-authentication-settings" : "account_authentication_settings";
}

/// <summary>EP keeps one realm per shopper population: legacy customers, and Account Management's members.</summary>
public enum RealmKind { Customers, AccountMembers }

public sealed class RealmInput
{
    public string? Name { get; set; }
    public IReadOnlyList<string>? RedirectUris { get; set; }
    public string? DuplicateEmailPolicy { get; set; }
}

/// <summary>
/// The store's two authentication realms (customers', and account members') and the store's id (EP names both in its
/// sign-in URLs); each created on first use.
/// </summary>
public sealed class RealmService(IDbContextFactory<AppDbContext> dbFactory)
{
    private const string StoreKey = "store-id";

    private static string RealmKey(RealmKind kind) => kind == RealmKind.Customers ? "customer-authentication-realm" : "account-authentication-realm";

    /// <summary>The customer realm.</summary>
    public Task<RealmDto> GetAsync(CancellationToken ct = default) => GetAsync(RealmKind.Customers, ct);

    public async Task<RealmDto> GetAsync(RealmKind kind, CancellationToken ct = default)
    {
        var key = RealmKey(kind);
        var realm = await IdAsync(key, ct);
        var store = await IdAsync(StoreKey, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var values = await db.AppSettings.AsNoTracking().Where(s => s.Key.StartsWith(key + ":")).ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        return new RealmDto(realm, store, values.GetValueOrDefault(key + NameSuffix) ?? (kind == RealmKind.Customers ? "Customer sign-in" : "Account Management Realm"),
            values.TryGetValue(key + RedirectUrisSuffix, out var uris) ? JsonSerializer.Deserialize<string[]>(uris) ?? [] : [],
            values.GetValueOrDefault(key + PolicySuffix) ?? DuplicateEmailPolicy.Allowed, kind);
    }

    /// <summary>Both realms, customers' first.</summary>
    public async Task<IReadOnlyList<RealmDto>> AllAsync(CancellationToken ct = default) =>
        [await GetAsync(RealmKind.Customers, ct), await GetAsync(RealmKind.AccountMembers, ct)];

    /// <summary>The realm with this id, or null.</summary>
    public async Task<RealmDto?> FindAsync(Guid realmId, CancellationToken ct = default) =>
        (await AllAsync(ct)).FirstOrDefault(r => r.Id == realmId);

    /// <summary>The realms' settings as the Activity page names them.</summary>
    internal static IEnumerable<(string Key, string Label)> RecordedSettings =>
        from kind in new[] { RealmKind.Customers, RealmKind.AccountMembers }
        let realm = kind == RealmKind.Customers ? "Customer sign-in realm" : "Account sign-in realm"
        from setting in new[] { (NameSuffix, "name"), (RedirectUrisSuffix, "redirect URIs"), (PolicySuffix, "duplicate email policy") }
        select (RealmKey(kind) + setting.Item1, $"{realm}: {setting.Item2}");

    private const string NameSuffix = ":name";
    private const string RedirectUrisSuffix = ":redirect-uris";
    private const string PolicySuffix = ":duplicate-email-policy";

    /// <summary>Changes what is given of the customer realm; the rest stays. Admins and API clients only.</summary>
    public Task<RealmDto> UpdateAsync(ClaimsPrincipal user, RealmInput input, CancellationToken ct = default) =>
        UpdateAsync(user, RealmKind.Customers, input, ct);

    /// <summary>Changes what is given; the rest stays. Admins and API clients only.</summary>
    public async Task<RealmDto> UpdateAsync(ClaimsPrincipal user, RealmKind kind, RealmInput input, CancellationToken ct = default)
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
        await GetAsync(kind, ct);
        var key = RealmKey(kind);
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
            await SetAsync(key + NameSuffix, newName.Trim());
        }
        if (input.RedirectUris is { } redirectUris)
        {
            await SetAsync(key + RedirectUrisSuffix, JsonSerializer.Serialize(redirectUris.Select(u => u.Trim()).Where(u => u.Length > 0).Distinct().ToArray()));
        }
        if (input.DuplicateEmailPolicy is { } newPolicy)
        {
            await SetAsync(key + PolicySuffix, newPolicy);
        }
        await db.SaveChangesAsync(ct);
        return await GetAsync(kind, ct);
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
