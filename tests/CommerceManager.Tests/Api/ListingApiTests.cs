using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>Paging, sorting and every filter field and operator of GET /v2/customers, on a dedicated store.</summary>
public sealed class ListingApiTests(ListingApiTests.Store store) : IClassFixture<ListingApiTests.Store>
{
    public sealed class Store : AppFactory, IAsyncLifetime
    {
        public ApiClient Client { get; private set; } = default!;
        public JsonObject Grace { get; private set; } = default!;

        public async Task InitializeAsync()
        {
            Client = await ApiClient.ClientCredentialsAsync(this);
            for (var i = 0; i < 103; i++)
            {
                await Client.PostAsync("/v2/customers", new { type = "customer", name = $"Bulk Customer {i:000}", email = $"bulk{i:000}@bulk.example" });
            }
            foreach (var (name, email, extRef) in new[] { ("Ada Lovelace", "ada@analytical.example", "crm-ada"), ("Grace Hopper", "grace@navy.example", "crm-grace"), ("Émile Zola", "emile@paris.example", (string?)null) })
            {
                var created = await ApiClient.ExpectAsync(await Client.PostAsync("/v2/customers", new { type = "customer", name, email, external_ref = extRef }), HttpStatusCode.Created);
                if (name == "Grace Hopper")
                {
                    Grace = created["data"]!.AsObject();
                }
            }
        }

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
    }

    private async Task<JsonObject> ListAsync(string query, HttpStatusCode status = HttpStatusCode.OK) =>
        await ApiClient.ExpectAsync(await store.Client.GetAsync("/v2/customers" + query), status);

