using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommerceManager.Api.Wire;
using CommerceManager.CustomerSignIn;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's discovery of customer sign-in: <c>/v2/settings/customer-authentication</c> names the realm, and
/// <c>/v2/authentication-realms/:realm/oidc-profiles</c> lists its OpenID Connect profiles (any token reads the
/// enabled ones; client credentials manage them).
/// </summary>
public static class SignInApi
{
    public static RouteGroupBuilder MapSignInApi(this RouteGroupBuilder v2)
    {
        v2.MapGet("/settings/customer-authentication", SettingsAsync).WithTags("Customer sign-in").WithSummary("The customer authentication realm")
            .Produces<DataResponse<CustomerAuthenticationSettings>>();
        var realms = v2.MapGroup("/authentication-realms").WithTags("Customer sign-in").RequireAuthorization(ApiSetup.ClientCredentials).ValidationErrors(422);
        realms.MapGet("", ListRealmsAsync).WithSummary("List authentication realms (client credentials)").Produces<ListResponse<RealmResource>>();
        realms.MapGet("/{realmId:guid}", GetRealmAsync).WithSummary("Get an authentication realm (client credentials)").Produces<RealmResponse>();
        realms.MapPut("/{realmId:guid}", UpdateRealmAsync).WithSummary("Change the realm's name, redirect URIs or duplicate-email policy (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"authentication-realm\",\"name\"?,\"redirect_uris\"?:[…],\"duplicate_email_policy\"?:\"allowed|api_only\"}}: redirect URIs are https (http only for localhost).")
            .Produces<RealmResponse>();
        var profiles = v2.MapGroup("/authentication-realms/{realmId:guid}/oidc-profiles").WithTags("Customer sign-in")
            .ValidationErrors(422);
        profiles.MapGet("", ListAsync).WithSummary("List OpenID Connect profiles (storefronts see the enabled ones)").Produces<ListResponse<OidcProfileResource>>();
        profiles.MapGet("/{id:guid}", GetAsync).WithSummary("Get an OpenID Connect profile (its links at the top level, as EP)").Produces<OidcProfileResponse>();

        var manage = profiles.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        manage.MapPost("", CreateAsync).WithSummary("Add an OpenID Connect profile (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"oidc-profile\",\"name\",\"discovery_url\",\"client_id\",\"client_secret\",\"scopes\"?,\"redirect_uris\"?:[…],\"enabled\"?}}: the secret is never returned.")
            .Produces<DataResponse<OidcProfileResource>>(201);
        manage.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change an OpenID Connect profile (client credentials)").Produces<DataResponse<OidcProfileResource>>();
        manage.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an OpenID Connect profile (client credentials)").Produces(204);
        return v2;
    }

    private static OidcProfileLinks Links(HttpRequest request, OidcProfileDto p, RealmDto realm) => new(
        ApiLinks.Absolute(request, $"/v2/authentication-realms/{realm.Id}/oidc-profiles/{p.Id}"),
        OidcIdpApi.LoginUrl(request, realm, p.Id),
        OidcIdpApi.CallbackUrl(request, realm, p.Id),
        OidcIdpApi.DiscoveryUrl(request, realm));

    private static OidcProfileResource Profile(HttpRequest request, OidcProfileDto p, RealmDto realm) => new("oidc-profile", p.Id, p.Name, p.DiscoveryUrl,
        p.ClientId, p.Scopes, p.RedirectUris, p.Enabled, Links(request, p, realm),
        new OidcProfileMeta(p.Issuer, p.DiscoveryError, p.AuthorizationLink, OidcProfileService.MetadataAddress(p.DiscoveryUrl), Timestamps.Of(p.CreatedAt, p.UpdatedAt)),
        new RealmRelationship(new Relationship(new ResourceRef("authentication-realm", realm.Id.ToString()))));

    private static OidcProfileResponse Single(HttpRequest request, OidcProfileDto p, RealmDto realm) =>
        new(Profile(request, p, realm), Links(request, p, realm));

    private static RealmResource Realm(HttpRequest request, RealmDto r) => new("authentication-realm", r.Id, r.Name, r.RedirectUris, r.DuplicateEmailPolicy,
        new RealmOrigin(new Relationship(new ResourceRef(r.OriginType, r.StoreId.ToString()))),
        ApiLinks.Self(request, $"/v2/authentication-realms/{r.Id}"));

    private static async Task<IResult> SettingsAsync(HttpRequest request, RealmService realms, CancellationToken ct)
    {
        var realm = await realms.GetAsync(ct);
        return TypedResults.Json(new DataResponse<CustomerAuthenticationSettings>(new CustomerAuthenticationSettings("customer-authentication-settings",
            realm.StoreId.ToString(),
            new SettingsRelationships(new RealmLinkRelationship(new RealmLinkRef("authentication-realm", realm.Id.ToString(),
                ApiLinks.Self(request, $"/v2/authentication-realms/{realm.Id}")))),
            new ClientIdMeta(OidcSignInService.StorefrontClientId))));
    }

