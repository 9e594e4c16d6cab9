using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Api;
using FluentValidation;

namespace CommerceManager.CustomerSignIn;

/// <summary>
/// EP's discovery of customer sign-in: <c>/v2/settings/customer-authentication</c> names the realm, and
/// <c>/v2/authentication-realms/:realm/oidc-profiles</c> lists its OpenID Connect profiles (any token reads the
/// enabled ones; client credentials manage them).
/// </summary>
public static class SignInApi
{
    public static RouteGroupBuilder MapSignInApi(this RouteGroupBuilder v2)
    {
        v2.MapGet("/settings/customer-authentication", SettingsAsync).WithTags("Customer sign-in").WithSummary("The customer authentication realm");
        var profiles = v2.MapGroup("/authentication-realms/{realmId:guid}/oidc-profiles").WithTags("Customer sign-in");
        profiles.MapGet("", ListAsync).WithSummary("List OpenID Connect profiles (storefronts see the enabled ones)");
        profiles.MapPost("", CreateAsync).WithSummary("Add an OpenID Connect profile (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"oidc-profile\",\"name\",\"discovery_url\",\"client_id\",\"client_secret\",\"scopes\"?,\"redirect_uris\"?:[…],\"enabled\"?}}: the secret is never returned.")
            .Accepts<JsonObject>("application/json");
        profiles.MapGet("/{id:guid}", GetAsync).WithSummary("Get an OpenID Connect profile");
        profiles.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change an OpenID Connect profile (client credentials)").Accepts<JsonObject>("application/json");
        profiles.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an OpenID Connect profile (client credentials)");
        return v2;
    }

    public static JsonObject ProfileJson(OidcProfileDto p, Guid realmId) => new()
    {
        ["type"] = "oidc-profile",
        ["id"] = p.Id.ToString(),
        ["name"] = p.Name,
        ["discovery_url"] = p.DiscoveryUrl,
        ["client_id"] = p.ClientId,
        ["scopes"] = p.Scopes,
        ["redirect_uris"] = new JsonArray(p.RedirectUris.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray()),
        ["enabled"] = p.Enabled,
        ["links"] = new JsonObject
        {
            ["self"] = $"/v2/authentication-realms/{realmId}/oidc-profiles/{p.Id}",
            ["authorization-endpoint"] = p.AuthorizationLink,
            ["client-discovery-url"] = OidcProfileService.MetadataAddress(p.DiscoveryUrl),
        },
        ["meta"] = new JsonObject
        {
            ["issuer"] = p.Issuer,
            ["discovery_error"] = p.DiscoveryError,
            ["timestamps"] = ApiJson.Timestamps(p.CreatedAt, p.UpdatedAt),
        },
        ["relationships"] = new JsonObject
        {
            ["authentication-realm"] = new JsonObject { ["data"] = new JsonObject { ["type"] = "authentication-realm", ["id"] = realmId.ToString() } },
        },
    };

    private static async Task<IResult> SettingsAsync(OidcProfileService profiles, CancellationToken ct)
    {
        var realm = await profiles.RealmIdAsync(ct);
        return ApiJson.Data(new JsonObject
        {
            ["type"] = "customer-authentication-settings",
            ["id"] = realm.ToString(),
            ["relationships"] = new JsonObject
            {
                ["authentication-realm"] = new JsonObject { ["data"] = new JsonObject { ["type"] = "authentication-realm", ["id"] = realm.ToString() } },
            },
            ["meta"] = new JsonObject { ["client_id"] = "customers" },
        });
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
        var list = (await profiles.ListAsync(enabledOnly: !user.IsClientCredentials(), ct: ct)).Select(p => (JsonNode)ProfileJson(p, realmId)).ToList();
        return TypedResults.Json(ApiPaging.Envelope(request, list, list.Count, new PageRequest(Math.Max(1, list.Count), 0)));
    }

