using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CommerceManager.CustomerSignIn;

/// <summary>What a storefront sends to sign a customer in with a provider's authorization code.</summary>
public sealed record OidcCodeRedemption(string? Code, string? RedirectUri, string? CodeVerifier, string? ProfileId = null, string? Nonce = null);

/// <summary>
/// Customer sign-in through a store's OpenID Connect provider: redeem the storefront's authorization code (with its
/// PKCE verifier) at the provider, check the ID token, and find, link or create the customer.
/// </summary>
public sealed class OidcSignInService(
    OidcProfileService profiles,
    IDbContextFactory<AppDbContext> dbFactory,
    CustomerService customers,
    IHttpClientFactory http,
    TimeProvider clock,
    ILogger<OidcSignInService> log)
{
    private readonly JsonWebTokenHandler tokens = new();

    /// <summary>Redeems the code and returns the customer to issue a token for, or why not.</summary>
    public async Task<Outcome<Guid>> SignInAsync(ClaimsPrincipal caller, OidcCodeRedemption request, CancellationToken ct)
    {
        var missing = new[] { ("oauth_authorization_code", request.Code), ("oauth_redirect_uri", request.RedirectUri), ("oauth_code_verifier", request.CodeVerifier) }
            .FirstOrDefault(f => string.IsNullOrWhiteSpace(f.Item2));
        if (missing.Item1 is not null)
        {
            return Outcome.Refused<Guid>($"{missing.Item1} is required for authentication_mechanism oidc.", missing.Item1);
        }
        try
        {
            var profile = await ChooseProfileAsync(request.ProfileId, request.RedirectUri!, ct);
            var claims = await RedeemAsync(profile, request.Code!, request.RedirectUri!, request.CodeVerifier!, request.Nonce, ct);
            return await FindOrCreateCustomerAsync(caller, profile.Profile, claims, ct);
        }
        catch (SignInRefusal refusal)
        {
            return refusal.Outcome;
        }
    }

    /// <summary>Carries an outcome out of the depths of one sign-in; never leaves this class.</summary>
    private sealed class SignInRefusal(Outcome<Guid> outcome) : Exception(outcome.Error)
    {
        public Outcome<Guid> Outcome { get; } = outcome;
    }

    private static SignInRefusal Refused(string message, string? field = null) => new(Outcome.Refused<Guid>(message, field));

    private static SignInRefusal Denied(string message) => new(Outcome.Denied<Guid>(message));

    private async Task<(OidcProfile Profile, string Secret)> ChooseProfileAsync(string? profileId, string redirectUri, CancellationToken ct)
    {
        var enabled = await profiles.ListAsync(enabledOnly: true, ct: ct);
        if (enabled.Count == 0)
        {
            throw Refused("OpenID Connect sign-in is not available: no provider is enabled for this store. Use authentication_mechanism password.",
                "authentication_mechanism");
        }
        OidcProfileDto? chosen;
        if (profileId is not null)
        {
            chosen = Guid.TryParse(profileId, out var id) ? enabled.FirstOrDefault(p => p.Id == id) : null;
            if (chosen is null)
            {
                throw Refused("oidc_profile_id does not name an enabled OpenID Connect profile.", "oidc_profile_id");
            }
        }
        else
        {
            // The profile that lists this redirect URI; else the only one that accepts any.
            var listing = enabled.Where(p => p.RedirectUris.Contains(redirectUri, StringComparer.Ordinal)).ToList();
            var open = enabled.Where(p => p.RedirectUris.Count == 0).ToList();
            chosen = listing.Count == 1 ? listing[0] : listing.Count == 0 && open.Count == 1 ? open[0] : null;
            if (chosen is null && listing.Count == 0 && open.Count == 0)
            {
                throw Refused("This redirect URI is not one the store's sign-in providers accept.", "oauth_redirect_uri");
            }
            if (chosen is null)
            {
                throw Refused("Several sign-in providers could have issued this code: add oidc_profile_id to say which.", "oidc_profile_id");
            }
        }
        if (chosen.RedirectUris.Count > 0 && !chosen.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            throw Refused($"The redirect URI is not one the {chosen.Name} profile accepts.", "oauth_redirect_uri");
        }
        return (await profiles.LoadAsync(chosen.Id, ct))!.Value;
    }

    /// <summary>The claims of the provider's validated ID token for this code.</summary>
    private async Task<IReadOnlyDictionary<string, object>> RedeemAsync((OidcProfile Profile, string Secret) p, string code,
        string redirectUri, string verifier, string? nonce, CancellationToken ct)
    {
        var profile = p.Profile;
        Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration config;
        try
        {
            config = await profiles.ConfigurationAsync(profile, ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException)
        {
            log.LogWarning("Customer sign-in with {Provider}: its discovery document could not be read ({Reason}).", profile.Name, ex.InnerException?.Message ?? ex.Message);
            throw Unavailable(profile);
        }

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, config.TokenEndpoint);
        var methods = config.TokenEndpointAuthMethodsSupported;
        if (methods.Count == 0 || methods.Contains("client_secret_basic"))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(profile.ClientId)}:{Uri.EscapeDataString(p.Secret)}")));
        }
        else
        {
            form["client_id"] = profile.ClientId;
            form["client_secret"] = p.Secret;
        }
        message.Content = new FormUrlEncodedContent(form);

        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.CreateClient(OidcProfileService.HttpClientName).SendAsync(message, ct);
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            log.LogWarning("Customer sign-in with {Provider}: the token endpoint did not answer ({Reason}).", profile.Name, ex.Message);
            throw Unavailable(profile);
        }

        JsonObject? tokenResponse = null;
        try
        {
            tokenResponse = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
        }
        if (!response.IsSuccessStatusCode)
        {
            var error = tokenResponse?["error"]?.ToString() ?? $"HTTP {(int)response.StatusCode}";
            var description = tokenResponse?["error_description"]?.ToString();
            log.LogInformation("Customer sign-in with {Provider}: the provider refused the code ({Error}).", profile.Name, error);
            if ((int)response.StatusCode >= 500)
            {
                throw Unavailable(profile);
            }
            throw Denied(
                $"{profile.Name} refused the authorization code ({error}{(description is null ? "" : ": " + description)}). Start the sign-in again.");
        }
        var idToken = tokenResponse?["id_token"]?.ToString();
        if (string.IsNullOrEmpty(idToken))
        {
            throw Denied($"{profile.Name} did not return an ID token: make sure the profile's scopes include openid.");
        }

        var validation = await tokens.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = config.Issuer,
            ValidAudience = profile.ClientId,
            IssuerSigningKeys = config.SigningKeys,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
            LifetimeValidator = clock.LifetimeValidator(),
        });
        if (!validation.IsValid)
        {
            var reason = validation.Exception?.GetType().Name.Replace("SecurityToken", "", StringComparison.Ordinal).Replace("Exception", "", StringComparison.Ordinal) ?? "invalid";
            log.LogWarning("Customer sign-in with {Provider}: the ID token failed validation ({Reason}).", profile.Name, reason);
            throw Denied($"The ID token from {profile.Name} is not valid ({reason}): its signature, issuer, audience and lifetime must check out.");
        }
        if (nonce is not null && (!validation.Claims.TryGetValue("nonce", out var tokenNonce) || tokenNonce.ToString() != nonce))
        {
            throw Denied("The ID token's nonce does not match oauth_nonce.");
        }
        return new Dictionary<string, object>(validation.Claims);
    }

    private async Task<Guid> FindOrCreateCustomerAsync(ClaimsPrincipal caller, OidcProfile profile, IReadOnlyDictionary<string, object> claims, CancellationToken ct)
    {
        var subject = claims.TryGetValue("sub", out var sub) ? sub.ToString() : null;
        if (string.IsNullOrEmpty(subject))
        {
            throw Denied("The ID token has no subject (sub).");
        }
        var now = clock.UtcNow();
        var email = claims.TryGetValue("email", out var e) ? e.ToString()?.Trim() : null;
        var verified = claims.TryGetValue("email_verified", out var v) && (v is true || string.Equals(v.ToString(), "true", StringComparison.OrdinalIgnoreCase));

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var login = await db.CustomerLogins.FirstOrDefaultAsync(l => l.ProfileId == profile.Id && l.Subject == subject, ct);
            if (login is not null)
            {
                login.LastSignInAt = now;
                login.Email = email ?? login.Email;
                await db.SaveChangesAsync(ct);
                return login.CustomerId;
            }
        }

        if (string.IsNullOrEmpty(email) || !EmailRules.IsValid(email))
        {
            throw Refused($"{profile.Name} gave no usable email address for this person: add the email scope to the profile.");
        }
        Guid customerId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var normalized = Customer.Normalize(email);
            var existing = await db.Customers.AsNoTracking().Where(c => c.NormalizedEmail == normalized).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
            if (existing is { } id)
            {
                if (!verified)
                {
                    log.LogWarning("Customer sign-in with {Provider}: an unverified email matches an existing customer; not linked.", profile.Name);
                    throw new SignInRefusal(Outcome.Duplicate<Guid>("email",
                        $"A customer with this email already exists, and {profile.Name} has not verified that the email belongs to this person. " +
                        "Sign in with the password instead, or verify the email at the provider."));
                }
                customerId = id;
            }
            else
            {
                var name = claims.TryGetValue("name", out var n) && !string.IsNullOrWhiteSpace(n.ToString()) ? n.ToString()!
                    : string.Join(' ', new[] { "given_name", "family_name" }.Select(k => claims.TryGetValue(k, out var x) ? x.ToString() : null).Where(x => !string.IsNullOrWhiteSpace(x)));
                var created = await customers.CreateAsync(caller, new CustomerInput { Name = string.IsNullOrWhiteSpace(name) ? email.Split('@')[0] : name, Email = email }, ct);
                if (created.Kind == OutcomeKind.Duplicate)
                {
                    // Registered a moment ago by someone else: treat as an existing customer.
                    return await FindOrCreateCustomerAsync(caller, profile, claims, ct);
                }
                customerId = created.Value!.Id;
            }
        }

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.CustomerLogins.Add(new CustomerLogin
            {
                Id = Guid.CreateVersion7(), CustomerId = customerId, ProfileId = profile.Id, Subject = subject, Email = email, CreatedAt = now, LastSignInAt = now,
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                // Two first sign-ins at once: the other one linked it.
            }
        }
        return customerId;
    }

    private static SignInRefusal Unavailable(OidcProfile profile) =>
        new(Outcome.Unavailable<Guid>($"{profile.Name} could not be reached to complete the sign-in. Try again in a moment."));
}