    /// <summary>The customer realm or the account realm, by id.</summary>
    internal static async Task<RealmDto> RequireRealmAsync(Guid realmId, RealmService realms, CancellationToken ct) =>
        await realms.FindAsync(realmId, ct)
        ?? throw new ApiException(404, "Not Found",
            "There is no authentication realm with this id: read it from GET /v2/settings/customer-authentication or /v2/settings/account-authentication.");

    private static async Task<IResult> ListRealmsAsync(HttpRequest request, RealmService realms, CancellationToken ct) =>
        TypedResults.Json(ApiPaging.All(request, (await realms.AllAsync(ct)).Select(r => Realm(request, r)).ToList()));

    private static async Task<IResult> GetRealmAsync(Guid realmId, HttpRequest request, RealmService realms, CancellationToken ct)
    {
        var realm = await RequireRealmAsync(realmId, realms, ct);
        return TypedResults.Json(new RealmResponse(Realm(request, realm), ApiLinks.Self(request, $"/v2/authentication-realms/{realm.Id}")));
    }

    private static async Task<IResult> UpdateRealmAsync(Guid realmId, ApiBody<RealmData> body, HttpRequest request, ClaimsPrincipal user, RealmService realms,
        CancellationToken ct)
    {
        var kind = (await RequireRealmAsync(realmId, realms, ct)).Kind;
        var data = body.Data;
        var realm = await realms.UpdateAsync(user, kind, new RealmInput
        {
            Name = data.Name.Value, RedirectUris = data.RedirectUris.Value, DuplicateEmailPolicy = data.DuplicateEmailPolicy.Value,
        }, ct);
        return TypedResults.Json(new RealmResponse(Realm(request, realm), ApiLinks.Self(request, $"/v2/authentication-realms/{realm.Id}")));
    }

    private static async Task<IResult> ListAsync(Guid realmId, HttpRequest request, ClaimsPrincipal user, OidcProfileService profiles, RealmService realms, CancellationToken ct)
    {
        var realm = await RequireRealmAsync(realmId, realms, ct);
        var list = await profiles.ListAsync(enabledOnly: !user.IsClientCredentials(), ct: ct, realm: realm.Kind);
        return TypedResults.Json(ApiPaging.All(request, list.Select(p => Profile(request, p, realm)).ToList()));
    }

    private static async Task<IResult> GetAsync(Guid realmId, Guid id, HttpRequest request, ClaimsPrincipal user, OidcProfileService profiles, RealmService realms,
        CancellationToken ct)
    {
        var realm = await RequireRealmAsync(realmId, realms, ct);
        var profile = await profiles.GetAsync(id, ct);
        return profile is null || profile.Realm != realm.Kind || (!profile.Enabled && !user.IsClientCredentials())
            ? ApiErrors.NotFound("This OpenID Connect profile")
            : TypedResults.Json(Single(request, profile, realm));
    }

    private static async Task<IResult> CreateAsync(Guid realmId, ApiBody<OidcProfileData> body, HttpRequest request, ClaimsPrincipal user, OidcProfileService profiles,
        RealmService realms, CancellationToken ct)
    {
        var realm = await RequireRealmAsync(realmId, realms, ct);
        var created = await profiles.CreateAsync(user, body.Data.Over(new OidcProfileInput { Realm = realm.Kind }), ct);
        return TypedResults.Json(Single(request, created, realm), statusCode: 201);
    }

    private static async Task<IResult> UpdateAsync(Guid realmId, Guid id, ApiBody<OidcProfileData> body, HttpRequest request, ClaimsPrincipal user,
        OidcProfileService profiles, RealmService realms, CancellationToken ct)
    {
        var realm = await RequireRealmAsync(realmId, realms, ct);
        var current = await profiles.GetAsync(id, ct);
        if (current is null || current.Realm != realm.Kind)
        {
            return ApiErrors.NotFound("This OpenID Connect profile");
        }
        var updated = await profiles.UpdateAsync(user, id, body.Data.Over(new OidcProfileInput
        {
            Name = current.Name, DiscoveryUrl = current.DiscoveryUrl, ClientId = current.ClientId, Scopes = current.Scopes,
            RedirectUris = string.Join('\n', current.RedirectUris), Enabled = current.Enabled, AllowUnlistedPkce = current.AllowUnlistedPkce,
        }), ct);
        return updated is null
            ? ApiErrors.NotFound("This OpenID Connect profile")
            : TypedResults.Json(Single(request, updated, realm));
    }

    private static async Task<IResult> DeleteAsync(Guid realmId, Guid id, ClaimsPrincipal user, OidcProfileService profiles, RealmService realms, CancellationToken ct)
    {
        var realm = await RequireRealmAsync(realmId, realms, ct);
        if ((await profiles.GetAsync(id, ct))?.Realm != realm.Kind)
        {
            return ApiErrors.NotFound("This OpenID Connect profile");
        }
        return await profiles.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This OpenID Connect profile");
    }
}