    private static async Task<IResult> GetAsync(Guid realmId, Guid id, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        await RequireRealmAsync(realmId, profiles, ct);
        var profile = await profiles.GetAsync(id, ct);
        return profile is null || (!profile.Enabled && !user.IsClientCredentials())
            ? ApiErrors.NotFound("This OpenID Connect profile")
            : ApiJson.Data(ProfileJson(profile, realmId));
    }

    private static async Task<IResult> CreateAsync(Guid realmId, HttpRequest request, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        user.RequireClientCredentials("Adding OpenID Connect profiles");
        await RequireRealmAsync(realmId, profiles, ct);
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "oidc-profile", 422);
        var input = Read(data, new OidcProfileInput());
        var created = await Designer(() => profiles.CreateAsync(user, input, ct));
        return ApiJson.Data(ProfileJson(created, realmId), 201);
    }

    private static async Task<IResult> UpdateAsync(Guid realmId, Guid id, HttpRequest request, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        user.RequireClientCredentials("Changing OpenID Connect profiles");
        await RequireRealmAsync(realmId, profiles, ct);
        var current = await profiles.GetAsync(id, ct);
        if (current is null)
        {
            return ApiErrors.NotFound("This OpenID Connect profile");
        }
        var data = await ApiJson.ReadDataAsync(request, ct);
        ApiJson.RequireType(data, "oidc-profile", 422);
        var input = Read(data, new OidcProfileInput
        {
            Name = current.Name, DiscoveryUrl = current.DiscoveryUrl, ClientId = current.ClientId, Scopes = current.Scopes,
            RedirectUris = string.Join('\n', current.RedirectUris), Enabled = current.Enabled,
        });
        var updated = await Designer(() => profiles.UpdateAsync(user, id, input, ct));
        return updated is null ? ApiErrors.NotFound("This OpenID Connect profile") : ApiJson.Data(ProfileJson(updated, realmId));
    }

    private static async Task<IResult> DeleteAsync(Guid realmId, Guid id, ClaimsPrincipal user, OidcProfileService profiles, CancellationToken ct)
    {
        user.RequireClientCredentials("Deleting OpenID Connect profiles");
        await RequireRealmAsync(realmId, profiles, ct);
        return await profiles.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.NotFound("This OpenID Connect profile");
    }

    private static OidcProfileInput Read(JsonObject data, OidcProfileInput input)
    {
        var errors = new List<ApiError>();
        var name = ApiJson.String(data, "name", errors, 422);
        var discovery = ApiJson.String(data, "discovery_url", errors, 422);
        var clientId = ApiJson.String(data, "client_id", errors, 422);
        var secret = ApiJson.String(data, "client_secret", errors, 422);
        var scopes = ApiJson.String(data, "scopes", errors, 422);
        input.Name = name.Present ? name.Value ?? "" : input.Name;
        input.DiscoveryUrl = discovery.Present ? discovery.Value ?? "" : input.DiscoveryUrl;
        input.ClientId = clientId.Present ? clientId.Value ?? "" : input.ClientId;
        input.ClientSecret = secret.Value;
        input.Scopes = scopes.Present ? scopes.Value ?? "" : input.Scopes;
        switch (data["redirect_uris"])
        {
            case JsonArray uris:
                input.RedirectUris = string.Join('\n', uris.Select(u => u?.ToString()).Where(u => !string.IsNullOrWhiteSpace(u)));
                break;
            case JsonValue one when one.TryGetValue<string>(out var text):
                input.RedirectUris = text;
                break;
        }
        if (data["enabled"] is JsonValue enabled && enabled.TryGetValue<bool>(out var on))
        {
            input.Enabled = on;
        }
        ApiException.ThrowIfAny(errors, 422);
        return input;
    }

    private static async Task<T> Designer<T>(Func<Task<T>> change)
    {
        try
        {
            return await change();
        }
        catch (ValidationException ex)
        {
            throw ApiException.Many(422, ApiErrors.FromValidation(ex.Errors, 422).ToList());
        }
    }
}
