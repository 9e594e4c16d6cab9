using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.CustomerSignIn;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Idp = CommerceManager.TestIdentityProvider.TestIdentityProvider;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>The app and a real OpenID Connect provider (OpenIddict) on loopback ports, with a profile for it.</summary>
public class OidcStore : AppFactory, IAsyncLifetime
{
    /// <summary>The storefront's page the store's sign-in returns to (EP's flow), listed in the realm.</summary>
    public const string StorefrontCallback = "https://shop.example/oidc";

    public Idp Provider { get; } = new();
    public Guid RealmId { get; private set; }
    public string ProfileId { get; private set; } = "";

    /// <summary>The test provider listens on loopback, which the store refuses by default.</summary>
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["CustomerSignIn:AllowPrivateProviders"] = "true" };

    /// <summary>The realm's duplicate-email policy for this store (EP's default: allowed).</summary>
    protected virtual string DuplicateEmailPolicy => "allowed";

    public virtual async Task InitializeAsync()
    {
        await Provider.StartAsync();
        var server = await ApiClient.ClientCredentialsAsync(this);
        var settings = await ApiClient.ExpectAsync(await server.GetAsync("/v2/settings/customer-authentication"), HttpStatusCode.OK);
        RealmId = Guid.Parse(settings["data"]!["relationships"]!["authentication-realm"]!["data"]!["id"]!.GetValue<string>());
        var profile = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{RealmId}/oidc-profiles", new
        {
            type = "oidc-profile", name = "Store accounts", discovery_url = Provider.Issuer, client_id = Idp.ClientId, client_secret = Idp.ClientSecret,
            redirect_uris = new[] { Idp.RedirectUri },
        }), HttpStatusCode.Created);
        ProfileId = profile["data"]!["id"]!.GetValue<string>();
        await Provider.AllowRedirectUriAsync(profile["links"]!["callback-endpoint"]!.GetValue<string>());
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/authentication-realms/{RealmId}", new
        {
            type = "authentication-realm", redirect_uris = new[] { StorefrontCallback }, duplicate_email_policy = DuplicateEmailPolicy,
        }), HttpStatusCode.OK);
    }

    /// <summary>
    /// EP's storefront flow through the store's sign-in, as a browser follows it: the profile's authorization-endpoint with
    /// client_id customers, the storefront's redirect URI, state and PKCE; on to the provider; back through the store's
    /// callback; to the storefront with the store's code. Returns where the browser lands last.
    /// </summary>
    public async Task<Uri> BrowseSignInAsync(string user, string verifier, string redirectUri = StorefrontCallback, string state = "st-1")
    {
        var storefront = await ApiClient.ImplicitAsync(this);
        var single = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{RealmId}/oidc-profiles/{ProfileId}"), HttpStatusCode.OK);
        var link = single["links"]!["authorization-endpoint"]!.GetValue<string>();
        var challenge = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var url = new Uri(link + $"&client_id=customers&redirect_uri={Uri.EscapeDataString(redirectUri)}&state={state}&response_type=code" +
            $"&scope={Uri.EscapeDataString("openid email profile")}&code_challenge_method=S256&code_challenge={challenge}&login_hint={user}");
        var app = CreateBrowserlessClient();
        using var outside = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        for (var hop = 0; hop < 6; hop++)
        {
            var response = url.Host == "localhost" ? await app.GetAsync(url.PathAndQuery) : url.Host == "shop.example" ? null : await outside.GetAsync(url);
            if (response is null)
            {
                return url;
            }
            if (response.Headers.Location is not { } next)
            {
                throw new InvalidOperationException($"No redirect from {url} ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
            }
            url = next.IsAbsoluteUri ? next : new Uri(url, next);
        }
        throw new InvalidOperationException("Too many redirects.");
    }

    async Task IAsyncLifetime.DisposeAsync() => await Provider.DisposeAsync();

    /// <summary>A storefront signs a person in at the provider and exchanges the code for a customer token.</summary>
    public async Task<HttpResponseMessage> SignInAsync(ApiClient storefront, string user, string? verifier = null, string? code = null,
        string redirectUri = Idp.RedirectUri, string? codeVerifierSent = null)
    {
        var profiles = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{RealmId}/oidc-profiles"), HttpStatusCode.OK);
        // The direct mode: the provider's own authorize URL, and the provider's code redeemed by the store.
        var link = profiles["data"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == ProfileId)!["meta"]!["provider_authorization_endpoint"]!.GetValue<string>();
        verifier ??= Idp.NewCodeVerifier();
        code ??= await Idp.AuthorizeAsync(link, verifier, user);
        return await storefront.PostAsync("/v2/customers/tokens", new
        {
            type = "token", authentication_mechanism = "oidc", oauth_authorization_code = code, oauth_redirect_uri = redirectUri,
            oauth_code_verifier = codeVerifierSent ?? verifier,
        });
    }
}

public sealed class OidcSignInTests(OidcStore store) : IClassFixture<OidcStore>
{
    private static async Task<JsonObject> TokenAsync(HttpResponseMessage response) => (await ApiClient.ExpectAsync(response, HttpStatusCode.OK))["data"]!.AsObject();

    [Fact]
    public async Task Storefronts_discover_the_profile_the_EP_way_without_its_secret()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var profiles = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles"), HttpStatusCode.OK);

