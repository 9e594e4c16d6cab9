using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>Helpers shared by the API tests: register customers, sign them in, check out carts.</summary>
public abstract class ApiTestBase(AppFactory app)
{
    protected AppFactory App { get; } = app;

    protected static readonly object Address = new
    {
        type = "address", name = "Home", first_name = "Ada", last_name = "Lovelace", line_1 = "12 St James's Square", city = "London",
        region = "England", postcode = "SW1Y 4JH", county = "Greater London", country = "GB",
    };

    protected static string UniqueEmail(string who = "shopper") => $"{who}.{Guid.NewGuid():N}@example.com";

    protected async Task<JsonObject> RegisterAsync(ApiClient client, string? email = null, string? password = "correct horse battery staple", string name = "Ada Lovelace")
    {
        var response = await client.PostAsync("/v2/customers", new { type = "customer", name, email = email ?? UniqueEmail(), password });
        return (await ApiClient.ExpectAsync(response, HttpStatusCode.Created))["data"]!.AsObject();
    }

    /// <summary>A registered customer signed in: an implicit client carrying their customer token.</summary>
    protected async Task<(ApiClient Client, string Id)> SignedInCustomerAsync()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail();
        var customer = await RegisterAsync(client, email);
        var token = await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers/tokens",
            new { type = "token", email, password = "correct horse battery staple" }), HttpStatusCode.OK);
        client.CustomerToken = token["data"]!["token"]!.GetValue<string>();
        return (client, customer["id"]!.GetValue<string>());
    }

    protected static async Task<JsonObject> CheckoutAsync(ApiClient client, object customer, long amount = 1450)
    {
        var cart = $"cart-{Guid.NewGuid():N}";
        await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/items",
            new { type = "custom_item", name = "Ceramic mug", sku = "MUG-1", quantity = 2, price = new { amount } }), HttpStatusCode.Created);
        var order = await client.PostAsync($"/v2/carts/{cart}/checkout", new { customer, billing_address = Address, shipping_address = Address });
        return (await ApiClient.ExpectAsync(order, HttpStatusCode.Created))["data"]!.AsObject();
    }
}
