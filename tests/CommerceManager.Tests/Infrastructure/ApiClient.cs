using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace CommerceManager.Tests.Infrastructure;

/// <summary>A plain HTTP client for the /v2 API, as a storefront or a server would use it.</summary>
public sealed class ApiClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
    public string? CustomerToken { get; set; }
    /// <summary>An account member's token, sent as EP-Account-Management-Authentication-Token.</summary>
    public string? AccountToken { get; set; }

    public static async Task<ApiClient> ClientCredentialsAsync(AppFactory app) =>
        new(await AuthorizedAsync(app, $"grant_type=client_credentials&client_id={AppFactory.ApiClientId}&client_secret={AppFactory.ApiClientSecret}"));

    public static async Task<ApiClient> ImplicitAsync(AppFactory app) =>
        new(await AuthorizedAsync(app, $"grant_type=implicit&client_id={AppFactory.ApiClientId}"));

    private static async Task<HttpClient> AuthorizedAsync(AppFactory app, string form)
    {
        var http = app.CreateBrowserlessClient();
        var response = await http.PostAsync("/oauth/access_token", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? data = null, string? rawBody = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, contentType);
        }
        else if (data is not null)
        {
            request.Content = JsonContent.Create(new { data });
        }
        if (CustomerToken is not null)
        {
            request.Headers.Add("X-Moltin-Customer-Token", CustomerToken);
        }
        if (AccountToken is not null)
        {
            request.Headers.Add("EP-Account-Management-Authentication-Token", AccountToken);
        }
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<HttpResponseMessage> PostAsync(string path, object data) => SendAsync(HttpMethod.Post, path, data);
    public Task<HttpResponseMessage> PutAsync(string path, object data) => SendAsync(HttpMethod.Put, path, data);
    public Task<HttpResponseMessage> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>Reads the JSON body, failing with the body when the status is not the expected one.</summary>
    public static async Task<JsonObject> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts an EP error body and returns its first error.</summary>
    public static async Task<JsonObject> ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await ExpectAsync(response, status);
        var errors = body["errors"]!.AsArray();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal((int)status, e!["status"]!.GetValue<int>()));
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e!["title"]!.GetValue<string>())));
        Assert.DoesNotContain("   at ", body.ToJsonString(), StringComparison.Ordinal);
        return errors[0]!.AsObject();
    }
}
