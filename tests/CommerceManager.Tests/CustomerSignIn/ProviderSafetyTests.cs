using System.Net;
using CommerceManager.CustomerSignIn;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.CustomerSignIn;

/// <summary>
/// Whoever may add a sign-in provider (an admin, any client-credentials holder) must not be able to make the server
/// call its own network, nor read network errors back; and a provider must say it supports PKCE.
/// </summary>
public sealed class ProviderSafetyTests(AppFactory app) : IClassFixture<AppFactory>, IAsyncLifetime
{
    private WebApplication? provider;
    private string issuer = "";

    /// <summary>A provider that publishes discovery without code_challenge_methods_supported (on loopback).</summary>
    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        provider = builder.Build();
        provider.MapGet("/.well-known/openid-configuration", (HttpRequest r) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = $"http://{r.Host}/", ["authorization_endpoint"] = $"http://{r.Host}/authorize", ["token_endpoint"] = $"http://{r.Host}/token",
            ["jwks_uri"] = $"http://{r.Host}/jwks", ["response_types_supported"] = new[] { "code" },
        }));
        provider.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
        await provider.StartAsync();
        issuer = provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
    }

    public async Task DisposeAsync()
    {
        if (provider is not null)
        {
            await provider.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/")]
    [InlineData("http://localhost:9/")]
    [InlineData("https://10.0.0.8/")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]:9/")]
    public async Task Discovery_refuses_loopback_private_and_link_local_targets_and_says_only_why(string target)
    {
        var result = await app.Services.GetRequiredService<OidcProfileService>().TestDiscoveryAsync(As.Admin, target);

        Assert.False(result.Ok);
        Assert.Contains("private or local", result.Error);
        Assert.DoesNotContain("refused", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_profile_pointing_inside_the_network_is_saved_with_its_refusal_and_no_network_detail()
    {
        var server = await ApiClient.ClientCredentialsAsync(app);
        var settings = await ApiClient.ExpectAsync(await server.GetAsync("/v2/settings/customer-authentication"), HttpStatusCode.OK);
        var realm = settings["data"]!["relationships"]!["authentication-realm"]!["data"]!["id"]!.GetValue<string>();

        var created = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/oidc-profiles",
            new { type = "oidc-profile", name = "Inside", discovery_url = issuer, client_id = "x", client_secret = "y" }), HttpStatusCode.Created))["data"]!;

        Assert.Contains("private or local", created["meta"]!["discovery_error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)] // NAT64 of 169.254.169.254
    [InlineData("::a9fe:a9fe", true)] // IPv4-compatible
    [InlineData("2002:a9fe:a9fe::1", true)] // 6to4
    [InlineData("2a00:1450:4001:81b::200e", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700::1111", false)]
    public void Private_addresses_are_told_from_public_ones(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, CommerceManager.Common.OutboundConnections.IsPrivate(IPAddress.Parse(address)));

    [Fact]
    public async Task A_provider_that_does_not_list_PKCE_S256_is_refused_unless_the_profile_allows_it()
    {
        await using var lab = new AppFactoryWith(new Dictionary<string, string> { ["CustomerSignIn:AllowPrivateProviders"] = "true" });
        var server = await ApiClient.ClientCredentialsAsync(lab);
        var settings = await ApiClient.ExpectAsync(await server.GetAsync("/v2/settings/customer-authentication"), HttpStatusCode.OK);
        var realm = settings["data"]!["relationships"]!["authentication-realm"]!["data"]!["id"]!.GetValue<string>();

        var refused = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/oidc-profiles",
            new { type = "oidc-profile", name = "No PKCE listed", discovery_url = issuer, client_id = "x", client_secret = "y" }), HttpStatusCode.Created))["data"]!;
        var allowed = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/oidc-profiles",
            new { type = "oidc-profile", name = "PKCE unlisted", discovery_url = issuer, client_id = "x", client_secret = "y", allow_unlisted_pkce = true }), HttpStatusCode.Created))["data"]!;

        Assert.Contains("S256", refused["meta"]!["discovery_error"]!.GetValue<string>());
        Assert.Null(allowed["meta"]!["discovery_error"]);
        Assert.NotNull(allowed["meta"]!["provider_authorization_endpoint"]);
    }
}

public sealed class ImportSourceSafetyTests
{
    [Fact]
    public async Task An_Elastic_Path_import_over_plain_http_is_refused_unless_a_lab_allows_private_sources()
    {
        await using var services = await TestServices.CreateAsync();

        var refused = await Assert.ThrowsAsync<CommerceManager.DataTransfer.SourceException>(() =>
            services.Get<CommerceManager.DataTransfer.ImportService>().StartFromSourceAsync(As.Admin, "http://store.example.com", "client", "secret"));

        Assert.Contains("https", refused.Message);
    }
}
