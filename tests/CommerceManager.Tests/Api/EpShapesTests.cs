using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>The shapes a store moving from Elastic Path relies on, each as EP documents it.</summary>
public sealed class EpShapesTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private static IEnumerable<string> Ids(JsonObject body) => body["data"]!.AsArray().Select(c => c!["id"]!.GetValue<string>());

    [Fact]
    public async Task Customers_are_listed_newest_first_and_keyset_paging_by_id_walks_them_all()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await RegisterAsync(server, $"keyset.{tag}.{i}@example.com", password: null))["id"]!.GetValue<string>());
        }
        var filter = $"like(email,keyset.{tag}.*)";

        var newestFirst = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers?filter={filter}"), HttpStatusCode.OK);
        var walked = new List<string>();
        string? last = null;
        while (true)
        {
            var keyset = last is null ? filter : $"{filter}:gt(id,{last})";
            var page = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers?sort=id&page[limit]=2&filter={keyset}"), HttpStatusCode.OK);
            var ids = Ids(page).ToList();
            if (ids.Count == 0)
            {
                break;
            }
            walked.AddRange(ids);
            last = ids[^1];
        }

        Assert.Equal(created.AsEnumerable().Reverse(), Ids(newestFirst));
        Assert.Equal(created.Order(StringComparer.Ordinal), walked);
        Assert.Null(newestFirst["links"]!["next"]);
        Assert.Null(newestFirst["links"]!["last"]);
        Assert.StartsWith("http", newestFirst["links"]!["first"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Addresses_link_to_themselves_and_their_customer_and_write_empty_fields_as_strings()
    {
        var (client, id) = await SignedInCustomerAsync();

        var address = (await ApiClient.ExpectAsync(await client.PostAsync($"/v2/customers/{id}/addresses", new
        {
            type = "address", first_name = "Ada", last_name = "L", line_1 = "1 Street", postcode = "AB1", county = "C", country = "GB",
        }), HttpStatusCode.Created))["data"]!;

        Assert.Equal($"http://localhost/v2/customers/{id}/addresses/{address["id"]}", address["links"]!["self"]!.GetValue<string>());
        Assert.Equal((id, "customer"), (address["relationships"]!["customer"]!["id"]!.GetValue<string>(), address["relationships"]!["customer"]!["type"]!.GetValue<string>()));
        foreach (var field in new[] { "name", "company_name", "line_2", "city", "region", "phone_number", "instructions" })
        {
            Assert.Equal("", address[field]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Flows_and_fields_are_readable_with_an_implicit_token_and_core_flows_cannot_be_deleted()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var storefront = await ApiClient.ImplicitAsync(App);
        var flow = (await ApiClient.ExpectAsync(await server.PostAsync("/v2/flows", new { type = "flow", slug = "customers", name = "Customers" }), HttpStatusCode.Created))["data"]!;

        var read = await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/flows"), HttpStatusCode.OK);
        await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/flows/customers/fields"), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await storefront.PostAsync("/v2/flows", new { type = "flow", slug = "addresses" }), HttpStatusCode.Forbidden);
        var delete = await ApiClient.ExpectErrorAsync(await server.DeleteAsync($"/v2/flows/{flow["id"]}"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(read["data"]!.AsArray(), f => f!["slug"]!.GetValue<string>() == "customers");
        Assert.Contains("core flow", delete["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v2/account-members")]
    [InlineData("/v2/accounts/0196c2f1-0000-7000-8000-000000000001")]
    [InlineData("/v2/settings/account-authentication")]
    public async Task Account_management_routes_are_served_and_ask_for_a_token_like_every_v2_route(string path)
    {
        // SPEC 6.1: Account Management is served beside Customers (it used to answer 404 naming the customers routes).
        var error = await ApiClient.ExpectErrorAsync(await App.CreateBrowserlessClient().GetAsync(path), HttpStatusCode.Unauthorized);

        Assert.DoesNotContain("/v2/customers", error["detail"]?.GetValue<string>() ?? "");
    }

    [Fact]
    public async Task Address_validation_errors_use_EPs_bad_request_title()
    {
        var (client, id) = await SignedInCustomerAsync();

        var error = await ApiClient.ExpectErrorAsync(await client.PostAsync($"/v2/customers/{id}/addresses", new { type = "address", first_name = "A" }), HttpStatusCode.BadRequest);

        Assert.Equal("Bad Request", error["title"]!.GetValue<string>());
    }
}
