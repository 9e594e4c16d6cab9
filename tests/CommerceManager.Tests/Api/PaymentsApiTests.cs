using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>EP's manual gateway: payments, authorizations, captures and refunds move an order's payment and status as in EP.</summary>
public sealed class PaymentsApiTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();
    private static long Amount(JsonNode order, string price) => order["meta"]!["display_price"]![price]!["amount"]!.GetValue<long>();

    private async Task<(ApiClient Server, string Order)> OrderAsync(long amount = 1000)
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var order = await CheckoutAsync(server, new { name = "Guest", email = UniqueEmail() }, amount);
        return (server, order["id"]!.GetValue<string>());
    }

    private static async Task<JsonNode> OrderOf(ApiClient client, string order) =>
        (await ApiClient.ExpectAsync(await client.GetAsync($"/v2/orders/{order}"), HttpStatusCode.OK))["data"]!;

    [Fact]
    public async Task A_manual_purchase_pays_the_balance_and_completes_the_order()
    {
        var (server, order) = await OrderAsync(1000);

        var transaction = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments",
            new { gateway = "manual", method = "purchase", paymentmethod_meta = new { custom_reference = "till-7", name = "Cash" } }), HttpStatusCode.OK))["data"]!;
        var paid = await OrderOf(server, order);
        var listed = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}/transactions"), HttpStatusCode.OK))["data"]!.AsArray();

        Assert.Equal(("transaction", "manual", "purchase", "complete", 2000L, "till-7"), (Str(transaction, "type"), Str(transaction, "gateway"),
            Str(transaction, "transaction_type"), Str(transaction, "status"), transaction["amount"]!.GetValue<long>(), Str(transaction, "custom_reference")));
        Assert.Equal(order, Str(transaction, "relationships.order.data.id"));
        Assert.Equal(("complete", "paid"), (Str(paid, "status"), Str(paid, "payment")));
        Assert.Equal((2000L, 0L, 0L), (Amount(paid, "paid"), Amount(paid, "authorized"), Amount(paid, "balance_owing")));
        Assert.Equal(Str(transaction, "id"), Str(Assert.Single(listed), "id"));
        await ApiClient.ExpectErrorAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "purchase" }), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task An_authorization_makes_it_processing_and_its_capture_makes_it_paid_then_a_refund_refunds_it()
    {
        var (server, order) = await OrderAsync(500);

        var authorized = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "authorize" }), HttpStatusCode.OK))["data"]!;
        var afterAuthorize = await OrderOf(server, order);
        var capture = (await ApiClient.ExpectAsync(await server.SendAsync(HttpMethod.Post, $"/v2/orders/{order}/transactions/{Str(authorized, "id")}/capture"), HttpStatusCode.OK))["data"]!;
        var afterCapture = await OrderOf(server, order);
        var partial = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/transactions/{Str(authorized, "id")}/refund", new { amount = 400 }), HttpStatusCode.OK))["data"]!;
        var afterPartial = await OrderOf(server, order);
        var rest = (await ApiClient.ExpectAsync(await server.SendAsync(HttpMethod.Post, $"/v2/orders/{order}/transactions/{Str(authorized, "id")}/refund"), HttpStatusCode.OK))["data"]!;
        var afterRefund = await OrderOf(server, order);

        Assert.Equal(("processing", "authorized", 1000L), (Str(afterAuthorize, "status"), Str(afterAuthorize, "payment"), Amount(afterAuthorize, "authorized")));
        Assert.Equal("capture", Str(capture, "transaction_type"));
        Assert.Equal(("complete", "paid", 1000L), (Str(afterCapture, "status"), Str(afterCapture, "payment"), Amount(afterCapture, "paid")));
        Assert.Equal(("refund", 400L), (Str(partial, "transaction_type"), partial["refunded_amount"]!.GetValue<long>()));
        Assert.Equal(("partially_paid", 600L), (Str(afterPartial, "payment"), Amount(afterPartial, "paid")));
        Assert.Equal(1000L, rest["refunded_amount"]!.GetValue<long>());
        Assert.Equal(("refunded", 0L), (Str(afterRefund, "payment"), Amount(afterRefund, "paid")));
    }

    [Fact]
    public async Task A_part_payment_leaves_it_incomplete_with_a_balance_owing()
    {
        var (server, order) = await OrderAsync(1000);

        await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "purchase", amount = 500 }), HttpStatusCode.OK);
        var part = await OrderOf(server, order);
        var tooMuch = await ApiClient.ExpectErrorAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "purchase", amount = 5000 }), HttpStatusCode.UnprocessableEntity);
        var otherGateway = await ApiClient.ExpectErrorAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "stripe", method = "purchase" }), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(("incomplete", "partially_paid", 1500L), (Str(part, "status"), Str(part, "payment"), Amount(part, "balance_owing")));
        Assert.Contains("balance owing", tooMuch["detail"]!.GetValue<string>());
        Assert.Contains("manual", otherGateway["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_a_paid_order_is_fulfilled_and_a_fulfilled_one_is_not_cancelled()
    {
        var (server, order) = await OrderAsync();

        var unpaid = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", shipping = "fulfilled" }), HttpStatusCode.UnprocessableEntity);
        await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "purchase" }), HttpStatusCode.OK);
        var fulfilled = (await ApiClient.ExpectAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", shipping = "fulfilled" }), HttpStatusCode.OK))["data"]!;
        var cancel = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/orders/{order}", new { type = "order", status = "cancelled" }), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("paid", unpaid["detail"]!.GetValue<string>());
        Assert.Equal(("complete", "paid", "fulfilled"), (Str(fulfilled, "status"), Str(fulfilled, "payment"), Str(fulfilled, "shipping")));
        Assert.Contains("fulfilled", cancel["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Order_numbers_references_and_contact_are_kept_and_items_can_be_included()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var cart = $"cart-{Guid.NewGuid():N}";
        await ApiClient.ExpectAsync(await server.PostAsync($"/v2/carts/{cart}/items",
            new { type = "custom_item", name = "Mug", sku = "MUG", quantity = 2, price = new { amount = 700 } }), HttpStatusCode.Created);
        var email = UniqueEmail();

        var checkout = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/carts/{cart}/checkout", new
        {
            customer = new { name = "Guest Person", email }, billing_address = Address, shipping_address = Address, order_number = "SO-1001", external_ref = "erp-77",
        }), HttpStatusCode.Created);
        var id = Str(checkout["data"], "id");
        var changed = (await ApiClient.ExpectAsync(await server.PutAsync($"/v2/orders/{id}", new { type = "order", order_number = "SO-1002", external_ref = "" }), HttpStatusCode.OK))["data"]!;
        var included = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{id}?include=items"), HttpStatusCode.OK);
        var byNumber = await ApiClient.ExpectAsync(await server.GetAsync("/v2/orders?filter=eq(order_number,SO-1002)"), HttpStatusCode.OK);

        Assert.Equal(("SO-1001", "erp-77", "Guest Person", email), (Str(checkout["data"], "order_number"), Str(checkout["data"], "external_ref"),
            Str(checkout["data"], "contact.name"), Str(checkout["data"], "contact.email")));
        Assert.Equal("MUG", Str(checkout["included"]!["items"]![0], "sku"));
        Assert.Equal(("SO-1002", ""), (Str(changed, "order_number"), Str(changed, "external_ref")));
        Assert.Equal(2, included["included"]!["items"]![0]!["quantity"]!.GetValue<int>());
        Assert.Equal(id, Str(Assert.Single(byNumber["data"]!.AsArray()), "id"));
    }

    [Fact]
    public async Task A_customer_pays_only_its_own_orders_and_cannot_capture_or_refund()
    {
        var (customer, customerId) = await SignedInCustomerAsync();
        var own = Str(await CheckoutAsync(customer, new { id = customerId }), "id");
        var (server, other) = await OrderAsync();
        // Storefront payments need the store's manual gateway enabled (StorefrontPaymentsTests covers it off).
        await ApiClient.ExpectAsync(await server.PutAsync("/v2/gateways/manual", new { enabled = true }), HttpStatusCode.OK);

        var paid = await ApiClient.ExpectAsync(await customer.PostAsync($"/v2/orders/{own}/payments", new { gateway = "manual", method = "authorize" }), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await customer.PostAsync($"/v2/orders/{other}/payments", new { gateway = "manual", method = "purchase" }), HttpStatusCode.NotFound);
        await ApiClient.ExpectErrorAsync(await customer.SendAsync(HttpMethod.Post, $"/v2/orders/{own}/transactions/{Str(paid["data"], "id")}/capture"), HttpStatusCode.Forbidden);
        Assert.Equal("processing", Str(await OrderOf(server, own), "status"));
    }
}