        var profile = profiles["data"]!.AsArray().Single()!;
        Assert.Equal("oidc-profile", profile["type"]!.GetValue<string>());
        // EP's authorization-endpoint is the store's sign-in; the provider's own URL is there for the direct mode.
        Assert.StartsWith($"http://localhost/oidc-idp/login/stores/", profile["links"]!["authorization-endpoint"]!.GetValue<string>());
        var link = profile["meta"]!["provider_authorization_endpoint"]!.GetValue<string>();
        Assert.StartsWith(store.Provider.Issuer + "connect/authorize?client_id=commerce-manager&response_type=code&scope=openid%20email%20profile", link);
        Assert.DoesNotContain(Idp.ClientSecret, profiles.ToJsonString());
        await ApiClient.ExpectErrorAsync(await storefront.PostAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles", new { type = "oidc-profile" }), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await storefront.GetAsync($"/v2/authentication-realms/{Guid.NewGuid()}/oidc-profiles"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_code_and_PKCE_round_trip_creates_the_customer_then_finds_the_same_one()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var first = await TokenAsync(await store.SignInAsync(storefront, "alice"));
        var second = await TokenAsync(await store.SignInAsync(storefront, "alice"));

        Assert.Equal(first["customer_id"]!.GetValue<string>(), second["customer_id"]!.GetValue<string>());
        storefront.CustomerToken = second["token"]!.GetValue<string>();
        var me = (await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/customers/{second["customer_id"]}"), HttpStatusCode.OK))["data"]!;
        Assert.Equal(("Alice Example", "alice.oidc@example.com", false), (me["name"]!.GetValue<string>(), me["email"]!.GetValue<string>(), me["password"]!.GetValue<bool>()));
        await using var db = await store.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.CustomerLogins.CountAsync(l => l.Subject == "alice-sub-001"));
    }

    [Fact]
    public async Task A_bad_or_reused_code_and_a_wrong_verifier_are_refused_with_401()
    {
        var storefront = await ApiClient.ImplicitAsync(store);
        var verifier = Idp.NewCodeVerifier();
        var profiles = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles"), HttpStatusCode.OK);
        var link = profiles["data"]![0]!["meta"]!["provider_authorization_endpoint"]!.GetValue<string>();
        var code = await Idp.AuthorizeAsync(link, verifier, "bob");

        var bad = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "bob", code: "not-a-real-code"), HttpStatusCode.Unauthorized);
        var wrongVerifier = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "bob", verifier, code, codeVerifierSent: Idp.NewCodeVerifier()), HttpStatusCode.Unauthorized);
        var fresh = Idp.NewCodeVerifier();
        var good = await Idp.AuthorizeAsync(link, fresh, "bob");
        await TokenAsync(await store.SignInAsync(storefront, "bob", fresh, good));
        var reused = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "bob", fresh, good), HttpStatusCode.Unauthorized);

        Assert.Contains("invalid_grant", bad["detail"]!.GetValue<string>());
        Assert.Contains("invalid_grant", wrongVerifier["detail"]!.GetValue<string>());
        Assert.Contains("invalid_grant", reused["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_redirect_URI_the_profile_does_not_list_is_refused_before_asking_the_provider()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var error = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "bob", code: "anything", redirectUri: "https://evil.example/callback"), HttpStatusCode.BadRequest);

        Assert.Equal("data.oauth_redirect_uri", error["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_fields_are_400_naming_them()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var body = await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers/tokens", new { type = "token", authentication_mechanism = "oidc" }), HttpStatusCode.BadRequest);

        Assert.Equal(["data.oauth_authorization_code", "data.oauth_redirect_uri", "data.oauth_code_verifier"],
            body["errors"]!.AsArray().Select(e => e!["source"]!.GetValue<string>()));
    }
}

/// <summary>The provider stops answering after the profile was set up.</summary>
public sealed class OidcProviderDownTests(OidcProviderDownTests.DownStore store) : IClassFixture<OidcProviderDownTests.DownStore>
{
    public sealed class DownStore : OidcStore
    {
        public string Link { get; private set; } = "";
        public string Verifier { get; } = Idp.NewCodeVerifier();
        public string Code { get; private set; } = "";

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var storefront = await ApiClient.ImplicitAsync(this);
            var profiles = await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{RealmId}/oidc-profiles"), HttpStatusCode.OK);
            Link = profiles["data"]![0]!["meta"]!["provider_authorization_endpoint"]!.GetValue<string>();
            Code = await Idp.AuthorizeAsync(Link, Verifier, "alice");
            await Provider.StopAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_provider_gives_a_clear_4xx()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var error = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "alice", store.Verifier, store.Code), (HttpStatusCode)424);

        Assert.Equal("Identity provider unavailable", error["title"]!.GetValue<string>());
    }
}

/// <summary>Our clock runs three hours ahead, so the provider's fresh ID tokens look expired.</summary>
public sealed class OidcInvalidTokenTests(OidcInvalidTokenTests.FutureStore store) : IClassFixture<OidcInvalidTokenTests.FutureStore>
{
    public sealed class FutureStore : OidcStore
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(3))));
        }
    }

    [Fact]
    public async Task An_ID_token_that_fails_validation_is_refused_with_401()
    {
        var storefront = await ApiClient.ImplicitAsync(store);

        var error = await ApiClient.ExpectErrorAsync(await store.SignInAsync(storefront, "alice"), HttpStatusCode.Unauthorized);

        Assert.Contains("ID token", error["detail"]!.GetValue<string>());
    }
}
