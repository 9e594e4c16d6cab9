using System.Net;
using System.Text;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

public sealed class ApiErrorShapeTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("{\"data\": {\"type\": \"customer\", ", HttpStatusCode.BadRequest)]
    [InlineData("not json at all", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("{\"type\":\"customer\",\"name\":\"No data wrapper\",\"email\":\"a@b.example\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"data\":{\"name\":\"No type\",\"email\":\"a@b.example\"}}", HttpStatusCode.UnprocessableEntity)]
    public async Task Malformed_bodies_get_an_EP_error(string body, HttpStatusCode status)
    {
        var client = await ApiClient.ClientCredentialsAsync(App);

        await ApiClient.ExpectErrorAsync(await client.SendAsync(HttpMethod.Post, "/v2/customers", rawBody: body), status);
    }

    [Fact]
    public async Task A_wrong_content_type_is_415()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);

        await ApiClient.ExpectErrorAsync(await client.SendAsync(HttpMethod.Post, "/v2/customers", rawBody: "name=Ada", contentType: "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType);
        await ApiClient.ExpectErrorAsync(await client.SendAsync(HttpMethod.Post, "/v2/customers", rawBody: "{\"data\":{}}", contentType: "text/plain"), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);
        var huge = "{\"data\":{\"type\":\"customer\",\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}}";

        await ApiClient.ExpectErrorAsync(await client.SendAsync(HttpMethod.Post, "/v2/customers", rawBody: huge), HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("/v2/nothing-here")]
    [InlineData("/v2/customers/not-a-uuid")]
    [InlineData("/v2/customers/0196c2f1-0000-7000-8000-000000000001")]
    [InlineData("/v2/orders/0196c2f1-0000-7000-8000-000000000001")]
    public async Task Unknown_routes_and_ids_are_404_in_the_EP_shape(string path)
    {
        var client = await ApiClient.ClientCredentialsAsync(App);

        await ApiClient.ExpectErrorAsync(await client.GetAsync(path), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_is_405_in_the_EP_shape()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);

        await ApiClient.ExpectErrorAsync(await client.SendAsync(HttpMethod.Patch, "/v2/customers", new { type = "customer" }), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Address_validation_is_400_with_one_error_per_missing_field()
    {
        var (client, id) = await SignedInCustomerAsync();

        var response = await client.PostAsync($"/v2/customers/{id}/addresses", new { type = "address", name = "Empty", country = "XX" });

        var body = await ApiClient.ExpectAsync(response, HttpStatusCode.BadRequest);
        var sources = body["errors"]!.AsArray().Select(e => e!["source"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(new HashSet<string> { "data.first_name", "data.last_name", "data.line_1", "data.postcode", "data.county", "data.country" }, sources);
    }

    [Fact]
    public async Task Checkout_needs_valid_addresses_and_a_customer()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var cart = $"cart-{Guid.NewGuid():N}";
        await client.PostAsync($"/v2/carts/{cart}/items", new { type = "custom_item", name = "Mug", sku = "MUG", quantity = 1, price = new { amount = 100 } });

        var body = await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/checkout",
            new { customer = new { name = "Guest" }, billing_address = new { first_name = "A" }, shipping_address = Address }), HttpStatusCode.BadRequest);

        var sources = body["errors"]!.AsArray().Select(e => e!["source"]!.GetValue<string>()).ToList();
        Assert.Contains("data.customer.email", sources);
        Assert.Contains("data.billing_address.line_1", sources);
        Assert.Contains("data.billing_address.region", sources);
        Assert.DoesNotContain(sources, s => s.StartsWith("data.shipping_address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cart_items_must_be_custom_items_with_a_price()
    {
        var client = await ApiClient.ImplicitAsync(App);

        var product = await ApiClient.ExpectErrorAsync(await client.PostAsync("/v2/carts/c1/items", new { type = "cart_item", id = Guid.NewGuid(), quantity = 1 }), HttpStatusCode.BadRequest);
        var body = await ApiClient.ExpectAsync(await client.PostAsync("/v2/carts/c1/items", new { type = "custom_item", name = "Mug", quantity = 0 }), HttpStatusCode.BadRequest);

        Assert.Contains("custom", product["detail"]!.GetValue<string>());
        var sources = body["errors"]!.AsArray().Select(e => e!["source"]!.GetValue<string>()).ToList();
        Assert.Contains("data.sku", sources);
        Assert.Contains("data.quantity", sources);
        Assert.Contains("data.price.amount", sources);
    }

    [Fact]
    public async Task The_API_reference_and_OpenAPI_document_are_served()
    {
        var http = App.CreateClient();

        var document = await http.GetStringAsync("/openapi/v1.json");
        var page = await http.GetAsync("/api-reference");

        foreach (var path in new[] { "/oauth/access_token", "/v2/customers", "/v2/customers/{id}", "/v2/customers/tokens", "/v2/customers/{customerId}/addresses", "/v2/carts/{reference}/checkout", "/v2/orders/{id}" })
        {
            Assert.Contains($"\"{path}\"", document);
        }
        Assert.DoesNotContain("/Account/Logout", document);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Commerce Manager API", Encoding.UTF8.GetString(await page.Content.ReadAsByteArrayAsync()));
    }
}

public sealed class RateLimitTests(RateLimitTests.TightLimits app) : ApiTestBase(app), IClassFixture<RateLimitTests.TightLimits>
{
    public sealed class TightLimits : AppFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["RateLimits:CustomerTokenPerIpPerMinute"] = "6",
            ["RateLimits:FailedSignInsPerAccount"] = "3",
            ["RateLimits:AccessTokenPerIpPerMinute"] = "8",
        };
    }

    [Fact]
    public async Task Failed_sign_ins_are_limited_per_account_and_requests_per_address_with_Retry_After()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail();
        await RegisterAsync(client, email);

        for (var i = 0; i < 3; i++)
        {
            await ApiClient.ExpectErrorAsync(await client.PostAsync("/v2/customers/tokens", new { type = "token", email, password = "wrong password " + i }), HttpStatusCode.Unauthorized);
        }
        var blocked = await client.PostAsync("/v2/customers/tokens", new { type = "token", email, password = "correct horse battery staple" });

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await ApiClient.ExpectErrorAsync(blocked, HttpStatusCode.TooManyRequests);

        // Other accounts are not held up by one being guessed at, until the address limit (6 a minute) is reached.
        var other = UniqueEmail();
        await RegisterAsync(client, other);
        // So far: 3 failures and 1 refusal from this address; the 5th and 6th requests pass, the 7th is over.
        for (var i = 0; i < 2; i++)
        {
            await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers/tokens", new { type = "token", email = other, password = "correct horse battery staple" }), HttpStatusCode.OK);
        }
        await ApiClient.ExpectErrorAsync(await client.PostAsync("/v2/customers/tokens", new { type = "token", email = other, password = "correct horse battery staple" }), HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Access_token_requests_are_limited_per_address()
    {
        var http = App.CreateBrowserlessClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            var response = await http.PostAsync("/oauth/access_token", new StringContent($"grant_type=implicit&client_id={AppFactory.ApiClientId}", Encoding.UTF8, "application/x-www-form-urlencoded"));
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.IndexOf(HttpStatusCode.TooManyRequests) >= 6);
    }
}
