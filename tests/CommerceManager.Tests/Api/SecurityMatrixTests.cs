using System.Net;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>A customer token reaches its own customer only, on every route that takes an id.</summary>
public sealed class SecurityMatrixTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private async Task<(ApiClient A, string AId, string AAddress, string AOrder, string BId, string BAddress, string BOrder)> TwoCustomersAsync()
    {
        var (a, aId) = await SignedInCustomerAsync();
        var (b, bId) = await SignedInCustomerAsync();
        var aAddress = (await ApiClient.ExpectAsync(await a.PostAsync($"/v2/customers/{aId}/addresses", Address), HttpStatusCode.Created))["data"]!["id"]!.GetValue<string>();
        var bAddress = (await ApiClient.ExpectAsync(await b.PostAsync($"/v2/customers/{bId}/addresses", Address), HttpStatusCode.Created))["data"]!["id"]!.GetValue<string>();
        var aOrder = (await CheckoutAsync(a, new { id = aId }))["id"]!.GetValue<string>();
        var bOrder = (await CheckoutAsync(b, new { id = bId }))["id"]!.GetValue<string>();
        return (a, aId, aAddress, aOrder, bId, bAddress, bOrder);
    }

    [Fact]
    public async Task Customer_As_token_gets_404_on_every_route_to_customer_Bs_resources_and_changes_nothing()
    {
        var (a, aId, aAddress, _, bId, bAddress, bOrder) = await TwoCustomersAsync();
        var customer = new { type = "customer", name = "Hijacked" };

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/v2/customers/{bId}", null),
            (HttpMethod.Put, $"/v2/customers/{bId}", customer),
            (HttpMethod.Delete, $"/v2/customers/{bId}", null),
            (HttpMethod.Get, $"/v2/customers/{bId}/addresses", null),
            (HttpMethod.Post, $"/v2/customers/{bId}/addresses", Address),
            (HttpMethod.Get, $"/v2/customers/{bId}/addresses/{bAddress}", null),
            (HttpMethod.Put, $"/v2/customers/{bId}/addresses/{bAddress}", Address),
            (HttpMethod.Delete, $"/v2/customers/{bId}/addresses/{bAddress}", null),
            // A's own address id under B's path, and B's address under A's path.
            (HttpMethod.Get, $"/v2/customers/{bId}/addresses/{aAddress}", null),
            (HttpMethod.Get, $"/v2/customers/{aId}/addresses/{bAddress}", null),
            (HttpMethod.Put, $"/v2/customers/{aId}/addresses/{bAddress}", Address),
            (HttpMethod.Delete, $"/v2/customers/{aId}/addresses/{bAddress}", null),
            (HttpMethod.Get, $"/v2/orders/{bOrder}", null),
            (HttpMethod.Get, $"/v2/orders/{bOrder}/items", null),
        };
        foreach (var (method, path, body) in attempts)
        {
            var response = await a.SendAsync(method, path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} gave {(int)response.StatusCode}: {text}");
        }

        var server = await ApiClient.ClientCredentialsAsync(App);
        var b = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers/{bId}"), HttpStatusCode.OK))["data"]!;
        Assert.Equal("Ada Lovelace", b["name"]!.GetValue<string>());
        var bAddresses = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers/{bId}/addresses"), HttpStatusCode.OK);
        Assert.Equal([bAddress], bAddresses["data"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_customer_token_sees_only_its_own_orders_and_cannot_check_out_as_someone_else()
    {
        var (a, aId, _, aOrder, bId, _, _) = await TwoCustomersAsync();

        var mine = await ApiClient.ExpectAsync(await a.GetAsync("/v2/orders"), HttpStatusCode.OK);
        var filtered = await ApiClient.ExpectAsync(await a.GetAsync($"/v2/orders?filter=eq(customer_id,{bId})"), HttpStatusCode.OK);
        var cart = $"cart-{Guid.NewGuid():N}";
        await a.PostAsync($"/v2/carts/{cart}/items", new { type = "custom_item", name = "Mug", sku = "MUG", quantity = 1, price = new { amount = 100 } });
        var asB = await a.PostAsync($"/v2/carts/{cart}/checkout", new { customer = new { id = bId }, billing_address = Address, shipping_address = Address });

        Assert.Equal([aOrder], mine["data"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()));
        Assert.Empty(filtered["data"]!.AsArray());
        var error = await ApiClient.ExpectErrorAsync(asB, HttpStatusCode.BadRequest);
        Assert.Equal("data.customer.id", error["source"]!.GetValue<string>());
        Assert.Equal(aId, (await CheckoutAsync(a, new { id = aId }))["relationships"]!["customer"]!["data"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Implicit_tokens_cannot_list_customers_or_all_orders_and_customer_tokens_cannot_change_orders()
    {
        var (a, _, _, aOrder, _, _, _) = await TwoCustomersAsync();
        var implicitOnly = await ApiClient.ImplicitAsync(App);

        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync("/v2/customers"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await a.GetAsync("/v2/customers"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync("/v2/orders"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync($"/v2/orders/{aOrder}"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await a.PutAsync($"/v2/orders/{aOrder}", new { type = "order", status = "complete" }), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await implicitOnly.GetAsync($"/v2/customers/{Guid.NewGuid()}"), HttpStatusCode.Forbidden);
        var server = await ApiClient.ClientCredentialsAsync(App);
        Assert.Equal("incomplete", (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{aOrder}"), HttpStatusCode.OK))["data"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Client_credentials_change_order_status_along_allowed_transitions_only()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var order = (await CheckoutAsync(server, new { name = "Guest", email = UniqueEmail() }))["id"]!.GetValue<string>();

        // As in EP, payment moves through payments, not PUT; a PUT only cancels, fulfils, or changes references.
        var setPaid = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", status = "processing", payment = "paid" }), HttpStatusCode.UnprocessableEntity);
        await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "purchase" }), HttpStatusCode.OK);
        var paid = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}"), HttpStatusCode.OK);
        var cancelled = await ApiClient.ExpectAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", status = "cancelled" }), HttpStatusCode.OK);
        var ship = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", shipping = "fulfilled" }), HttpStatusCode.UnprocessableEntity);
        var nonsense = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", status = "shipped" }), HttpStatusCode.UnprocessableEntity);

        Assert.Equal("data.payment", setPaid["source"]!.GetValue<string>());
        Assert.Equal(("complete", "paid"), (paid["data"]!["status"]!.GetValue<string>(), paid["data"]!["payment"]!.GetValue<string>()));
        Assert.Equal("cancelled", cancelled["data"]!["status"]!.GetValue<string>());
        Assert.Equal("A cancelled order cannot be shipped.", ship["detail"]!.GetValue<string>());
        Assert.Equal("data.status", nonsense["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_only_fields_of_addresses_and_orders_cannot_be_written()
    {
        var (a, aId) = await SignedInCustomerAsync();
        var address = (await ApiClient.ExpectAsync(await a.PostAsync($"/v2/customers/{aId}/addresses", Address), HttpStatusCode.Created))["data"]!;
        var otherCustomer = Guid.NewGuid();

        var put = await ApiClient.ExpectAsync(await a.PutAsync($"/v2/customers/{aId}/addresses/{address["id"]}", new
        {
            type = "address", id = Guid.NewGuid(), customer_id = otherCustomer, created_at = "2000-01-01T00:00:00Z", city = "Bath",
        }), HttpStatusCode.OK);

        Assert.Equal(address["id"]!.GetValue<string>(), put["data"]!["id"]!.GetValue<string>());
        Assert.Equal("Bath", put["data"]!["city"]!.GetValue<string>());
        Assert.Equal(address["meta"]!["timestamps"]!["created_at"]!.GetValue<string>(), put["data"]!["meta"]!["timestamps"]!["created_at"]!.GetValue<string>());
        await ApiClient.ExpectAsync(await a.GetAsync($"/v2/customers/{aId}/addresses/{address["id"]}"), HttpStatusCode.OK);
    }
}
