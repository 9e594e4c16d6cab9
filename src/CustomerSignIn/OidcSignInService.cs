using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using CommerceManager.History;

namespace CommerceManager.CustomerSignIn;

/// <summary>What a storefront sends to sign a customer in with an authorization code (the proxy's, or a provider's).</summary>
public sealed record OidcCodeRedemption(string? Code, string? RedirectUri, string? CodeVerifier, string? ProfileId = null, string? Nonce = null);

/// <summary>What a storefront's browser brings to the login proxy (EP's <c>authorization-endpoint</c>), from its query string.</summary>
public sealed record ProxyLoginRequest(Guid RealmId, Guid? ProfileId, string? ClientId, string? RedirectUri, string? ResponseType, string? State,
    string? CodeChallenge, string? CodeChallengeMethod, IReadOnlyDictionary<string, string> PassThrough)
{
    /// <summary>The address the browser came from (<see cref="Api.ApiRateLimits.ClientKey"/>): pending sign-ins are capped per address.</summary>
    public string ClientKey { get; init; } = "";
    /// <summary>How many sign-ins may be under way from one address at once.</summary>
    public int MaxPending { get; init; } = int.MaxValue;
}

/// <summary>Where the proxy sends the browser next; or, when the storefront's redirect URI cannot be trusted, an error to show instead.</summary>
public sealed record ProxyStep(string? RedirectTo, string? Error = null, int Status = 400);

