using CommerceManager.ApiKeys;
using CommerceManager.Tokens;

namespace CommerceManager.Api.Endpoints;

/// <summary><c>POST /oauth/access_token</c>: implicit (client id only) and client_credentials (id and secret) grants.</summary>
public static class OAuthApi
{
    public static IEndpointRouteBuilder MapOAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/access_token", AccessTokenAsync)
            .DisableAntiforgery()
            .WithTags("Authentication")
            .WithSummary("Get an access token")
            .WithDescription("Form-encoded: grant_type=implicit&client_id=… or grant_type=client_credentials&client_id=…&client_secret=…. Tokens last one hour.")
            .Accepts<AccessTokenForm>("application/x-www-form-urlencoded")
            .Produces<AccessTokenResponse>()
            .Produces<ApiErrorBody>(400)
            .Produces<ApiErrorBody>(401)
            .Produces<ApiErrorBody>(429);
        return app;
    }

    public sealed record AccessTokenForm(string GrantType, string ClientId, string? ClientSecret);

    public sealed record AccessTokenResponse(string AccessToken, string TokenType, int ExpiresIn, long Expires, string Identifier);

    private static async Task<IResult> AccessTokenAsync(HttpContext context, ApiKeyService keys, TokenService tokens, ApiRateLimits limits, CancellationToken ct)
    {
        limits.CheckIp(context, "oauth");
        if (!context.Request.HasFormContentType)
        {
            return ApiErrors.Result(400, "Bad Request", "Send the token request form-encoded (application/x-www-form-urlencoded): grant_type, client_id and, for client_credentials, client_secret.");
        }
        var form = await context.Request.ReadFormAsync(ct);
        var grant = form["grant_type"].ToString();
        var clientId = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        if (grant is not (TokenService.GrantImplicit or TokenService.GrantClientCredentials))
        {
            return ApiErrors.Result(400, "Bad Request", "grant_type must be implicit or client_credentials.", "grant_type");
        }
        if (string.IsNullOrEmpty(clientId))
        {
            return ApiErrors.Result(400, "Bad Request", "client_id is required.", "client_id");
        }
        if (grant == TokenService.GrantClientCredentials && string.IsNullOrEmpty(secret))
        {
            return ApiErrors.Result(400, "Bad Request", "client_secret is required for the client_credentials grant.", "client_secret");
        }
        var key = await keys.FindActiveAsync(clientId, grant == TokenService.GrantClientCredentials ? secret : null, ct);
        if (key is null)
        {
            return ApiErrors.Result(401, "Unauthorized", "The client id or secret is not right, or the API key has been revoked.");
        }
        var token = await tokens.IssueAccessTokenAsync(key.ClientId, grant, ct);
        return TypedResults.Ok(new AccessTokenResponse(token.Token, "Bearer", (int)TokenService.AccessTokenLifetime.TotalSeconds,
            token.Expires.ToUnixTimeSeconds(), grant));
    }
}
