using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Idp = CommerceManager.TestIdentityProvider.TestIdentityProvider;

namespace CommerceManager.E2E;

/// <summary>
/// The official JavaScript client of the original API, run in Node against the app on a real port: @moltin/sdk 36.0.0
/// (tests/js/sdk-compat.test.js) and 3.24.1, the line much EP storefront code pins (tests/js/sdk3-compat.test.js), both
/// pinned in tests/js/package.json and installed by ./test.sh. Each script asserts every step; this test fails when any
/// step does, and shows the script's report.
/// </summary>
public sealed class SdkCompatibilityTests : IAsyncLifetime
{
    private const string StorefrontRedirect = "https://shop.example/oidc";
    private readonly KestrelApp app = new();
    private readonly Idp idp = new();
    private string realmId = "";
    private string profileId = "";

    public async Task InitializeAsync()
    {
        app.Start();
        await idp.StartAsync();
        // What an admin does once for EP's storefront sign-in: a profile, its callback registered at the provider, the
        // storefront's page in the realm.
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var token = await http.PostAsync("oauth/access_token", new StringContent(
            $"grant_type=client_credentials&client_id={KestrelApp.ApiClientId}&client_secret={KestrelApp.ApiClientSecret}", Encoding.UTF8, "application/x-www-form-urlencoded"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());
        var settings = (await http.GetFromJsonAsync<JsonObject>("v2/settings/customer-authentication"))!;
        realmId = settings["data"]!["relationships"]!["authentication-realm"]!["data"]!["id"]!.GetValue<string>();
        var created = await http.PostAsJsonAsync($"v2/authentication-realms/{realmId}/oidc-profiles", new
        {
            data = new { type = "oidc-profile", name = "EP-style provider", discovery_url = idp.Issuer, client_id = Idp.ClientId, client_secret = Idp.ClientSecret },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var profile = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        profileId = profile["data"]!["id"]!.GetValue<string>();
        await idp.AllowRedirectUriAsync(profile["links"]!["callback-endpoint"]!.GetValue<string>());
        var put = await http.PutAsJsonAsync($"v2/authentication-realms/{realmId}", new { data = new { type = "authentication-realm", redirect_uris = new[] { StorefrontRedirect } } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await idp.DisposeAsync();
    }

    [Fact]
    public async Task The_official_moltin_sdk_36_works_against_the_API_unchanged()
    {
        var report = await RunAsync("sdk-compat.test.js");

        Assert.Contains("ok   TokenViaPassword returns a customer token", report);
        Assert.Contains("ok   manual payments: authorize, capture, list transactions", report);
        Assert.Contains("ok   Jobs: an order export through the exporter", report);
        Assert.Contains("ok   EP's storefront sign-in: realm, profile links, the store's login proxy", report);
        Assert.Contains("ok   TokenViaOIDC through the store's OpenID Connect provider", report);
    }

    [Fact]
    public async Task EPs_storefront_starters_account_flows_work_with_their_own_clients()
    {
        var report = await RunAsync("sdk-accounts.test.js");

        Assert.Contains("ok   ep generate: account settings PUT", report);
        Assert.Contains("ok   simple (auth)/actions.ts register(): self_signup", report);
        Assert.Contains("ok   d2c (auth)/actions.ts login()", report);
        Assert.Contains("ok   d2c account/summary: the member", report);
        Assert.Contains("ok   simple account/addresses: the five address calls", report);
        Assert.Contains("ok   d2c checkout: CheckoutWithAccountManagementToken", report);
        Assert.Contains("ok   account/orders: getCustomerOrders", report);
        Assert.Contains("ok   core mergeCart()", report);
        Assert.Contains("ok   d2c account/summary updateUserAuthenticationPasswordProfile", report);
        Assert.Contains("ok   admin recipe", report);
    }

    [Fact]
    public async Task The_official_moltin_sdk_3x_works_against_the_API_unchanged()
    {
        var report = await RunAsync("sdk3-compat.test.js");

        Assert.Contains("ok   3.x registers a customer with the implicit token (Bearer: form)", report);
        Assert.Contains("ok   3.x reads its own customer with the token", report);
    }

    private async Task<string> RunAsync(string script)
    {
        var js = Path.Combine(BrowserFixture.RepositoryRoot, "tests", "js");
        Assert.True(Directory.Exists(Path.Combine(js, "node_modules", "@moltin", "sdk")) && Directory.Exists(Path.Combine(js, "node_modules", "moltin-sdk-3"))
            && Directory.Exists(Path.Combine(js, "node_modules", "@epcc-sdk", "sdks-shopper")),
            "The SDKs are not installed: run ./test.sh (it runs npm ci in tests/js) or `npm ci --prefix tests/js`.");
        var start = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = js,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["API_HOST"] = new Uri(app.BaseUrl).Authority;
        start.Environment["CLIENT_ID"] = KestrelApp.ApiClientId;
        start.Environment["CLIENT_SECRET"] = KestrelApp.ApiClientSecret;
        start.Environment["IDP_ISSUER"] = idp.Issuer;
        start.Environment["IDP_CLIENT_ID"] = Idp.ClientId;
        start.Environment["IDP_CLIENT_SECRET"] = Idp.ClientSecret;
        start.Environment["IDP_REDIRECT_URI"] = Idp.RedirectUri;
        start.Environment["EP_REALM_ID"] = realmId;
        start.Environment["EP_PROFILE_ID"] = profileId;
        start.Environment["EP_REDIRECT_URI"] = StorefrontRedirect;

        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);

        var report = await output + await errors;
        Assert.True(node.ExitCode == 0, $"{script} failed (exit {node.ExitCode}):\n{report}");
        Assert.Contains("all steps passed", report);
        return report;
    }
}
