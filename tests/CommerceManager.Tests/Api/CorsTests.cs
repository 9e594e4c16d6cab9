using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>Browser storefronts on their own origin can call the API (as EP allows); the console stays same-origin.</summary>
public sealed class CorsTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private const string Shop = "https://shop.example";

    private async Task<HttpResponseMessage> PreflightAsync(string path, string method = "POST", string headers = "authorization,content-type,x-moltin-customer-token")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", Shop);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return await App.CreateBrowserlessClient().SendAsync(request);
    }

    [Theory]
    [InlineData("/v2/customers", "POST")]
    [InlineData("/v2/customers/0196c2f1-0000-7000-8000-000000000001", "PUT")]
    [InlineData("/v2/carts/c1/checkout", "POST")]
    [InlineData("/oauth/access_token", "POST")]
    public async Task A_preflight_needs_no_token_and_allows_EPs_headers_and_methods(string path, string method)
    {
        var response = await PreflightAsync(path, method,
            "authorization,content-type,x-moltin-customer-token,x-moltin-currency,x-moltin-language,x-moltin-sdk-language,x-moltin-sdk-version,ep-channel,ep-context-tag");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
        var methods = Single(response, "Access-Control-Allow-Methods");
        Assert.All(new[] { "GET", "POST", "PUT", "DELETE", "OPTIONS" }, m => Assert.Contains(m, methods));
        var headers = Single(response, "Access-Control-Allow-Headers").ToLowerInvariant();
        Assert.All(new[] { "authorization", "content-type", "x-moltin-customer-token", "x-moltin-currency", "x-moltin-language",
            "x-moltin-sdk-language", "x-moltin-sdk-version", "ep-channel", "ep-context-tag" }, h => Assert.Contains(h, headers));
        Assert.True(int.Parse(Single(response, "Access-Control-Max-Age"), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Preflights_are_never_rate_limited()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await PreflightAsync("/v2/customers/tokens")).StatusCode);
        }
    }

    [Fact]
    public async Task Errors_carry_the_CORS_headers_so_the_page_can_read_them()
    {
        var http = App.CreateBrowserlessClient();
        http.DefaultRequestHeaders.Add("Origin", Shop);

        var unauthorized = await http.GetAsync("/v2/customers");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        var invalid = await http.GetAsync("/v2/customers/0196c2f1-0000-7000-8000-000000000001");
        var badForm = await http.PostAsync("/oauth/access_token", new StringContent("grant_type=implicit&client_id=nobody", Encoding.UTF8, "application/x-www-form-urlencoded"));

        foreach (var response in new[] { unauthorized, invalid, badForm })
        {
            await ApiClient.ExpectErrorAsync(response, HttpStatusCode.Unauthorized);
            Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
        }
        var error = await ApiClient.ExpectErrorAsync(await http.GetAsync("/v2/customers"), HttpStatusCode.Unauthorized);
        Assert.Equal("Unable to validate access token", error["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_not_found_and_a_validation_error_carry_the_CORS_headers_too()
    {
        var client = await ApiClient.ImplicitAsync(App);
        client.Http.DefaultRequestHeaders.Add("Origin", Shop);

        var notFound = await client.GetAsync("/v2/nothing-here");
        var invalid = await client.PostAsync("/v2/customers", new { type = "customer", name = "", email = "nope" });

        await ApiClient.ExpectErrorAsync(notFound, HttpStatusCode.NotFound);
        await ApiClient.ExpectErrorAsync(invalid, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("*", Single(notFound, "Access-Control-Allow-Origin"));
        Assert.Equal("*", Single(invalid, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/customers")]
    [InlineData("/api-reference")]
    public async Task The_console_and_sign_in_pages_get_no_CORS(string path)
    {
        var preflight = await PreflightAsync(path, "GET");
        var http = App.CreateBrowserlessClient();
        http.DefaultRequestHeaders.Add("Origin", Shop);
        var get = await http.GetAsync(path);

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(get.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Allowed_origins_can_be_restricted_by_setting()
    {
        await using var restricted = new AppFactoryWith(new Dictionary<string, string> { ["Cors:AllowedOrigins:0"] = Shop });
        var http = restricted.CreateBrowserlessClient();

        var allowed = new HttpRequestMessage(HttpMethod.Options, "/v2/customers");
        allowed.Headers.Add("Origin", Shop);
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        var other = new HttpRequestMessage(HttpMethod.Options, "/v2/customers");
        other.Headers.Add("Origin", "https://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");

        Assert.Equal(Shop, Single(await http.SendAsync(allowed), "Access-Control-Allow-Origin"));
        Assert.False((await http.SendAsync(other)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_SDK_3x_form_of_the_bearer_header_is_accepted()
    {
        var implicitClient = await ApiClient.ImplicitAsync(App);
        var token = implicitClient.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        var http = App.CreateBrowserlessClient();

        var colon = new HttpRequestMessage(HttpMethod.Get, "/v2/settings/customer-authentication");
        colon.Headers.TryAddWithoutValidation("Authorization", $"Bearer: {token}");
        var other = new HttpRequestMessage(HttpMethod.Get, "/v2/settings/customer-authentication");
        other.Headers.TryAddWithoutValidation("Authorization", $"Token {token}");

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(colon)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(other)).StatusCode);
    }

    private static string Single(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"No {header} header ({(int)response.StatusCode}).");
}
