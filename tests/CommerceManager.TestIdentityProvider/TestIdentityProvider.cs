using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace CommerceManager.TestIdentityProvider;

public sealed record TestUser(string Subject, string Email, bool EmailVerified, string Name);

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on a loopback port, for the tests: authorization code with PKCE,
/// signed ID tokens, discovery and keys. Its users sign in without a prompt; <c>login_hint</c> picks which.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "commerce-manager";
    public const string ClientSecret = "idp-client-secret-0123456789";
    public const string RedirectUri = "https://shop.example/account/oidc-callback";

    public static readonly IReadOnlyDictionary<string, TestUser> Users = new Dictionary<string, TestUser>
    {
        ["alice"] = new("alice-sub-001", "alice.oidc@example.com", true, "Alice Example"),
        ["bob"] = new("bob-sub-002", "bob.oidc@example.com", true, "Bob Example"),
        ["mallory"] = new("mallory-sub-003", "taken@example.com", false, "Mallory Unverified"),
        ["verified-taken"] = new("victor-sub-004", "taken.verified@example.com", true, "Victor Verified"),
        // A dotless i (U+0131): upper-cased as I by ToUpperInvariant, so a careless fold makes it victim@example.com.
        ["dotless"] = new("dotless-sub-005", "v\u0131ctim@example.com", true, "Dotless Impostor"),
    };

    private readonly string directory = Directory.CreateTempSubdirectory("cm-idp-").FullName;
    private WebApplication? app;

    /// <summary>The issuer, with a trailing slash, e.g. http://127.0.0.1:41234/.</summary>
    public string Issuer { get; private set; } = "";
    public string DiscoveryUrl => Issuer + ".well-known/openid-configuration";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDbContext<IdpDb>(o =>
        {
            o.UseSqlite($"Data Source={Path.Combine(directory, "idp.db")}");
            o.UseOpenIddict();
        });
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdpDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.DisableAccessTokenEncryption();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            });
        app = builder.Build();

        // Everyone is signed in already: the user named by login_hint (alice by default) consents without a prompt.
        app.MapGet("/connect/authorize", (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
            var user = Users.GetValueOrDefault(request.LoginHint ?? "alice") ?? Users["alice"];
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, user.Subject)
                .SetClaim(Claims.Email, user.Email)
                .SetClaim(Claims.EmailVerified, user.EmailVerified)
                .SetClaim(Claims.Name, user.Name);
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // The provider's own throw-away store (this is the test fixture, not the app): created directly.
            await scope.ServiceProvider.GetRequiredService<IdpDb>().Database.EnsureCreatedAsync();
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            await applications.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientType = ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                RedirectUris = { new Uri(RedirectUri) },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                    Permissions.ResponseTypes.Code, Permissions.Scopes.Email, Permissions.Scopes.Profile,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            });
        }
        await app.StartAsync();
        Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
        // The first requests build OpenIddict's model and keys, which takes seconds on a busy machine: do it now, so the
        // app's first discovery (with its own timeout) meets a provider that answers at once.
        using var warm = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        (await warm.GetAsync(DiscoveryUrl)).EnsureSuccessStatusCode();
        (await warm.GetAsync(Issuer + ".well-known/jwks")).EnsureSuccessStatusCode();
    }

    /// <summary>Registers one more redirect URI for the store's client (the store's sign-in callback, known only once a profile exists).</summary>
    public async Task AllowRedirectUriAsync(string uri)
    {
        await using var scope = app!.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var client = await applications.FindByClientIdAsync(ClientId) ?? throw new InvalidOperationException("The client is missing.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, client);
        descriptor.RedirectUris.Add(new Uri(uri));
        await applications.UpdateAsync(client, descriptor);
    }

    /// <summary>Stops answering, as a provider that is down.</summary>
    public async Task StopAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Does what a storefront's browser does: opens the authorize URL (from the API's oidc-profiles link, plus state,
    /// redirect URI and PKCE challenge) and returns the code the provider redirects back with.
    /// </summary>
    public static async Task<string> AuthorizeAsync(string authorizationEndpoint, string codeVerifier, string user = "alice", string redirectUri = RedirectUri)
    {
        var challenge = Base64Url(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(codeVerifier)));
        var url = authorizationEndpoint + (authorizationEndpoint.Contains('?') ? "&" : "?") +
            $"redirect_uri={Uri.EscapeDataString(redirectUri)}&state=xyz&code_challenge={challenge}&code_challenge_method=S256&login_hint={user}";
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var response = await http.GetAsync(url);
        var location = response.Headers.Location ?? throw new InvalidOperationException($"The provider did not redirect ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        return query.TryGetValue("code", out var code) ? code.ToString()
            : throw new InvalidOperationException($"No code in {location}");
    }

    public static string NewCodeVerifier() => Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class IdpDb(DbContextOptions<IdpDb> options) : DbContext(options);
}
