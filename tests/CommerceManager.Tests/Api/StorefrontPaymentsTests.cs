using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>
/// Storefront tokens and EP's manual gateway: off by default, a storefront cannot mark an order paid; on, it may pay
/// (purchase or authorize) only the orders it owns, and never capture or refund. Its own class: the gateway setting
/// is store-wide.
/// </summary>
public sealed class StorefrontPaymentsTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private static string Str(JsonNode? node, string path) => path.Split('.').Aggregate(node, (n, p) => n?[p])!.GetValue<string>();

    private async Task SetManualGatewayAsync(ApiClient server, bool enabled) =>
        Assert.Equal(enabled, (await ApiClient.ExpectAsync(await server.PutAsync("/v2/gateways/manual", new { enabled }), HttpStatusCode.OK))["data"]!["enabled"]!.GetValue<bool>());

    [Fact]
    public async Task By_default_an_implicit_token_cannot_mark_a_guest_order_paid()
    {
        var storefront = await ApiClient.ImplicitAsync(App);
        var server = await ApiClient.ClientCredentialsAsync(App);
        var order = Str(await CheckoutAsync(storefront, new { name = "Guest", email = UniqueEmail() }), "id");

        var refused = await ApiClient.ExpectErrorAsync(await storefront.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "purchase" }),
            HttpStatusCode.Forbidden);

        Assert.Contains("manual gateway is not enabled", refused["detail"]!.GetValue<string>());
        var after = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}"), HttpStatusCode.OK))["data"]!;
        Assert.Equal(("incomplete", "unpaid"), (Str(after, "status"), Str(after, "payment")));
        Assert.Empty((await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}/transactions"), HttpStatusCode.OK))["data"]!.AsArray());
    }

    [Fact]
    public async Task Every_storefront_token_kind_order_kind_and_method_gets_the_answer_the_gateway_setting_gives()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var implicitOnly = await ApiClient.ImplicitAsync(App);
        var (customerA, aId) = await SignedInCustomerAsync();
        var (customerB, bId) = await SignedInCustomerAsync();
        var callers = new (string Name, ApiClient Client, string Owns)[] { ("implicit token", implicitOnly, "guest"), ("A's customer token", customerA, "A's") };
        var orderKinds = new (string Name, Func<Task<string>> Create)[]
        {
            ("guest", async () => Str(await CheckoutAsync(implicitOnly, new { name = "Guest", email = UniqueEmail() }), "id")),
            ("A's", async () => Str(await CheckoutAsync(customerA, new { id = aId }), "id")),
            ("B's", async () => Str(await CheckoutAsync(customerB, new { id = bId }), "id")),
        };
        string[] methods = ["purchase", "authorize", "capture", "refund"];
        var failures = new List<string>();

        async Task TryAsync(bool enabled, string callerName, ApiClient caller, string owns, string kind, Func<Task<string>> create, string method)
        {
            var order = await create();
            HttpResponseMessage response;
            if (method is "capture" or "refund")
            {
                // Something to capture or refund, recorded by the server.
                var transaction = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments",
                    new { gateway = "manual", method = method == "capture" ? "authorize" : "purchase" }), HttpStatusCode.OK))["data"]!;
                response = await caller.SendAsync(HttpMethod.Post, $"/v2/orders/{order}/transactions/{Str(transaction, "id")}/{method}");
            }
            else
            {
                response = await caller.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method });
            }
            var expected = method is "capture" or "refund" || !enabled ? HttpStatusCode.Forbidden
                : kind == owns ? HttpStatusCode.OK
                : HttpStatusCode.NotFound;
            var before = method switch { "capture" => "authorized", "refund" => "paid", _ => "unpaid" };
            var payment = Str((await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}"), HttpStatusCode.OK))["data"], "payment");
            var expectedPayment = expected == HttpStatusCode.OK ? (method == "purchase" ? "paid" : "authorized") : before;
            if (response.StatusCode != expected || payment != expectedPayment)
            {
                failures.Add($"gateway {(enabled ? "on" : "off")}, {callerName}, {kind} order, {method}: {(int)response.StatusCode} " +
                    $"(expected {(int)expected}), payment {payment} (expected {expectedPayment})");
            }
        }

        try
        {
            foreach (var enabled in new[] { false, true })
            {
                await SetManualGatewayAsync(server, enabled);
                foreach (var (callerName, caller, owns) in callers)
                {
                    foreach (var (kind, create) in orderKinds)
                    {
                        foreach (var method in methods)
                        {
                            await TryAsync(enabled, callerName, caller, owns, kind, create, method);
                        }
                    }
                }
            }
        }
        finally
        {
            await SetManualGatewayAsync(server, false);
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Gateways_are_read_and_changed_with_client_credentials_only_in_EPs_shape()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var storefront = await ApiClient.ImplicitAsync(App);

        var list = await ApiClient.ExpectAsync(await server.GetAsync("/v2/gateways"), HttpStatusCode.OK);
        var manual = await ApiClient.ExpectAsync(await server.GetAsync("/v2/gateways/manual"), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await server.GetAsync("/v2/gateways/stripe"), HttpStatusCode.NotFound);
        await ApiClient.ExpectErrorAsync(await storefront.GetAsync("/v2/gateways"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await storefront.PutAsync("/v2/gateways/manual", new { enabled = true }), HttpStatusCode.Forbidden);
        var missing = await ApiClient.ExpectErrorAsync(await server.PutAsync("/v2/gateways/manual", new { type = "gateway" }), HttpStatusCode.UnprocessableEntity);
        // The SDK's Gateways.Enabled('manual', true) sends type: gateway.
        var on = await ApiClient.ExpectAsync(await server.PutAsync("/v2/gateways/manual", new { type = "gateway", enabled = true }), HttpStatusCode.OK);
        var read = await ApiClient.ExpectAsync(await server.GetAsync("/v2/gateways/manual"), HttpStatusCode.OK);
        await SetManualGatewayAsync(server, false);

        var gateway = Assert.Single(list["data"]!.AsArray())!;
        Assert.Equal(("gateway", "manual", "Manual", false), (Str(gateway, "type"), Str(gateway, "slug"), Str(gateway, "name"), gateway["enabled"]!.GetValue<bool>()));
        Assert.False(manual["data"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("data.enabled", missing["source"]!.GetValue<string>());
        Assert.True(on["data"]!["enabled"]!.GetValue<bool>());
        Assert.True(read["data"]!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Transactions_name_and_custom_reference_are_strings_and_paymentmethod_meta_is_kept()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var plain = Str(await CheckoutAsync(server, new { name = "Guest", email = UniqueEmail() }), "id");
        var described = Str(await CheckoutAsync(server, new { name = "Guest", email = UniqueEmail() }), "id");

        var bare = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{plain}/payments", new { gateway = "manual", method = "purchase" }), HttpStatusCode.OK))["data"]!;
        var withMeta = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{described}/payments",
            new { gateway = "manual", method = "authorize", paymentmethod_meta = new { name = "Bank transfer", custom_reference = "INV-881" } }), HttpStatusCode.OK))["data"]!;
        var listed = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{plain}/transactions"), HttpStatusCode.OK))["data"]![0]!;

        Assert.Equal(("", ""), (Str(bare, "name"), Str(bare, "custom_reference")));
        Assert.Equal(("", ""), (Str(listed, "name"), Str(listed, "custom_reference")));
        Assert.Equal(("Bank transfer", "INV-881"), (Str(withMeta, "name"), Str(withMeta, "custom_reference")));
    }
}
