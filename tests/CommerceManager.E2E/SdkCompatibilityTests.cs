using System.Diagnostics;

namespace CommerceManager.E2E;

/// <summary>
/// The official JavaScript client of the original API, @moltin/sdk 36.0.0 (pinned in tests/js/package.json and
/// installed by ./test.sh), run in Node against the app on a real port. tests/js/sdk-compat.test.js asserts every
/// step; this test fails when any step does, and shows the script's report.
/// </summary>
public sealed class SdkCompatibilityTests : IAsyncLifetime
{
    private readonly KestrelApp app = new();
    private readonly TestIdentityProvider.TestIdentityProvider idp = new();

    public async Task InitializeAsync()
    {
        app.Start();
        await idp.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await idp.DisposeAsync();
    }

    [Fact]
    public async Task The_official_moltin_sdk_works_against_the_API_unchanged()
    {
        var js = Path.Combine(BrowserFixture.RepositoryRoot, "tests", "js");
        Assert.True(Directory.Exists(Path.Combine(js, "node_modules", "@moltin", "sdk")),
            "@moltin/sdk is not installed: run ./test.sh (it runs npm ci in tests/js) or `npm ci --prefix tests/js`.");
        var start = new ProcessStartInfo("node", "sdk-compat.test.js")
        {
            WorkingDirectory = js,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["API_HOST"] = new Uri(app.BaseUrl).Authority;
        start.Environment["CLIENT_ID"] = KestrelApp.ApiClientId;
        start.Environment["CLIENT_SECRET"] = KestrelApp.ApiClientSecret;
        start.Environment["IDP_ISSUER"] = idp.Issuer;
        start.Environment["IDP_CLIENT_ID"] = TestIdentityProvider.TestIdentityProvider.ClientId;
        start.Environment["IDP_CLIENT_SECRET"] = TestIdentityProvider.TestIdentityProvider.ClientSecret;
        start.Environment["IDP_REDIRECT_URI"] = TestIdentityProvider.TestIdentityProvider.RedirectUri;

        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);

        var report = await output + await errors;
        Assert.True(node.ExitCode == 0, $"The SDK compatibility script failed (exit {node.ExitCode}):\n{report}");
        Assert.Contains("all steps passed", report);
        Assert.Contains("ok   TokenViaPassword returns a customer token", report);
        Assert.Contains("ok   TokenViaOIDC through the store's OpenID Connect provider", report);
    }
}
