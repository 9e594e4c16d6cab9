using System.Net;
using System.Text.RegularExpressions;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Security;

/// <summary>The console and sign-in pages cannot be framed or run scripts from elsewhere; the API never sniffs as HTML.</summary>
public sealed class SecurityHeadersTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/not-a-page")]
    public async Task Console_and_sign_in_pages_carry_a_strict_CSP_and_no_framing(string path)
    {
        var response = await app.CreateBrowserlessClient().GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));

        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self' 'nonce-", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_import_map_carries_the_nonce_the_policy_allows()
    {
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var response = await client.GetAsync("/customers");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var html = await response.Content.ReadAsStringAsync();

        var nonce = Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        var map = Regex.Match(html, "<script type=\"importmap\"[^>]*>").Value;
        Assert.True(map.Contains($"nonce=\"{nonce}\"", StringComparison.Ordinal), $"The import map {map} does not carry the nonce of {csp}");
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)(?![^>]*\\bnonce=)[^>]*>", html);
    }

    [Fact]
    public async Task The_API_answers_with_nosniff_and_no_page_policy()
    {
        var response = await app.CreateBrowserlessClient().GetAsync("/v2/customers");

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Signing_out_needs_the_forms_antiforgery_token()
    {
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);

        var forged = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>()));
        var stillIn = await client.GetAsync("/customers");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
    }
}

/// <summary>Outside Development and off loopback, plain http is sent to https and browsers are told to stay there.</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task A_production_server_on_a_public_address_redirects_to_https_and_sends_HSTS()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string>
        {
            ["environment"] = "Production", ["urls"] = "http://0.0.0.0:8080", ["https_port"] = "443",
        });
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, BaseAddress = new Uri("http://shop.example"),
        });

        var plain = await client.GetAsync("/Account/Login");
        var secure = await client.GetAsync("https://shop.example/Account/Login");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal("https://shop.example/Account/Login", plain.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.StartsWith("max-age=", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task A_loopback_only_http_server_stays_on_http()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["environment"] = "Production", ["urls"] = "http://127.0.0.1:5000" });
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
