using System.Collections.Concurrent;
using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace CommerceManager.CustomerSignIn;

public sealed record OidcProfileDto(Guid Id, string Name, string DiscoveryUrl, string ClientId, string Scopes, IReadOnlyList<string> RedirectUris,
    bool Enabled, string? AuthorizationEndpoint, string? Issuer, DateTime? DiscoveredAt, string? DiscoveryError, DateTime CreatedAt, DateTime UpdatedAt, int? LinkedCustomers,
    bool AllowUnlistedPkce = false, RealmKind Realm = RealmKind.Customers)
{
    /// <summary>The provider's authorize URL with client id, response type and scopes: a storefront adds state, its redirect URI and PKCE.</summary>
    public string? AuthorizationLink => AuthorizationEndpoint is null ? null
        : AuthorizationEndpoint + (AuthorizationEndpoint.Contains('?') ? "&" : "?")
          + $"client_id={Uri.EscapeDataString(ClientId)}&response_type=code&scope={Uri.EscapeDataString(Scopes)}";
}

public sealed class OidcProfileInput
{
    public string Name { get; set; } = "";
    public string DiscoveryUrl { get; set; } = "";
    public string ClientId { get; set; } = "";
    /// <summary>Empty on an edit keeps the stored secret.</summary>
    public string? ClientSecret { get; set; }
    public string Scopes { get; set; } = "openid email profile";
    public string RedirectUris { get; set; } = "";
    public bool Enabled { get; set; } = true;
    /// <summary>Accept a provider whose discovery document does not list PKCE S256 (it must still honour it).</summary>
    public bool AllowUnlistedPkce { get; set; }
    /// <summary>The realm a new profile belongs to (fixed once created).</summary>
    public RealmKind Realm { get; set; } = RealmKind.Customers;
}

public sealed record DiscoveryResult(bool Ok, string? Issuer, string? AuthorizationEndpoint, string? TokenEndpoint, string? JwksUri,
    IReadOnlyList<string> ScopesSupported, string? Error);

public sealed class SignInSettings
{
    /// <summary>Allow plain-http providers beyond loopback addresses (never in production).</summary>
    public bool AllowHttpProviders { get; set; }

    /// <summary>Allow providers on loopback, private, link-local or multicast addresses (labs and tests; never in production).</summary>
    public bool AllowPrivateProviders { get; set; }

    /// <summary>How long a call to a provider may take.</summary>
    public int ProviderTimeoutSeconds { get; set; } = 10;
}

