using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using CommerceManager.ApiKeys;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Api;

public sealed class AuthApiTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private async Task<HttpResponseMessage> TokenAsync(string form) =>
        await App.CreateBrowserlessClient().PostAsync("/oauth/access_token", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));

    [Theory]
    [InlineData("grant_type=client_credentials&client_id=test-client-id&client_secret=test-client-secret-0123456789", "client_credentials")]
    [InlineData("grant_type=implicit&client_id=test-client-id", "implicit")]
    public async Task Both_grants_return_an_hour_long_bearer_token(string form, string identifier)
    {
        var body = await ApiClient.ExpectAsync(await TokenAsync(form), HttpStatusCode.OK);

        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(3600, body["expires_in"]!.GetValue<int>());
        Assert.Equal(identifier, body["identifier"]!.GetValue<string>());
        Assert.InRange(body["expires"]!.GetValue<long>() - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3590, 3610);
        Assert.Equal(3, body["access_token"]!.GetValue<string>().Split('.').Length);
    }

    [Theory]
    [InlineData("grant_type=client_credentials&client_id=test-client-id&client_secret=wrong", 401)]
    [InlineData("grant_type=implicit&client_id=no-such-client", 401)]
    [InlineData("grant_type=password&client_id=test-client-id", 400)]
    [InlineData("grant_type=client_credentials&client_id=test-client-id", 400)]
    [InlineData("client_id=test-client-id", 400)]
    public async Task Bad_token_requests_are_refused_in_the_EP_error_shape(string form, int status)
    {
        await ApiClient.ExpectErrorAsync(await TokenAsync(form), (HttpStatusCode)status);
    }

    [Fact]
    public async Task A_JSON_token_request_is_415_with_a_hint_to_use_a_form()
    {
        var response = await App.CreateBrowserlessClient().PostAsJsonAsync("/oauth/access_token", new { grant_type = "implicit", client_id = AppFactory.ApiClientId });

        var error = await ApiClient.ExpectErrorAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("form-encoded", error["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task The_API_needs_a_valid_bearer_token(string? authorization)
    {
        var http = App.CreateBrowserlessClient();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var error = await ApiClient.ExpectErrorAsync(await http.GetAsync("/v2/customers"), HttpStatusCode.Unauthorized);

        // EP's title for a missing or refused access token.
        Assert.Equal("Unable to validate access token", error["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Revoking_an_API_key_ends_its_tokens_and_refuses_new_ones()
    {
        var keys = App.Services.GetRequiredService<ApiKeyService>();
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
        var key = await keys.CreateAsync(admin, "Temporary");
        var body = await ApiClient.ExpectAsync(await TokenAsync($"grant_type=client_credentials&client_id={key.Key.ClientId}&client_secret={key.ClientSecret}"), HttpStatusCode.OK);
        var http = App.CreateBrowserlessClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v2/customers")).StatusCode);

        await keys.RevokeAsync(admin, key.Key.Id);

        await ApiClient.ExpectErrorAsync(await http.GetAsync("/v2/customers"), HttpStatusCode.Unauthorized);
        await ApiClient.ExpectErrorAsync(await TokenAsync($"grant_type=implicit&client_id={key.Key.ClientId}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_customer_token_is_a_24_hour_JWT_for_that_customer()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail();
        var customer = await RegisterAsync(client, email);

        var body = await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers/tokens",
            new { type = "token", authentication_mechanism = "password", email = email.ToUpperInvariant(), password = "correct horse battery staple" }), HttpStatusCode.OK);

        var data = body["data"]!;
        Assert.Equal("token", data["type"]!.GetValue<string>());
        Assert.Equal(customer["id"]!.GetValue<string>(), data["customer_id"]!.GetValue<string>());
        Assert.True(Guid.TryParse(data["id"]!.GetValue<string>(), out _));
        Assert.InRange(data["expires"]!.GetValue<long>() - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 86_390, 86_410);
        var payload = JsonNode.Parse(Base64Url(data["token"]!.GetValue<string>().Split('.')[1]))!;
        Assert.Equal(customer["id"]!.GetValue<string>(), payload["sub"]!.GetValue<string>());
        Assert.Equal(data["id"]!.GetValue<string>(), payload["jti"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_password_an_unknown_email_and_a_customer_without_password_get_the_same_401()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail();
        var noPassword = UniqueEmail();
        await RegisterAsync(client, email);
        await RegisterAsync(client, noPassword, password: null);

        async Task<string> Attempt(string who, string password) =>
            (await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers/tokens", new { type = "token", email = who, password }), HttpStatusCode.Unauthorized)).ToJsonString();

        var wrong = await Attempt(email, "not the right password");
        var unknown = await Attempt(UniqueEmail("nobody"), "correct horse battery staple");
        var none = await Attempt(noPassword, "correct horse battery staple");

        Assert.Equal(wrong, unknown);
        Assert.Equal(wrong, none);
    }

    [Fact]
    public async Task OIDC_sign_in_answers_with_a_clear_error_while_no_provider_is_configured()
    {
        var client = await ApiClient.ImplicitAsync(App);

        var error = await ApiClient.ExpectErrorAsync(await client.PostAsync("/v2/customers/tokens", new
        {
            type = "token", authentication_mechanism = "oidc", oauth_authorization_code = "abc", oauth_redirect_uri = "https://shop.example/cb", oauth_code_verifier = "xyz",
        }), HttpStatusCode.BadRequest);

        Assert.Contains("OpenID Connect", error["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_forged_or_ended_customer_token_is_refused()
    {
        var (client, id) = await SignedInCustomerAsync();
        var good = client.CustomerToken!;
        client.CustomerToken = good[..^4] + "AAAA";
        await ApiClient.ExpectErrorAsync(await client.GetAsync($"/v2/customers/{id}"), HttpStatusCode.Unauthorized);

        client.CustomerToken = good;
        await ApiClient.ExpectAsync(await client.DeleteAsync($"/v2/customers/{id}"), HttpStatusCode.NoContent);

        await ApiClient.ExpectErrorAsync(await client.GetAsync($"/v2/customers/{id}"), HttpStatusCode.Unauthorized);
    }

    private static string Base64Url(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }
}
