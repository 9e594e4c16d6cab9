using System.Net;
using CommerceManager.Api.Wire;
using CommerceManager.CustomerSignIn;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's login proxy for customer sign-in (<c>/oidc-idp/…</c>): a storefront sends the browser to a profile's
/// <c>authorization-endpoint</c>; the store sends it on to the provider with its own client and PKCE, takes the
/// provider's answer at the <c>callback-endpoint</c>, and returns the browser to the storefront's redirect URI with a
/// one-time code of its own, which the storefront redeems at <c>POST /v2/customers/tokens</c> with its PKCE verifier.
/// These are browser navigations: no token, no CORS.
/// </summary>
public static class OidcIdpApi
{
    public const string ProfileParameter = "elasticpath_commerce_cloud_profile_id";

    public static IEndpointRouteBuilder MapOidcIdpApi(this IEndpointRouteBuilder app)
    {
        var idp = app.MapGroup("/oidc-idp").AllowAnonymous().ExcludeFromDescription();
        idp.MapGet("/login/stores/{storeId:guid}/authentication-realms/{realmId:guid}", LoginAsync);
        idp.MapGet("/callback/stores/{storeId:guid}/authentication-realms/{realmId:guid}/oidc-profiles/{profileId:guid}", CallbackAsync);
        idp.MapGet("/stores/{storeId:guid}/authentication-realms/{realmId:guid}/.well-known/openid-configuration", DiscoveryAsync);
        return app;
    }

    public static string LoginUrl(HttpRequest request, RealmDto realm, Guid profileId) =>
        ApiLinks.Absolute(request, $"/oidc-idp/login/stores/{realm.StoreId}/authentication-realms/{realm.Id}?{ProfileParameter}={profileId}");

    public static string CallbackUrl(HttpRequest request, RealmDto realm, Guid profileId) =>
        ApiLinks.Absolute(request, $"/oidc-idp/callback/stores/{realm.StoreId}/authentication-realms/{realm.Id}/oidc-profiles/{profileId}");

    public static string DiscoveryUrl(HttpRequest request, RealmDto realm) =>
        ApiLinks.Absolute(request, $"/oidc-idp/stores/{realm.StoreId}/authentication-realms/{realm.Id}/.well-known/openid-configuration");

    private static async Task<IResult> LoginAsync(Guid storeId, Guid realmId, HttpRequest request, OidcSignInService signIn, RealmService realms,
        ApiRateLimits limits, Microsoft.Extensions.Options.IOptions<RateLimitSettings> limitSettings, CancellationToken ct)
    {
        // Anonymous, and every sign-in started writes a row: counted per address like registrations.
        try
        {
            limits.CheckIp(request.HttpContext, "login-proxy");
        }
        catch (ApiException tooMany)
        {
            request.HttpContext.Response.Headers.RetryAfter = tooMany.RetryAfter?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page(tooMany.Status, tooMany.Errors[0].Detail ?? tooMany.Message);
        }
        var realm = await realms.FindAsync(realmId, ct) ?? await realms.GetAsync(ct);
        if (storeId != realm.StoreId)
        {
            return Page(404, "There is no such store.");
        }
        string? Q(string name) => request.Query[name].FirstOrDefault();
        var step = await signIn.BeginLoginAsync(new ProxyLoginRequest(realmId, Guid.TryParse(Q(ProfileParameter), out var id) ? id : null,
                Q("client_id"), Q("redirect_uri"), Q("response_type"), Q("state"), Q("code_challenge"), Q("code_challenge_method"),
                request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()))
            {
                ClientKey = ApiRateLimits.ClientKey(request.HttpContext.Connection.RemoteIpAddress),
                MaxPending = Math.Max(1, limitSettings.Value.PendingLoginsPerIp),
            },
            profile => CallbackUrl(request, realm, profile), ct);
        return step.RedirectTo is { } to ? Results.Redirect(to) : Page(step.Status, step.Error!);
    }

    private static async Task<IResult> CallbackAsync(Guid storeId, Guid realmId, Guid profileId, HttpRequest request, OidcSignInService signIn,
        RealmService realms, CancellationToken ct)
    {
        if (await realms.FindAsync(realmId, ct) is not { } realm || storeId != realm.StoreId)
        {
            return Page(404, "There is no such store or realm.");
        }
        string? Q(string name) => request.Query[name].FirstOrDefault();
        var step = await signIn.CompleteLoginAsync(profileId, Q("state"), Q("code"), Q("error"), Q("error_description"),
            profile => CallbackUrl(request, realm, profile), ct);
        return step.RedirectTo is { } to ? Results.Redirect(to) : Page(400, step.Error!);
    }

    /// <summary>The proxy described as an OpenID Connect provider: what a storefront may ask it.</summary>
    private static async Task<IResult> DiscoveryAsync(Guid storeId, Guid realmId, HttpRequest request, RealmService realms, OidcProfileService profiles,
        CancellationToken ct)
    {
        if (await realms.FindAsync(realmId, ct) is not { } realm || storeId != realm.StoreId)
        {
            return Page(404, "There is no such store or realm.");
        }
        var first = (await profiles.ListAsync(enabledOnly: true, ct: ct, realm: realm.Kind)).FirstOrDefault();
        return Results.Json(new Dictionary<string, object?>
        {
            ["issuer"] = ApiLinks.Absolute(request, $"/oidc-idp/stores/{realm.StoreId}/authentication-realms/{realm.Id}"),
            ["authorization_endpoint"] = first is null ? null : LoginUrl(request, realm, first.Id),
            ["token_endpoint"] = ApiLinks.Absolute(request, realm.Kind == RealmKind.Customers ? "/v2/customers/tokens" : "/v2/account-members/tokens"),
            ["response_types_supported"] = new[] { "code" },
            ["grant_types_supported"] = new[] { "authorization_code" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["scopes_supported"] = new[] { "openid", "email", "profile" },
        });
    }

    /// <summary>A plain page for a sign-in that cannot go back to the storefront (its redirect URI is not trusted).</summary>
    private static IResult Page(int status, string message) => Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in problem</title></head><body><h1>Sign-in problem</h1><p>{WebUtility.HtmlEncode(message)}</p></body></html>",
        "text/html; charset=utf-8", statusCode: status);
}