/// <summary>OpenID Connect providers for customer sign-in, their discovery documents and the store's authentication realm.</summary>
public sealed class OidcProfileService(IDbContextFactory<AppDbContext> dbFactory, IDataProtectionProvider protection, IHttpClientFactory http,
    Microsoft.Extensions.Options.IOptions<SignInSettings> settings, TimeProvider clock, ILogger<OidcProfileService> log)
{
    public const string HttpClientName = "oidc";
    private readonly IDataProtector protector = protection.CreateProtector("CommerceManager.OidcClientSecrets");
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> configurations = new();

    /// <summary>
    /// The profiles (never their secrets). Open to any caller: storefronts read the enabled ones to start sign-in.
    /// <paramref name="countLinked"/> counts each profile's linked customers (a scan of every login: for the settings
    /// page, not for sign-in); otherwise <see cref="OidcProfileDto.LinkedCustomers"/> is null.
    /// </summary>
    public async Task<IReadOnlyList<OidcProfileDto>> ListAsync(bool enabledOnly, bool countLinked = false, CancellationToken ct = default,
        RealmKind realm = RealmKind.Customers)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profiles = await db.OidcProfiles.AsNoTracking().Where(p => (!enabledOnly || p.Enabled) && p.Realm == realm).OrderBy(p => p.Name).ToListAsync(ct);
        var linked = countLinked
            ? await db.CustomerLogins.GroupBy(l => l.ProfileId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct)
            : null;
        return profiles.Select(p => ToDto(p, linked is null ? null : linked.GetValueOrDefault(p.Id))).ToList();
    }

    public async Task<OidcProfileDto?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profile = await db.OidcProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return profile is null ? null : ToDto(profile, await db.CustomerLogins.CountAsync(l => l.ProfileId == id, ct));
    }

    /// <summary>Adds a provider after checking its discovery document; the result of that check is kept with it.</summary>
    public async Task<OidcProfileDto> CreateAsync(ClaimsPrincipal user, OidcProfileInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        Validate(input, creating: true);
        var now = clock.UtcNow();
        var profile = new OidcProfile { Id = Guid.CreateVersion7(), CreatedAt = now, Realm = input.Realm };
        Apply(profile, input, now);
        await DiscoverInto(profile, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.OidcProfiles.Add(profile);
        await db.SaveChangesAsync(ct);
        return ToDto(profile, 0);
    }

    public async Task<OidcProfileDto?> UpdateAsync(ClaimsPrincipal user, Guid id, OidcProfileInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        Validate(input, creating: false);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profile = await db.OidcProfiles.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return null;
        }
        Apply(profile, input, clock.UtcNow());
        configurations.TryRemove(profile.Id.ToString(), out _);
        await DiscoverInto(profile, ct);
        await db.SaveChangesAsync(ct);
        return ToDto(profile, await db.CustomerLogins.CountAsync(l => l.ProfileId == id, ct));
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        configurations.TryRemove(id.ToString(), out _);
        return await db.OidcProfiles.Where(p => p.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    /// <summary>Which providers a customer can sign in with.</summary>
    public async Task<IReadOnlyList<(string Provider, string? Email, DateTime LastSignInAt)>> LoginsOfAsync(ClaimsPrincipal user, Guid customerId, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: false))
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (from l in db.CustomerLogins.AsNoTracking()
                          join p in db.OidcProfiles on l.ProfileId equals p.Id
                          where l.CustomerId == customerId
                          orderby p.Name
                          select new { p.Name, l.Email, l.LastSignInAt }).ToListAsync(ct);
        return rows.Select(r => (r.Name, (string?)r.Email, r.LastSignInAt)).ToList();
    }

    /// <summary>Fetches and reads a discovery document: what it found, or why it failed.</summary>
    public Task<DiscoveryResult> TestDiscoveryAsync(ClaimsPrincipal user, string discoveryUrl, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        return DiscoverAsync(discoveryUrl, ct);
    }

    private async Task<DiscoveryResult> DiscoverAsync(string discoveryUrl, CancellationToken ct, bool allowUnlistedPkce = false)
    {
        if (Uri.TryCreate(MetadataAddress(discoveryUrl), UriKind.Absolute, out var address) && address.Scheme == Uri.UriSchemeHttp
            && !address.IsLoopback && !settings.Value.AllowHttpProviders)
        {
            return Failed($"Could not read the discovery document at {address}: https is required (CustomerSignIn__AllowHttpProviders allows http for a lab).");
        }
        try
        {
            var manager = NewManager(MetadataAddress(discoveryUrl));
            var config = await manager.GetConfigurationAsync(ct);
            if (string.IsNullOrEmpty(config.AuthorizationEndpoint) || string.IsNullOrEmpty(config.TokenEndpoint))
            {
                return Failed("The discovery document has no authorization_endpoint or token_endpoint.");
            }
            if (!allowUnlistedPkce && !config.CodeChallengeMethodsSupported.Contains("S256"))
            {
                // Sign-in always uses PKCE (S256); a provider that does not say it supports it may ignore it.
                return Failed("The provider's discovery document does not list S256 in code_challenge_methods_supported, so PKCE may not protect the sign-in. " +
                    "Enable PKCE (S256) at the provider, or, if it supports it without saying so, allow that on this profile.");
            }
            return new DiscoveryResult(true, config.Issuer, config.AuthorizationEndpoint, config.TokenEndpoint, config.JwksUri, config.ScopesSupported.ToList(), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or ArgumentException or TaskCanceledException or UriFormatException)
        {
            // Only a category goes back to the caller: the raw error would let anyone with the right to add a provider probe the network.
            var category = ProviderConnections.Category(ex);
            log.LogWarning("OpenID Connect discovery at {Url} failed: {Category} ({Error})", discoveryUrl, category, ex.GetBaseException().GetType().Name);
            return Failed($"Could not read the discovery document at {MetadataAddress(discoveryUrl)}: {category}.");
        }

        static DiscoveryResult Failed(string error) => new(false, null, null, null, null, [], error);
    }

    /// <summary>The provider's discovery document and keys (cached, refreshed as the library sees fit).</summary>
    internal Task<OpenIdConnectConfiguration> ConfigurationAsync(OidcProfile profile, CancellationToken ct) =>
        configurations.GetOrAdd(profile.Id.ToString(), _ => NewManager(MetadataAddress(profile.DiscoveryUrl))).GetConfigurationAsync(ct);

    internal async Task<(OidcProfile Profile, string Secret)?> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profile = await db.OidcProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return profile is null ? null : (profile, protector.Unprotect(profile.ProtectedClientSecret));
    }

    public static string MetadataAddress(string discoveryUrl)
    {
        var url = discoveryUrl.Trim();
        return url.Contains("/.well-known/", StringComparison.Ordinal) ? url : url.TrimEnd('/') + "/.well-known/openid-configuration";
    }

    private ConfigurationManager<OpenIdConnectConfiguration> NewManager(string address)
    {
        var uri = new Uri(address);
        var requireHttps = !uri.IsLoopback && !settings.Value.AllowHttpProviders;
        return new ConfigurationManager<OpenIdConnectConfiguration>(address, new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http.CreateClient(HttpClientName)) { RequireHttps = requireHttps });
    }

    private async Task DiscoverInto(OidcProfile profile, CancellationToken ct)
    {
        var result = await DiscoverAsync(profile.DiscoveryUrl, ct, profile.AllowUnlistedPkce);
        profile.DiscoveredAt = clock.UtcNow();
        profile.DiscoveryError = result.Error;
        if (result.Ok)
        {
            profile.AuthorizationEndpoint = result.AuthorizationEndpoint;
            profile.Issuer = result.Issuer;
        }
    }

    private void Apply(OidcProfile profile, OidcProfileInput input, DateTime now)
    {
        profile.Name = input.Name.Trim();
        profile.DiscoveryUrl = input.DiscoveryUrl.Trim();
        profile.ClientId = input.ClientId.Trim();
        if (!string.IsNullOrEmpty(input.ClientSecret))
        {
            profile.ProtectedClientSecret = protector.Protect(input.ClientSecret);
        }
        profile.Scopes = string.Join(' ', (string.IsNullOrWhiteSpace(input.Scopes) ? "openid email profile" : input.Scopes)
            .Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Prepend("openid").Distinct());
        profile.RedirectUris = string.Join('\n', input.RedirectUris.Split(['\n', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct());
        profile.Enabled = input.Enabled;
        profile.AllowUnlistedPkce = input.AllowUnlistedPkce;
        profile.UpdatedAt = now;
    }

    private static void Validate(OidcProfileInput input, bool creating)
    {
        var failures = new List<ValidationFailure>();
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            failures.Add(new(nameof(input.Name), "A display name is required."));
        }
        if (!Uri.TryCreate(input.DiscoveryUrl.Trim(), UriKind.Absolute, out var discovery) || discovery.Scheme is not ("https" or "http"))
        {
            failures.Add(new(nameof(input.DiscoveryUrl), "The issuer or discovery URL must be an absolute https URL."));
        }
        if (string.IsNullOrWhiteSpace(input.ClientId))
        {
            failures.Add(new(nameof(input.ClientId), "The client id is required."));
        }
        if (creating && string.IsNullOrEmpty(input.ClientSecret))
        {
            failures.Add(new(nameof(input.ClientSecret), "The client secret is required."));
        }
        foreach (var uri in input.RedirectUris.Split(['\n', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                failures.Add(new(nameof(input.RedirectUris), $"'{uri}' is not an absolute URL."));
            }
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
    }

    private static OidcProfileDto ToDto(OidcProfile p, int? linked) => new(p.Id, p.Name, p.DiscoveryUrl, p.ClientId, p.Scopes, p.RedirectUriList,
        p.Enabled, p.AuthorizationEndpoint, p.Issuer, p.DiscoveredAt, p.DiscoveryError, p.CreatedAt, p.UpdatedAt, linked, p.AllowUnlistedPkce, p.Realm);
}