/// <summary>
/// Customer sign-in through a store's OpenID Connect provider: redeem the storefront's authorization code (with its
/// PKCE verifier) at the provider, check the ID token, and find, link or create the customer.
/// </summary>
public sealed class OidcSignInService(
    OidcProfileService profiles,
    RealmService realms,
    IDbContextFactory<AppDbContext> dbFactory,
    CustomerService customers,
    IHttpClientFactory http,
    IEnumerable<IRealmMembers> otherRealms,
    TimeProvider clock,
    ILogger<OidcSignInService> log)
{
    private readonly JsonWebTokenHandler tokens = new();

    /// <summary>The client id EP's storefronts send the login proxy (EP's <c>meta.client_id</c>).</summary>
    public const string StorefrontClientId = "customers";
    /// <summary>The client id for account members' sign-in (EP's account settings' <c>meta.client_id</c>).</summary>
    public const string AccountManagementClientId = "account-management";

    public static string ClientIdOf(RealmKind realm) => realm == RealmKind.Customers ? StorefrontClientId : AccountManagementClientId;
    private static readonly TimeSpan LoginLifetime = TimeSpan.FromMinutes(10);
    /// <summary>The longest storefront <c>state</c> the proxy keeps (EP's starters send a short random string).</summary>
    public const int MaxStateLength = 512;
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Redeems a code and returns the customer to issue a token for, or why not. A code the login proxy issued is checked
    /// here (one use, its redirect URI, the PKCE verifier against the storefront's challenge); any other code is a
    /// provider's, redeemed at the provider (the direct mode).
    /// </summary>
    public async Task<Outcome<Guid>> SignInAsync(ClaimsPrincipal caller, OidcCodeRedemption request, CancellationToken ct,
        RealmKind realm = RealmKind.Customers)
    {
        if (!string.IsNullOrEmpty(request.Code) && await RedeemIssuedCodeAsync(request, realm, ct) is { } issued)
        {
            return issued;
        }
        var missing = new[] { ("oauth_authorization_code", request.Code), ("oauth_redirect_uri", request.RedirectUri), ("oauth_code_verifier", request.CodeVerifier) }
            .FirstOrDefault(f => string.IsNullOrWhiteSpace(f.Item2));
        if (missing.Item1 is not null)
        {
            return Outcome.Refused<Guid>($"{missing.Item1} is required for authentication_mechanism oidc.", missing.Item1);
        }
        try
        {
            var profile = await ChooseProfileAsync(request.ProfileId, request.RedirectUri!, realm, ct);
            var claims = await RedeemAsync(profile, request.Code!, request.RedirectUri!, request.CodeVerifier!, request.Nonce, ct);
            return await FindOrCreateAsync(realm, profile.Profile, claims, ct);
        }
        catch (SignInRefusal refusal)
        {
            return refusal.Outcome;
        }
    }

    /// <summary>
    /// The login proxy's first step (EP's <c>authorization-endpoint</c>): checks what the storefront sent (client id
    /// <c>customers</c>, a redirect URI the realm lists, response type code, a PKCE S256 challenge), remembers it, and
    /// sends the browser to the provider with the store's own client, PKCE and nonce, back to <paramref name="callbackUri"/>.
    /// </summary>
    public async Task<ProxyStep> BeginLoginAsync(ProxyLoginRequest request, Func<Guid, string> callbackUri, CancellationToken ct)
    {
        if (await realms.FindAsync(request.RealmId, ct) is not { } realm)
        {
            return new ProxyStep(null, "There is no such authentication realm.");
        }
        if (string.IsNullOrEmpty(request.RedirectUri) || !realm.RedirectUris.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            // Never redirect to a URI the store has not listed: that would hand codes to anyone.
            return new ProxyStep(null, "redirect_uri is not one of the realm's redirect URIs (Settings → Customer sign-in, or PUT /v2/authentication-realms/:id).");
        }
        if (request.State is { Length: > MaxStateLength })
        {
            // The state travels back to the storefront and is stored until the provider answers: bounded, and never echoed.
            return new ProxyStep(null, $"state is longer than {MaxStateLength} characters.");
        }
        string Back(string error, string description) => AddQuery(request.RedirectUri,
            ("error", error), ("error_description", description), ("state", request.State));
        if (request.ClientId != ClientIdOf(realm.Kind))
        {
            return new ProxyStep(Back("unauthorized_client", $"client_id must be {ClientIdOf(realm.Kind)}."));
        }
        if (request.ResponseType != "code")
        {
            return new ProxyStep(Back("unsupported_response_type", "response_type must be code."));
        }
        if (request.CodeChallengeMethod != "S256" || string.IsNullOrEmpty(request.CodeChallenge) || request.CodeChallenge.Length is < 43 or > 128)
        {
            return new ProxyStep(Back("invalid_request", "PKCE is required: send code_challenge with code_challenge_method S256."));
        }
        var profile = request.ProfileId is { } id ? await profiles.LoadAsync(id, ct) : null;
        if (profile is not { Profile.Enabled: true } || profile.Value.Profile.Realm != realm.Kind)
        {
            return new ProxyStep(Back("invalid_request", "elasticpath_commerce_cloud_profile_id does not name an enabled OpenID Connect profile."));
        }
        Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration config;
        try
        {
            config = await profiles.ConfigurationAsync(profile.Value.Profile, ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException)
        {
            log.LogWarning("Sign-in proxy: the discovery document of {Provider} could not be read ({Reason}).", profile.Value.Profile.Name, ex.GetType().Name);
            return new ProxyStep(Back("temporarily_unavailable", $"{profile.Value.Profile.Name} could not be reached. Try again in a moment."));
        }
        var now = clock.UtcNow();
        var login = new OidcLoginRequest
        {
            Id = Guid.NewGuid(), ProfileId = profile.Value.Profile.Id, Realm = realm.Kind, RedirectUri = request.RedirectUri, StorefrontState = request.State,
            CodeChallenge = request.CodeChallenge, ProviderCodeVerifier = Base64Url(RandomNumberGenerator.GetBytes(32)),
            Nonce = Base64Url(RandomNumberGenerator.GetBytes(16)), CreatedAt = now, ExpiresAt = now + LoginLifetime,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // Keep the table small: abandoned sign-ins go when new ones start.
            await db.OidcLoginRequests.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(ct);
            await db.OidcIssuedCodes.Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(ct);
            if (await db.OidcLoginRequests.CountAsync(r => r.ClientKey == request.ClientKey, ct) >= request.MaxPending)
            {
                log.LogWarning("Sign-in proxy: {Max} sign-ins already under way from one address; refused.", request.MaxPending);
                return new ProxyStep(null, "Too many sign-ins are under way from this address. Finish one, or wait ten minutes.", 429);
            }
            login.ClientKey = request.ClientKey;
            db.OidcLoginRequests.Add(login);
            await db.SaveChangesAsync(ct);
        }
        var query = new List<(string, string?)>
        {
            ("client_id", profile.Value.Profile.ClientId), ("response_type", "code"), ("scope", profile.Value.Profile.Scopes),
            ("redirect_uri", callbackUri(profile.Value.Profile.Id)), ("state", login.Id.ToString("N")), ("nonce", login.Nonce),
            ("code_challenge", Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(login.ProviderCodeVerifier)))), ("code_challenge_method", "S256"),
        };
        // EP forwards these to the provider.
        query.AddRange(request.PassThrough.Where(p => p.Key is "display" or "prompt" or "ui_locales" or "login_hint").Select(p => (p.Key, (string?)p.Value)));
        return new ProxyStep(AddQuery(config.AuthorizationEndpoint, [.. query]));
    }

    /// <summary>
    /// The provider's callback: redeems its code with the store's verifier, finds or creates the customer, and sends the
    /// browser back to the storefront with a one-time code of the store's own (or EP's error parameters).
    /// </summary>
    public async Task<ProxyStep> CompleteLoginAsync(Guid profileId, string? state, string? code, string? error, string? errorDescription,
        Func<Guid, string> callbackUri, CancellationToken ct)
    {
        OidcLoginRequest? login;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            login = Guid.TryParse(state, out var id) ? await db.OidcLoginRequests.FirstOrDefaultAsync(r => r.Id == id && r.ProfileId == profileId, ct) : null;
            if (login is not null)
            {
                // One use.
                db.OidcLoginRequests.Remove(login);
                await db.SaveChangesAsync(ct);
            }
        }
        if (login is null || login.ExpiresAt < clock.UtcNow())
        {
            return new ProxyStep(null, "This sign-in has expired or was already completed. Start it again from the store.");
        }
        string Back(params (string, string?)[] parameters) => AddQuery(login.RedirectUri, [.. parameters, ("state", login.StorefrontState)]);
        if (error is not null || string.IsNullOrEmpty(code))
        {
            return new ProxyStep(Back(("error", error ?? "access_denied"), ("error_description", errorDescription ?? "The provider did not sign the person in.")));
        }
        try
        {
            var profile = (await profiles.LoadAsync(profileId, ct)) ?? throw Refused("The sign-in provider was removed.");
            var claims = await RedeemAsync(profile, code, callbackUri(profileId), login.ProviderCodeVerifier, login.Nonce, ct);
            var found = await FindOrCreateAsync(login.Realm, profile.Profile, claims, ct);
            if (!found.IsOk)
            {
                throw new SignInRefusal(found);
            }
            var issued = Base64Url(RandomNumberGenerator.GetBytes(32));
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.OidcIssuedCodes.Add(new OidcIssuedCode
            {
                CodeHash = Hash(issued), CustomerId = found.Value, Realm = login.Realm, ProfileId = profileId, RedirectUri = login.RedirectUri,
                CodeChallenge = login.CodeChallenge, ExpiresAt = clock.UtcNow() + CodeLifetime,
            });
            await db.SaveChangesAsync(ct);
            return new ProxyStep(Back(("code", issued)));
        }
        catch (SignInRefusal refusal)
        {
            var kind = refusal.Outcome.Kind == OutcomeKind.Unavailable ? "temporarily_unavailable" : "access_denied";
            return new ProxyStep(Back(("error", kind), ("error_description", refusal.Outcome.Error)));
        }
    }

    /// <summary>A code the proxy issued, redeemed once: null when the code is not one of the proxy's (a provider's, then).</summary>
    private async Task<Outcome<Guid>?> RedeemIssuedCodeAsync(OidcCodeRedemption request, RealmKind realm, CancellationToken ct)
    {
        var hash = Hash(request.Code!);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var issued = await db.OidcIssuedCodes.AsNoTracking().FirstOrDefaultAsync(c => c.CodeHash == hash, ct);
        if (issued is null)
        {
            return null;
        }
        if (issued.Realm != realm)
        {
            // A customer's code at the members' token endpoint (or the other way round) signs nobody in.
            return Outcome.Denied<Guid>(realm == RealmKind.Customers
                ? "This code is an account member's: redeem it at POST /v2/account-members/tokens."
                : "This code is a customer's: redeem it at POST /v2/customers/tokens.");
        }
        // One use, even when two requests race for it: only one of them flips the flag.
        if (await db.OidcIssuedCodes.Where(c => c.CodeHash == hash && !c.Used).ExecuteUpdateAsync(u => u.SetProperty(c => c.Used, true), ct) == 0)
        {
            return Outcome.Denied<Guid>("This authorization code was already used. Start the sign-in again.");
        }
        if (issued.ExpiresAt < clock.UtcNow())
        {
            return Outcome.Denied<Guid>("This authorization code has expired. Start the sign-in again.");
        }
        if (!string.Equals(issued.RedirectUri, request.RedirectUri, StringComparison.Ordinal))
        {
            return Outcome.Denied<Guid>("oauth_redirect_uri is not the redirect URI the sign-in started with.");
        }
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(request.CodeVerifier ?? "")));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(challenge), Encoding.ASCII.GetBytes(issued.CodeChallenge)))
        {
            return Outcome.Denied<Guid>("oauth_code_verifier does not match the code challenge the sign-in started with.");
        }
        return issued.CustomerId;
    }

    private static string Hash(string code) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string AddQuery(string uri, params (string Key, string? Value)[] parameters)
    {
        var pairs = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));
        return pairs.Length == 0 ? uri : uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + pairs;
    }

    /// <summary>Carries an outcome out of the depths of one sign-in; never leaves this class.</summary>
    private sealed class SignInRefusal(Outcome<Guid> outcome) : Exception(outcome.Error)
    {
        public Outcome<Guid> Outcome { get; } = outcome;
    }

    private static SignInRefusal Refused(string message, string? field = null) => new(Outcome.Refused<Guid>(message, field));

    private static SignInRefusal Denied(string message) => new(Outcome.Denied<Guid>(message));

    private async Task<(OidcProfile Profile, string Secret)> ChooseProfileAsync(string? profileId, string redirectUri, RealmKind realm, CancellationToken ct)
    {
        var enabled = await profiles.ListAsync(enabledOnly: true, ct: ct, realm: realm);
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

    /// <summary>The person a provider identity signs in, in the realm the sign-in is for.</summary>
    private async Task<Outcome<Guid>> FindOrCreateAsync(RealmKind realm, OidcProfile profile, IReadOnlyDictionary<string, object> claims, CancellationToken ct)
    {
        if (realm == RealmKind.Customers)
        {
            return await FindOrCreateCustomerAsync(profile, claims, ct);
        }
        var members = otherRealms.FirstOrDefault(r => r.Realm == realm)
            ?? throw new InvalidOperationException($"No feature signs in the people of the {realm} realm.");
        var subject = claims.TryGetValue("sub", out var sub) ? sub.ToString() : null;
        if (string.IsNullOrEmpty(subject))
        {
            throw Denied("The ID token has no subject (sub).");
        }
        var email = claims.TryGetValue("email", out var e) ? e.ToString()?.Trim() : null;
        if (string.IsNullOrEmpty(email) || !EmailRules.IsValid(email))
        {
            throw Refused($"{profile.Name} gave no usable email address for this person: add the email scope to the profile.");
        }
        var verified = claims.TryGetValue("email_verified", out var v) && (v is true || string.Equals(v.ToString(), "true", StringComparison.OrdinalIgnoreCase));
        var policy = (await realms.GetAsync(realm, ct)).DuplicateEmailPolicy;
        // What a provider sign-in creates or links is the system's doing (on the storefront's request), on the timeline as such.
        using var actor = ChangeContext.Use(ChangeActor.System($"sign-in through {profile.Name}", ChangeActor.Api));
        return await members.FindOrCreateAsync(profile, new ProviderIdentity(subject, email, verified, NameOf(claims, email)), policy, ct);
    }

    private static string NameOf(IReadOnlyDictionary<string, object> claims, string email)
    {
        var name = claims.TryGetValue("name", out var n) && !string.IsNullOrWhiteSpace(n.ToString()) ? n.ToString()!
            : string.Join(' ', new[] { "given_name", "family_name" }.Select(k => claims.TryGetValue(k, out var x) ? x.ToString() : null).Where(x => !string.IsNullOrWhiteSpace(x)));
        return string.IsNullOrWhiteSpace(name) ? email.Split('@')[0] : name;
    }

    /// <summary>
    /// The customer a provider identity belongs to: the one it signed in as before; else, for a person whose email a
    /// customer has, either a new customer (policy <c>allowed</c>) or, with a verified email and policy <c>api_only</c>, that
    /// customer, whose password is removed and whose tokens end (so whoever registered the email first cannot keep a way
    /// in); else a new customer.
    /// </summary>
    private async Task<Guid> FindOrCreateCustomerAsync(OidcProfile profile, IReadOnlyDictionary<string, object> claims, CancellationToken ct)
    {
        // What a provider sign-in creates or links is the system's doing (on the storefront's request), on the timeline as such.
        using var actor = ChangeContext.Use(ChangeActor.System($"sign-in through {profile.Name}", ChangeActor.Api));
        var subject = claims.TryGetValue("sub", out var sub) ? sub.ToString() : null;
        if (string.IsNullOrEmpty(subject))
        {
            throw Denied("The ID token has no subject (sub).");
        }
        var now = clock.UtcNow();
        var email = claims.TryGetValue("email", out var e) ? e.ToString()?.Trim() : null;
        var verified = claims.TryGetValue("email_verified", out var v) && (v is true || string.Equals(v.ToString(), "true", StringComparison.OrdinalIgnoreCase));

        await using (var known = await dbFactory.CreateDbContextAsync(ct))
        {
            var login = await known.CustomerLogins.FirstOrDefaultAsync(l => l.ProfileId == profile.Id && l.Subject == subject, ct);
            if (login is not null)
            {
                login.LastSignInAt = now;
                login.Email = email ?? login.Email;
                await known.SaveChangesAsync(ct);
                return login.CustomerId;
            }
        }

        if (string.IsNullOrEmpty(email) || !EmailRules.IsValid(email))
        {
            throw Refused($"{profile.Name} gave no usable email address for this person: add the email scope to the profile.");
        }
        var policy = (await realms.GetAsync(ct)).DuplicateEmailPolicy;
        var input = new CustomerInput { Name = NameOf(claims, email), Email = email };
        var identity = new CustomerLogin { Id = Guid.CreateVersion7(), ProfileId = profile.Id, Subject = subject, Email = email, CreatedAt = now, LastSignInAt = now };

        if (policy == DuplicateEmailPolicy.Allowed)
        {
            // A new identity is a new customer, even when someone registered the email before: nothing is merged.
            var created = await customers.CreateAsync(SignInCaller, input, ct, shareEmail: true);
            identity.CustomerId = created.Value!.Id;
            return await AddLoginAsync(identity, ct);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var normalized = Customer.Normalize(email);
        var existing = await db.Customers.FirstOrDefaultAsync(c => c.NormalizedEmail == normalized && !c.EmailShared, ct);
        if (existing is null)
        {
            var created = await customers.CreateAsync(SignInCaller, input, ct);
            if (created.Kind == OutcomeKind.Duplicate)
            {
                // Registered a moment ago by someone else: treat as an existing customer.
                return await FindOrCreateCustomerAsync(profile, claims, ct);
            }
            identity.CustomerId = created.Value!.Id;
            return await AddLoginAsync(identity, ct);
        }
        if (!verified)
        {
            log.LogWarning("Customer sign-in with {Provider}: an unverified email matches an existing customer; not linked.", profile.Name);
            throw new SignInRefusal(Outcome.Duplicate<Guid>("email",
                $"A customer with this email already exists, and {profile.Name} has not verified that the email belongs to this person. " +
                "Sign in with the password instead, or verify the email at the provider."));
        }
        // Link, in one transaction: the identity, no password any more, every token of the customer ended.
        identity.CustomerId = existing.Id;
        identity.LinkedExisting = true;
        db.CustomerLogins.Add(identity);
        var hadPassword = existing.PasswordHash is not null;
        existing.PasswordHash = null;
        existing.UpdatedAt = now;
        existing.Version = Guid.NewGuid();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ended = await db.CustomerTokens.Where(t => t.CustomerId == existing.Id).ExecuteDeleteAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Two first sign-ins at once: the other one linked it.
            return existing.Id;
        }
        catch (DbUpdateConcurrencyException)
        {
            // The customer changed meanwhile: start over on the fresh row.
            return await FindOrCreateCustomerAsync(profile, claims, ct);
        }
        log.LogWarning("Customer sign-in with {Provider} linked a new identity to the existing customer {CustomerId} by its verified email " +
            "(duplicate_email_policy api_only): password removed ({HadPassword}), {Tokens} customer token(s) ended.", profile.Name, existing.Id, hadPassword, ended);
        return existing.Id;
    }

    private async Task<Guid> AddLoginAsync(CustomerLogin login, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.CustomerLogins.Add(login);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Two first sign-ins at once: the other one linked it.
        }
        return login.CustomerId;
    }

    /// <summary>Who creates customers on a first sign-in: the sign-in itself, with a storefront's right to register.</summary>
    private static readonly ClaimsPrincipal SignInCaller = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Role, Security.Roles.Storefront), new Claim(ClaimTypes.Name, "OpenID Connect sign-in")], "sign-in"));

    private static SignInRefusal Unavailable(OidcProfile profile) =>
        new(Outcome.Unavailable<Guid>($"{profile.Name} could not be reached to complete the sign-in. Try again in a moment."));
}
