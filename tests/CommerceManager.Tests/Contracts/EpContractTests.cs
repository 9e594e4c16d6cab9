using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Api;
using CommerceManager.Tests.CustomerSignIn;
using CommerceManager.Tests.Infrastructure;
using Json.Schema;

namespace CommerceManager.Tests.Contracts;

/// <summary>
/// Real responses validated with a JSON Schema validator against Elastic Path's published shapes
/// (Contracts/Schemas: our transcription of EP's OpenAPI documents and documented examples, each naming its source;
/// where the two disagree, the documented behaviour is followed and docs/ep-compatibility.md lists the exception).
/// </summary>
public sealed class EpContractTests(OidcStore store) : ApiTestBase(store), IClassFixture<OidcStore>
{
    private static readonly string Folder = Path.Combine(RepositoryRoot(), "tests", "CommerceManager.Tests", "Contracts", "Schemas");

    private static void AssertMatches(string schema, JsonNode? body)
    {
        var evaluation = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, schema + ".schema.json")))
            .Evaluate(System.Text.Json.JsonSerializer.SerializeToElement(body), new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (evaluation.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList();
        Assert.True(evaluation.IsValid, $"The response does not have EP's {schema} shape:\n{string.Join('\n', errors)}\n{body?.ToJsonString()}");
    }

    [Fact]
    public async Task Addresses_carts_checkout_orders_items_and_tokens_have_EPs_shapes()
    {
        var (client, customerId) = await SignedInCustomerAsync();
        var server = await ApiClient.ClientCredentialsAsync(App);
        var cart = $"cart-{Guid.NewGuid():N}";

        AssertMatches("address", await ApiClient.ExpectAsync(await client.PostAsync($"/v2/customers/{customerId}/addresses", Address), HttpStatusCode.Created));
        AssertMatches("cart-items", await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/items",
            new { type = "custom_item", name = "Mug", sku = "MUG", quantity = 2, price = new { amount = 1450 } }), HttpStatusCode.Created));
        AssertMatches("cart", await ApiClient.ExpectAsync(await client.GetAsync($"/v2/carts/{cart}"), HttpStatusCode.OK));
        var checkout = await ApiClient.ExpectAsync(await client.PostAsync($"/v2/carts/{cart}/checkout",
            new { customer = new { id = customerId }, billing_address = Address, shipping_address = Address }), HttpStatusCode.Created);
        AssertMatches("checkout", checkout);
        var orderId = checkout["data"]!["id"]!.GetValue<string>();
        AssertMatches("order", await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{orderId}"), HttpStatusCode.OK));
        AssertMatches("order-items", await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{orderId}/items"), HttpStatusCode.OK));
        var token = await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers/tokens",
            new { type = "token", email = (await ApiClient.ExpectAsync(await client.GetAsync($"/v2/customers/{customerId}"), HttpStatusCode.OK))["data"]!["email"]!.GetValue<string>(),
                password = "correct horse battery staple" }), HttpStatusCode.OK);
        AssertMatches("token", token);
    }

    [Fact]
    public async Task Payments_and_transactions_have_EPs_shapes()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var order = (await CheckoutAsync(server, new { name = "Guest", email = UniqueEmail() }))["id"]!.GetValue<string>();

        var authorized = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/orders/{order}/payments", new { gateway = "manual", method = "authorize" }), HttpStatusCode.OK);
        AssertMatches("transaction", authorized);
        AssertMatches("transaction", await ApiClient.ExpectAsync(await server.SendAsync(HttpMethod.Post,
            $"/v2/orders/{order}/transactions/{authorized["data"]!["id"]}/capture"), HttpStatusCode.OK));
        AssertMatches("transactions", await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}/transactions"), HttpStatusCode.OK));
        AssertMatches("order", await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order}"), HttpStatusCode.OK));
        AssertMatches("gateway", await ApiClient.ExpectAsync(await server.GetAsync("/v2/gateways"), HttpStatusCode.OK));
        AssertMatches("gateway", await ApiClient.ExpectAsync(await server.GetAsync("/v2/gateways/manual"), HttpStatusCode.OK));
    }

    [Fact]
    public async Task Account_management_answers_have_EPs_shapes()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var settings = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/account-authentication", new
        {
            type = "account_authentication_settings", enable_self_signup = true, auto_create_account_for_account_members = true, account_member_self_management = "update_only",
        }), HttpStatusCode.OK);
        var realm = settings["data"]!["relationships"]!["authentication_realm"]!["data"]!["id"]!.GetValue<string>();
        var profile = (await ApiClient.ExpectAsync(await server.PostAsync($"/v2/authentication-realms/{realm}/password-profiles",
            new { type = "password_profile", name = "Passwords", username_format = "email" }), HttpStatusCode.Created))["data"]!["id"]!.GetValue<string>();
        var shopper = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail("contract");
        var tokens = await ApiClient.ExpectAsync(await shopper.PostAsync("/v2/account-members/tokens", new
        {
            type = "account_management_authentication_token", authentication_mechanism = "self_signup", password_profile_id = profile,
            username = email, password = "correct horse battery staple", name = "Contract Shopper", email,
        }), HttpStatusCode.Created);
        shopper.AccountToken = tokens["data"]![0]!["token"]!.GetValue<string>();
        var account = tokens["data"]![0]!["account_id"]!.GetValue<string>();
        var member = tokens["meta"]!["account_member_id"]!.GetValue<string>();
        var child = await ApiClient.ExpectAsync(await server.PostAsync("/v2/accounts", new { type = "account", name = "Branch", parent_id = account }), HttpStatusCode.Created);

        AssertMatches("account-authentication-settings", await ApiClient.ExpectAsync(await shopper.GetAsync("/v2/settings/account-authentication"), HttpStatusCode.OK));
        AssertMatches("account-tokens", tokens);
        AssertMatches("account", await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/accounts/{account}"), HttpStatusCode.OK));
        AssertMatches("account", child);
        AssertMatches("account-member", await ApiClient.ExpectAsync(await shopper.GetAsync($"/v2/account-members/{member}"), HttpStatusCode.OK));
        var membership = (await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{account}/account-memberships"), HttpStatusCode.OK))["data"]![0]!["id"]!.GetValue<string>();
        AssertMatches("account-membership", await ApiClient.ExpectAsync(await server.GetAsync($"/v2/accounts/{account}/account-memberships/{membership}"), HttpStatusCode.OK));
        AssertMatches("account-address", await ApiClient.ExpectAsync(await shopper.PostAsync($"/v2/accounts/{account}/addresses",
            new { type = "address", first_name = "Con", last_name = "Tract", line_1 = "1 Spec Street", region = "Yorkshire", postcode = "LS1 1AA", country = "GB" }),
            HttpStatusCode.Created));
    }

    [Fact]
    public async Task Flows_fields_and_sign_in_discovery_have_EPs_shapes()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var flow = await ApiClient.ExpectAsync(await server.PostAsync("/v2/flows", new { type = "flow", slug = "customers", name = "Customers" }), HttpStatusCode.Created);
        var field = await ApiClient.ExpectAsync(await server.PostAsync("/v2/fields", new
        {
            type = "field", name = "Tier", slug = "tier", field_type = "string", validation_rules = new object[] { new { type = "enum", options = new[] { "gold", "silver" } } },
            relationships = new { flow = new { data = new { type = "flow", id = flow["data"]!["id"] } } },
        }), HttpStatusCode.Created);
        var storefront = await ApiClient.ImplicitAsync(App);

        AssertMatches("flow", flow);
        AssertMatches("field", field);
        AssertMatches("fields", await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/flows/customers/fields"), HttpStatusCode.OK));
        AssertMatches("customer-authentication-settings", await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/settings/customer-authentication"), HttpStatusCode.OK));
        AssertMatches("oidc-profile", await ApiClient.ExpectAsync(await storefront.GetAsync($"/v2/authentication-realms/{store.RealmId}/oidc-profiles/{store.ProfileId}"), HttpStatusCode.OK));
        AssertMatches("authentication-realm", await ApiClient.ExpectAsync(await server.GetAsync($"/v2/authentication-realms/{store.RealmId}"), HttpStatusCode.OK));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CommerceManager.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }
}
