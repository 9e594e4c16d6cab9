using System.Security.Claims;
using System.Text.Encodings.Web;
using CommerceManager.ApiKeys;
using CommerceManager.Security;
using CommerceManager.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CommerceManager.Api;

/// <summary>
/// Authenticates <c>/v2</c> calls the EP way: <c>Authorization: Bearer</c> with an access token, plus optionally
/// <c>X-Moltin-Customer-Token</c> or <c>EP-Account-Management-Authentication-Token</c>. Client credentials become the
/// ApiClient role (everything); an implicit token the Storefront role; an implicit token with a valid customer token
/// also the Customer role for that customer, and with a valid account token the AccountMember role for that member in
/// that account. Client credentials ignore both shopper headers (the starters send the account header everywhere).
/// </summary>
public sealed class ApiAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Api";
    public const string CustomerTokenHeader = "X-Moltin-Customer-Token";
    /// <summary>EP's Account Management header; header names are case-insensitive (the SDK sends it upper case).</summary>
    public const string AccountTokenHeader = "EP-Account-Management-Authentication-Token";
    private const string FailureItem = "api-auth-failure";
    private const string ConflictItem = "api-auth-conflict";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (BearerToken(header) is not { } accessToken)
        {
            return Fail("The Authorization header must be 'Bearer <access token>'.");
        }
        var grant = await tokens.ValidateAccessTokenAsync(accessToken, Context.RequestAborted);
        if (grant is null)
        {
            return Fail("The access token is not valid or has expired: get a new one from POST /oauth/access_token.");
        }
        if (!await keys.IsActiveAsync(grant.ClientId, Context.RequestAborted))
        {
            return Fail("The API key behind this access token has been revoked.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, grant.GrantType == TokenService.GrantClientCredentials ? $"API client {grant.ClientId[..Math.Min(8, grant.ClientId.Length)]}…" : "storefront"),
            new("client_id", grant.ClientId),
            new("grant_type", grant.GrantType),
            new(ClaimTypes.Role, grant.GrantType == TokenService.GrantClientCredentials ? Roles.ApiClient : Roles.Storefront),
        };
        var customerToken = Request.Headers[CustomerTokenHeader].ToString();
        var accountToken = Request.Headers[AccountTokenHeader].ToString();
        if (!string.IsNullOrWhiteSpace(customerToken) && !string.IsNullOrWhiteSpace(accountToken) && grant.GrantType == TokenService.GrantImplicit)
        {
            // EP: "an implicit token with only one of" the two shopper tokens. Which shopper acts must never be a guess.
            Context.Items[ConflictItem] = true;
            return Fail($"Send either {CustomerTokenHeader} (a customer) or {AccountTokenHeader} (an account member), not both.");
        }
        if (!string.IsNullOrWhiteSpace(accountToken) && grant.GrantType == TokenService.GrantImplicit)
        {
            var member = await tokens.ValidateAccountMemberTokenAsync(accountToken.Trim(), Context.RequestAborted);
            if (member is null)
            {
                return Fail("The account management authentication token is not valid, has expired or was ended (the membership, account or member " +
                    "removed, or the password changed): get a new one from POST /v2/account-members/tokens.");
            }
            claims.Add(new Claim(ClaimTypes.Role, Roles.AccountMember));
            claims.Add(new Claim(Roles.AccountMemberIdClaim, member.Value.MemberId.ToString()));
            claims.Add(new Claim(Roles.AccountIdClaim, member.Value.AccountId.ToString()));
            claims.Add(new Claim(Roles.AccountTokenIdClaim, member.Value.TokenId.ToString()));
        }
        if (!string.IsNullOrWhiteSpace(customerToken) && grant.GrantType == TokenService.GrantImplicit)
        {
            var customer = await tokens.ValidateCustomerTokenAsync(customerToken.Trim(), Context.RequestAborted);
            if (customer is null)
            {
                return Fail("The customer token is not valid, has expired or was ended (signed out, or the password or email changed): get a new one from POST /v2/customers/tokens.");
            }
            claims.Add(new Claim(ClaimTypes.Role, Roles.Customer));
            claims.Add(new Claim(Roles.CustomerIdClaim, customer.Value.CustomerId.ToString()));
            claims.Add(new Claim(Roles.CustomerTokenIdClaim, customer.Value.TokenId.ToString()));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// The token of <c>Bearer &lt;token&gt;</c>, or of <c>Bearer: &lt;token&gt;</c>: the form @moltin/sdk 3.x to 6.x sends, which EP
    /// accepts. Nothing else is read as a token.
    /// </summary>
    public static string? BearerToken(string header)
    {
        var rest = header.StartsWith("Bearer: ", StringComparison.OrdinalIgnoreCase) ? header["Bearer: ".Length..]
            : header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..]
            : null;
        return string.IsNullOrWhiteSpace(rest) ? null : rest.Trim();
    }

    private AuthenticateResult Fail(string detail)
    {
        Context.Items[FailureItem] = detail;
        return AuthenticateResult.Fail(detail);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = Context.Items[FailureItem] as string ?? ApiErrors.DetailFor(401);
        if (Context.Items.ContainsKey(ConflictItem))
        {
            return ApiErrors.WriteAsync(Context, 400, [new ApiError(400, "Bad Request", detail)]);
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        // EP's title for every refused token.
        return ApiErrors.WriteAsync(Context, 401, [new ApiError(401, ApiErrors.UnauthorizedTitle, detail)]);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrors.WriteAsync(Context, 403, [new ApiError(403, "Forbidden", Context.User.IsInRole(Roles.ApiClient)
            ? ApiErrors.DetailFor(403)
            : "This needs a client_credentials access token (client id and secret); an implicit token cannot do it.")]);
}

public static class ApiCallers
{
    public static bool IsClientCredentials(this ClaimsPrincipal user) => user.IsInRole(Roles.ApiClient);
}
