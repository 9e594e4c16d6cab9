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
        var profiles = v2.MapGroup("/authentication-realms/{realmId:guid}/oidc-profiles").WithTags("Customer sign-in")
            .ValidationErrors(422);
        profiles.MapGet("", ListAsync).WithSummary("List OpenID Connect profiles (storefronts see the enabled ones)").Produces<ListResponse<OidcProfileResource>>();
        profiles.MapGet("/{id:guid}", GetAsync).WithSummary("Get an OpenID Connect profile").Produces<DataResponse<OidcProfileResource>>();

        var manage = profiles.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        manage.MapPost("", CreateAsync).WithSummary("Add an OpenID Connect profile (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"oidc-profile\",\"name\",\"discovery_url\",\"client_id\",\"client_secret\",\"scopes\"?,\"redirect_uris\"?:[…],\"enabled\"?}}: the secret is never returned.")
            .Produces<DataResponse<OidcProfileResource>>(201);
        manage.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change an OpenID Connect profile (client credentials)").Produces<DataResponse<OidcProfileResource>>();
        manage.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an OpenID Connect profile (client credentials)").Produces(204);
        return v2;
    }

    private static OidcProfileResource Profile(OidcProfileDto p, Guid realmId) => new("oidc-profile", p.Id, p.Name, p.DiscoveryUrl, p.ClientId, p.Scopes,
        p.RedirectUris, p.Enabled,
        new OidcProfileLinks($"/v2/authentication-realms/{realmId}/oidc-profiles/{p.Id}", p.AuthorizationLink, OidcProfileService.MetadataAddress(p.DiscoveryUrl)),
        new OidcProfileMeta(p.Issuer, p.DiscoveryError, Timestamps.Of(p.CreatedAt, p.UpdatedAt)),
        new RealmRelationship(new Relationship(new ResourceRef("authentication-realm", realmId.ToString()))));

    private static async Task<IResult> SettingsAsync(OidcProfileService profiles, CancellationToken ct)
    {
        var realm = (await profiles.RealmIdAsync(ct)).ToString();
        return TypedResults.Json(new DataResponse<CustomerAuthenticationSettings>(new CustomerAuthenticationSettings("customer-authentication-settings", realm,
            new RealmRelationship(new Relationship(new ResourceRef("authentication-realm", realm))), new ClientIdMeta("customers"))));
    }

    private static async Task RequireRealmAsync(Guid realmId, OidcProfileService profiles, CancellationToken ct)
    {
        if (realmId != await profiles.RealmIdAsync(ct))
        {
            throw new ApiException(404, "Not Found", "There is no authentication realm with this id: read it from GET /v2/settings/customer-authentication.");
        }
    }

    private static async Task<IResult> ListAsync(Guid realmId, HttpRequest request, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        await RequireRealmAsync(realmId, profiles, ct);
        var list = await profiles.ListAsync(enabledOnly: !user.IsClientCredentials(), ct: ct);
        return TypedResults.Json(ApiPaging.All(request, list.Select(p => Profile(p, realmId)).ToList()));
    }

    private static async Task<IResult> GetAsync(Guid realmId, Guid id, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        await RequireRealmAsync(realmId, profiles, ct);
        var profile = await profiles.GetAsync(id, ct);
        return profile is null || (!profile.Enabled && !user.IsClientCredentials())
            ? ApiErrors.NotFound("This OpenID Connect profile")
            : TypedResults.Json(new DataResponse<OidcProfileResource>(Profile(profile, realmId)));
    }

    private static async Task<IResult> CreateAsync(Guid realmId, ApiBody<OidcProfileData> body, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        await RequireRealmAsync(realmId, profiles, ct);
        var created = await profiles.CreateAsync(user, body.Data.Over(new OidcProfileInput()), ct);
        return TypedResults.Json(new DataResponse<OidcProfileResource>(Profile(created, realmId)), statusCode: 201);
    }

    private static async Task<IResult> UpdateAsync(Guid realmId, Guid id, ApiBody<OidcProfileData> body, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        await RequireRealmAsync(realmId, profiles, ct);
        var current = await profiles.GetAsync(id, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This OpenID Connect profile");
        }
        var updated = await profiles.UpdateAsync(user, id, body.Data.Over(new OidcProfileInput
        {
            Name = current.Name, DiscoveryUrl = current.DiscoveryUrl, ClientId = current.ClientId, Scopes = current.Scopes,
            RedirectUris = string.Join('\n', current.RedirectUris), Enabled = current.Enabled,
        }), ct);
        return updated is null
            ? ApiErrors.NotFound("This OpenID Connect profile")
            : TypedResults.Json(new DataResponse<OidcProfileResource>(Profile(updated, realmId)));
    }

    private static async Task<IResult> DeleteAsync(Guid realmId, Guid id, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        await RequireRealmAsync(realmId, profiles, ct);
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
        return input;
    }
}

public sealed record OidcProfileLinks(
    string Self,
    [property: JsonPropertyName("authorization-endpoint")] string? AuthorizationEndpoint,
    [property: JsonPropertyName("client-discovery-url")] string ClientDiscoveryUrl);

public sealed record OidcProfileMeta(string? Issuer, string? DiscoveryError, Timestamps Timestamps);

public sealed record RealmRelationship([property: JsonPropertyName("authentication-realm")] Relationship AuthenticationRealm);

public sealed record OidcProfileResource(string Type, Guid Id, string Name, string DiscoveryUrl, string ClientId, string Scopes,
    IReadOnlyList<string> RedirectUris, bool Enabled, OidcProfileLinks Links, OidcProfileMeta Meta, RealmRelationship Relationships);

public sealed record ClientIdMeta(string ClientId);

public sealed record CustomerAuthenticationSettings(string Type, string Id, RealmRelationship Relationships, ClientIdMeta Meta);