    private static string[] Names(JsonObject body) => body["data"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray();

    [Fact]
    public async Task The_default_page_is_25_with_links_and_meta()
    {
        var body = await ListAsync("");

        Assert.Equal(25, body["data"]!.AsArray().Count);
        var meta = body["meta"]!;
        Assert.Equal((25, 0, 1), (meta["page"]!["limit"]!.GetValue<int>(), meta["page"]!["offset"]!.GetValue<int>(), meta["page"]!["current"]!.GetValue<int>()));
        Assert.Equal(106, meta["results"]!["total"]!.GetValue<int>());
        Assert.Equal(5, meta["page"]!["total"]!.GetValue<int>());
        var links = body["links"]!;
        Assert.Null(links["prev"]);
        Assert.Contains("page%5Boffset%5D=25", links["next"]!.GetValue<string>());
        Assert.Contains("page%5Boffset%5D=100", links["last"]!.GetValue<string>());
        Assert.Contains("page%5Boffset%5D=0", links["first"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_limit_above_100_is_clamped_and_offsets_page_through()
    {
        var big = await ListAsync("?page[limit]=500");
        var last = await ListAsync("?page[limit]=100&page[offset]=100");

        Assert.Equal(100, big["data"]!.AsArray().Count);
        Assert.Equal(100, big["meta"]!["page"]!["limit"]!.GetValue<int>());
        Assert.Equal(6, last["data"]!.AsArray().Count);
        Assert.Null(last["links"]!["next"]);
        Assert.NotNull(last["links"]!["prev"]);
    }

    [Theory]
    [InlineData("?page[offset]=10001")]
    [InlineData("?page[offset]=-1")]
    [InlineData("?page[limit]=0")]
    [InlineData("?page[limit]=ten")]
    public async Task Out_of_range_paging_is_400(string query)
    {
        await ApiClient.ExpectErrorAsync(await store.Client.GetAsync("/v2/customers" + query), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("name", "Ada Lovelace")]
    [InlineData("-name", "Grace Hopper")]
    [InlineData("email", "Ada Lovelace")]
    [InlineData("-created_at", "Émile Zola")]
    [InlineData("created_at", "Bulk Customer 000")]
    public async Task Sorting_orders_the_list(string sort, string first)
    {
        var body = await ListAsync($"?sort={sort}&filter=like(email,*.example)");

        Assert.Equal(first, Names(body)[0]);
    }

    [Fact]
    public async Task An_unknown_sort_field_is_400()
    {
        var error = await ApiClient.ExpectErrorAsync(await store.Client.GetAsync("/v2/customers?sort=password"), HttpStatusCode.BadRequest);

        // EP's shape: a 400 "Bad Request" whose detail starts with what could not be parsed.
        Assert.Equal("Bad Request", error["title"]!.GetValue<string>());
        Assert.StartsWith("Could not parse the supplied sort", error["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eq(email,GRACE@navy.example)", new[] { "Grace Hopper" })]
    [InlineData("like(email,grace*)", new[] { "Grace Hopper" })]
    [InlineData("like(email,*@paris.example)", new[] { "Émile Zola" })]
    [InlineData("like(email,*analytical*)", new[] { "Ada Lovelace" })]
    [InlineData("like(email,ada@analytical.example)", new[] { "Ada Lovelace" })]
    [InlineData("eq(name,'grace hopper')", new[] { "Grace Hopper" })]
    [InlineData("like(name,\"emile*\")", new[] { "Émile Zola" })]
    [InlineData("like(name,*LOVELACE)", new[] { "Ada Lovelace" })]
    [InlineData("like(name,*ace*):like(email,*navy*)", new[] { "Grace Hopper" })]
    [InlineData("eq(external_ref,crm-ada)", new[] { "Ada Lovelace" })]
    public async Task Each_text_filter_field_and_operator(string filter, string[] names)
    {
        Assert.Equal(names, Names(await ListAsync($"?sort=name&filter={Uri.EscapeDataString(filter)}")));
    }

    [Fact]
    public async Task Ids_and_timestamps_compare_with_eq_gt_ge_lt_le()
    {
        var id = store.Grace["id"]!.GetValue<string>();
        var created = store.Grace["meta"]!["timestamps"]!["created_at"]!.GetValue<string>();

        Assert.Equal(["Grace Hopper"], Names(await ListAsync($"?filter=eq(id,{id})")));
        Assert.Equal(["Grace Hopper"], Names(await ListAsync($"?filter=eq(created_at,{created})")));
        Assert.Equal(["Émile Zola"], Names(await ListAsync($"?filter=gt(created_at,{created})")));
        Assert.Equal(["Grace Hopper", "Émile Zola"], Names(await ListAsync($"?sort=created_at&filter=ge(created_at,{created})")));
        Assert.Equal(104, (await ListAsync($"?filter=lt(created_at,{created})"))["meta"]!["results"]!["total"]!.GetValue<int>());
        Assert.Equal(105, (await ListAsync($"?filter=le(updated_at,{created})"))["meta"]!["results"]!["total"]!.GetValue<int>());
        Assert.Equal(["Émile Zola"], Names(await ListAsync($"?filter=gt(id,{id})")));
    }

    [Theory]
    [InlineData("eq(email)")]
    [InlineData("eq(password,x)")]
    [InlineData("gt(name,a)")]
    [InlineData("like(id,x*)")]
    [InlineData("eq(created_at,yesterday)")]
    [InlineData("eq(name,a")]
    [InlineData("eq(name,a)eq(name,b)")]
    [InlineData("eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a):eq(name,a)")]
    public async Task Malformed_filters_are_400_with_the_EP_message(string filter)
    {
        var error = await ApiClient.ExpectErrorAsync(await store.Client.GetAsync($"/v2/customers?filter={Uri.EscapeDataString(filter)}"), HttpStatusCode.BadRequest);

        Assert.Equal("Bad Request", error["title"]!.GetValue<string>());
        Assert.StartsWith("Could not parse the supplied filter", error["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}

public sealed class EmailInQueryStringTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_plus_address_sent_unencoded_as_the_SDK_does_is_still_found()
    {
        var client = await ApiClient.ClientCredentialsAsync(app);
        await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers", new { type = "customer", name = "Plus", email = "ada+shop@example.com" }), HttpStatusCode.Created);

        var found = await ApiClient.ExpectAsync(await client.GetAsync("/v2/customers?filter=eq(email,ada+shop@example.com)"), HttpStatusCode.OK);

        Assert.Equal(1, found["meta"]!["results"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Orders_take_EPs_dotted_customer_fields_too()
    {
        var client = await ApiClient.ClientCredentialsAsync(app);
        var cart = $"cart-{Guid.NewGuid():N}";
        await client.PostAsync($"/v2/carts/{cart}/items", new { type = "custom_item", name = "Mug", sku = "MUG", quantity = 1, price = new { amount = 100 } });
        var address = new { first_name = "A", last_name = "B", line_1 = "1 St", region = "R", postcode = "P", country = "GB" };
        await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/checkout", new { customer = new { name = "Dotty Guest", email = "dotty@example.com" }, billing_address = address, shipping_address = address }), HttpStatusCode.Created);

        var byEmail = await ApiClient.ExpectAsync(await client.GetAsync("/v2/orders?filter=eq(customer.email,dotty@example.com)"), HttpStatusCode.OK);
        var byName = await ApiClient.ExpectAsync(await client.GetAsync("/v2/orders?filter=like(customer.name,dotty*)"), HttpStatusCode.OK);

        Assert.Equal(1, byEmail["meta"]!["results"]!["total"]!.GetValue<int>());
        Assert.Equal(1, byName["meta"]!["results"]!["total"]!.GetValue<int>());
    }
}