public sealed record OidcProfileData : IRequestData
{
    public static string? ResourceType => "oidc-profile";
    public static int FailureStatus => 422;

    public Optional<string> Name { get; init; }
    public Optional<string> DiscoveryUrl { get; init; }
    public Optional<string> ClientId { get; init; }
    public Optional<string> ClientSecret { get; init; }
    public Optional<string> Scopes { get; init; }
    /// <summary>A list of URLs (or one string of them).</summary>
    public Optional<JsonNode> RedirectUris { get; init; }
    public Optional<bool?> Enabled { get; init; }
    /// <summary>Accept a provider whose discovery does not list PKCE S256 (our extension; default false).</summary>
    public Optional<bool?> AllowUnlistedPkce { get; init; }

    public OidcProfileInput Over(OidcProfileInput input)
    {
        input.Name = Name.IsSet ? Name.Value ?? "" : input.Name;
        input.DiscoveryUrl = DiscoveryUrl.IsSet ? DiscoveryUrl.Value ?? "" : input.DiscoveryUrl;
        input.ClientId = ClientId.IsSet ? ClientId.Value ?? "" : input.ClientId;
        input.ClientSecret = ClientSecret.Value;
        input.Scopes = Scopes.IsSet ? Scopes.Value ?? "" : input.Scopes;
        input.RedirectUris = RedirectUris.Value switch
        {
            JsonArray uris => string.Join('\n', uris.Select(u => u?.ToString()).Where(u => !string.IsNullOrWhiteSpace(u))),
            JsonValue one when one.TryGetValue<string>(out var text) => text,
            _ => input.RedirectUris,
        };
        input.Enabled = Enabled.Value ?? input.Enabled;
        input.AllowUnlistedPkce = AllowUnlistedPkce.Value ?? input.AllowUnlistedPkce;
        return input;
    }
}

/// <summary>
/// EP's links of a profile: <c>authorization-endpoint</c> is the store's login proxy (storefronts add client_id
/// <c>customers</c>, their redirect URI, state and PKCE), <c>callback-endpoint</c> is the redirect URI to register at the
/// provider, <c>client-discovery-url</c> the proxy's discovery document.
/// </summary>
public sealed record OidcProfileLinks(
    string Self,
    [property: JsonPropertyName("authorization-endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("callback-endpoint")] string CallbackEndpoint,
    [property: JsonPropertyName("client-discovery-url")] string ClientDiscoveryUrl);

/// <summary>
/// <c>provider_authorization_endpoint</c> (our extension) is the provider's own authorize URL with this profile's client
/// id and scopes, for storefronts that redeem the provider's code directly; <c>provider_discovery_url</c> its discovery document.
/// </summary>
public sealed record OidcProfileMeta(string? Issuer, string? DiscoveryError, string? ProviderAuthorizationEndpoint, string ProviderDiscoveryUrl,
    Timestamps Timestamps)
{
    /// <summary>EP writes a profile's timestamps straight into meta.</summary>
    public string CreatedAt => Timestamps.CreatedAt;
    public string UpdatedAt => Timestamps.UpdatedAt;
}

/// <summary>A single profile: EP puts its links at the top level, beside <c>data</c>.</summary>
public sealed record OidcProfileResponse(OidcProfileResource Data, OidcProfileLinks Links);

public sealed record RealmData : IRequestData
{
    public static string? ResourceType => "authentication-realm";
    public static int FailureStatus => 422;

    public Optional<string> Name { get; init; }
    public Optional<List<string>> RedirectUris { get; init; }
    public Optional<string> DuplicateEmailPolicy { get; init; }
}

public sealed record RealmOrigin(Relationship Origin);

public sealed record RealmResource(string Type, Guid Id, string Name, IReadOnlyList<string> RedirectUris, string DuplicateEmailPolicy,
    RealmOrigin Relationships, SelfLink Links);

public sealed record RealmResponse(RealmResource Data, SelfLink Links);

public sealed record RealmLinkRef(string Type, string Id, SelfLink Links);

public sealed record RealmLinkRelationship(RealmLinkRef Data);

public sealed record SettingsRelationships([property: JsonPropertyName("authentication-realm")] RealmLinkRelationship AuthenticationRealm);

public sealed record RealmRelationship([property: JsonPropertyName("authentication-realm")] Relationship AuthenticationRealm);

public sealed record OidcProfileResource(string Type, Guid Id, string Name, string DiscoveryUrl, string ClientId, string Scopes,
    IReadOnlyList<string> RedirectUris, bool Enabled, OidcProfileLinks Links, OidcProfileMeta Meta, RealmRelationship Relationships);

public sealed record ClientIdMeta(string ClientId);

public sealed record CustomerAuthenticationSettings(string Type, string Id, SettingsRelationships Relationships, ClientIdMeta Meta);
