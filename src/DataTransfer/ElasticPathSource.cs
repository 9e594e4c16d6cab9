using CommerceManager.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace CommerceManager.DataTransfer;

/// <summary>What an Elastic Path store answered, in words safe to show staff (never a secret or a raw network error).</summary>
public sealed class SourceException(string message) : Exception(message);

/// <summary>A page of an Elastic Path list: its records, the total EP reports, and whether a next page exists.</summary>
public sealed record SourcePage(IReadOnlyList<JsonObject> Records, int Total, bool HasNext);

/// <summary>
/// Reads an Elastic Path store (or any store speaking its <c>/v2</c> API, such as another Commerce Manager) with client
/// credentials: <c>POST /oauth/access_token</c>, then customers, their addresses and the customers and addresses
/// flows' fields. The token is fetched again when it runs out or is refused. Every failure becomes a
/// <see cref="SourceException"/> that says what to fix.
/// </summary>
public sealed class ElasticPathSource(HttpClient http, Uri baseUrl, string clientId, string clientSecret, TimeProvider clock)
{
    public const int PageLimit = 100;

    private string? token;
    private DateTime tokenExpires;

    private DateTime Now => clock.UtcNow();

    /// <summary>The base URL as staff type it, checked: absolute http(s), no query; a trailing <c>/v2</c> is dropped.</summary>
    public static Uri ParseBaseUrl(string? text)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new SourceException("Enter the store's API base URL, such as https://useast.api.elasticpath.com.");
        }
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v2", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^3];
        }
        return new UriBuilder(uri) { Path = path + "/" }.Uri;
    }

    /// <summary>The customers (<c>customers</c>) or addresses (<c>addresses</c>) flow's fields, or none when the store has no such flow.</summary>
    public async Task<IReadOnlyList<JsonObject>> FieldsAsync(string flowSlug, CancellationToken ct)
    {
        var flows = await GetAsync("v2/flows", ct);
        var flow = Data(flows).FirstOrDefault(f => Text(f, "slug") == flowSlug);
        if (flow is null)
        {
            return [];
        }
        var fields = await GetAsync($"v2/flows/{Uri.EscapeDataString(flowSlug)}/fields", ct);
        return Data(fields);
    }

    /// <summary>
    /// One page of customers after <paramref name="afterId"/> in id order (keyset, <c>sort=id&amp;filter=gt(id,…)</c>), which
    /// reaches every customer of a large store; null when the store does not page that way (then use <see cref="CustomersAtAsync"/>).
    /// </summary>
    public async Task<SourcePage?> CustomersAfterAsync(string? afterId, CancellationToken ct)
    {
        var query = $"v2/customers?page[limit]={PageLimit}&sort=id" + (afterId is null ? "" : $"&filter=gt(id,{Uri.EscapeDataString(afterId)})");
        var answer = await GetAsync(query, ct, refusedIsNull: true);
        return answer is null ? null : PageOf(answer, keyset: true);
    }

    /// <summary>One page of customers from <paramref name="offset"/>, in the store's own order (EP's offset paging).</summary>
    public async Task<SourcePage> CustomersAtAsync(int offset, CancellationToken ct) =>
        PageOf(await GetAsync($"v2/customers?page[limit]={PageLimit}&page[offset]={offset.ToString(CultureInfo.InvariantCulture)}", ct), keyset: false);

    /// <summary>Every address of a customer (EP lists them in pages of up to 100).</summary>
    public async Task<IReadOnlyList<JsonObject>> AddressesAsync(string customerId, CancellationToken ct)
    {
        var all = new List<JsonObject>();
        for (var offset = 0; ; offset += PageLimit)
        {
            var page = await GetAsync($"v2/customers/{Uri.EscapeDataString(customerId)}/addresses?page[limit]={PageLimit}&page[offset]={offset}", ct);
            var records = Data(page);
            all.AddRange(records);
            if (records.Count < PageLimit || page?["links"]?["next"] is null)
            {
                return all;
            }
        }
    }

    private static SourcePage PageOf(JsonNode? answer, bool keyset)
    {
        var records = Data(answer);
        var total = answer?["meta"]?["results"]?["total"] is JsonValue t && t.TryGetValue<int>(out var n) ? n : records.Count;
        var hasNext = keyset ? records.Count == PageLimit : answer?["links"]?["next"] is JsonValue next && next.TryGetValue<string>(out var href) && !string.IsNullOrEmpty(href);
        return new SourcePage(records, total, hasNext && records.Count > 0);
    }

    private static List<JsonObject> Data(JsonNode? answer) =>
        answer?["data"] is JsonArray data ? data.OfType<JsonObject>().ToList() : [];

    public static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private async Task<JsonNode?> GetAsync(string relative, CancellationToken ct, bool refusedIsNull = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(ct));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
            {
                token = null;
                continue;
            }
            if (refusedIsNull && response.StatusCode == HttpStatusCode.BadRequest)
            {
                return null;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new SourceException($"The store answered {(int)response.StatusCode} {response.ReasonPhrase} to GET /{relative.Split('?')[0]}.");
            }
            return await ReadJsonAsync(response, ct);
        }
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        if (token is not null && Now < tokenExpires)
        {
            return token;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "oauth/access_token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = clientSecret,
            }),
        };
        using var response = await SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity)
        {
            throw new SourceException("The store refused the client id and secret: check them (a client credentials key with read access is needed).");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new SourceException($"The store answered {(int)response.StatusCode} {response.ReasonPhrase} when asked for a token.");
        }
        var answer = await ReadJsonAsync(response, ct);
        token = answer?["access_token"] is JsonValue v && v.TryGetValue<string>(out var t) ? t
            : throw new SourceException("The store's token answer had no access_token: is this an Elastic Path API base URL?");
        var seconds = answer["expires_in"] is JsonValue e && e.TryGetValue<int>(out var s) ? s : 3600;
        tokenExpires = Now.AddSeconds(Math.Max(10, seconds - 60));
        return token;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new SourceException($"The store could not be reached at {baseUrl}: {Reason(ex)}.");
        }
    }

    private static string Reason(Exception ex) => ex switch
    {
        Common.PrivateAddressException => "the address is private or local, which the store does not call (Imports__AllowPrivateSources allows it for a lab)",
        Polly.CircuitBreaker.BrokenCircuitException => "it failed too many requests in a row, so it is left alone for a while",
        _ when ex.InnerException is not null => Reason(ex.InnerException),
        System.Security.Authentication.AuthenticationException => "TLS failed",
        TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException => "it did not answer in time",
        _ => "could not connect",
    };

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await JsonNode.ParseAsync(body, cancellationToken: ct);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new SourceException("The store's answer was not JSON: is this an Elastic Path API base URL?");
        }
    }
}
