using System.Net;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>EP's Personal Data API over the history: logs, related data entries, logs-ttl.</summary>
public sealed class PersonalDataApiTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_customers_log_has_EPs_entry_shape_with_each_fields_before_and_after_under_meta()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var (shopper, id) = await SignedInCustomerAsync();
        await ApiClient.ExpectAsync(await shopper.PutAsync($"/v2/customers/{id}", new { type = "customer", name = "Ada King" }), HttpStatusCode.OK);
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/customers/{id}", new { type = "customer", external_ref = "crm-42" }), HttpStatusCode.OK);

        var logs = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/personal-data/logs?filter=eq(resource_type,customer):eq(resource_id,{id})"), HttpStatusCode.OK);

        var data = logs["data"]!.AsArray();
        Assert.Equal(4, logs["meta"]!["results"]!["total"]!.GetValue<int>()); // created, password set, the customer's edit, the server's edit
        var byServer = data[0]!;
        Assert.Equal(("personal_data_log_entry", "customer.event.updated", "customer", id),
            (byServer["type"]!.GetValue<string>(), byServer["event_type"]!.GetValue<string>(), byServer["resource_type"]!.GetValue<string>(), byServer["resource_id"]!.GetValue<string>()));
        Assert.Equal("crm-42", byServer["delta"]!["external_ref"]!.GetValue<string>());
        Assert.Equal("client-credentials-token", byServer["initiator"]!["access-token-type"]!.GetValue<string>());
        Assert.Equal(("client", "api"), (byServer["meta"]!["actor"]!["kind"]!.GetValue<string>(), byServer["meta"]!["channel"]!.GetValue<string>()));
        Assert.Equal($"/v2/customers/{id}", byServer["relationships"]!["resource_path"]!["url"]!.GetValue<string>());
        var byCustomer = data[1]!;
        Assert.Equal(("Ada Lovelace", "Ada King"), (byCustomer["meta"]!["changes"]!["name"]!["from"]!.GetValue<string>(), byCustomer["meta"]!["changes"]!["name"]!["to"]!.GetValue<string>()));
        Assert.Equal(("customer", id), (byCustomer["meta"]!["actor"]!["kind"]!.GetValue<string>(), byCustomer["meta"]!["actor"]!["id"]!.GetValue<string>()));
        Assert.EndsWith("Z", byCustomer["time"]!.GetValue<string>());
        Assert.Contains(data, e => e!["delta"]!["password"]?.GetValue<string>() == "set");
    }

    [Fact]
    public async Task Related_data_entries_name_the_customers_addresses_and_orders()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var customer = await RegisterAsync(server);
        var id = customer["id"]!.GetValue<string>();
        var address = await ApiClient.ExpectAsync(await server.PostAsync($"/v2/customers/{id}/addresses", Address), HttpStatusCode.Created);
        var order = await CheckoutAsync(server, new { id });

        var related = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/personal-data/related-data-entries?filter=eq(resource_type,customer):eq(resource_id,{id})"), HttpStatusCode.OK);

        var entries = related["data"]!.AsArray().Select(e => (e!["resource_type"]!.GetValue<string>(), e["resource_id"]!.GetValue<string>(), e["type"]!.GetValue<string>())).ToList();
        Assert.Contains(("customer", id, "related_data_entry"), entries);
        Assert.Contains(("address", address["data"]!["id"]!.GetValue<string>(), "related_data_entry"), entries);
        Assert.Contains(("order", order["id"]!.GetValue<string>(), "related_data_entry"), entries);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?filter=eq(resource_type,customer)")]
    [InlineData("?filter=eq(resource_type,customer):eq(resource_id,00000000-0000-0000-0000-000000000001):eq(email,a@b.c)")]
    [InlineData("?filter=like(resource_type,customer):eq(resource_id,00000000-0000-0000-0000-000000000001)")]
    public async Task Logs_need_exactly_the_resource_type_and_id_filter(string query)
    {
        var server = await ApiClient.ClientCredentialsAsync(App);

        var error = await ApiClient.ExpectErrorAsync(await server.GetAsync("/v2/personal-data/logs" + query), HttpStatusCode.BadRequest);

        Assert.Contains("resource_id and resource_type", error["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logs_ttl_is_read_and_set_the_EP_way_and_storefronts_cannot_reach_personal_data()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var storefront = await ApiClient.ImplicitAsync(App);

        var set = await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/logs-ttl", new { type = "time_to_live", days = 90 }), HttpStatusCode.OK);
        var read = await ApiClient.ExpectAsync(await server.GetAsync("/v2/settings/logs-ttl"), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await server.PutAsync("/v2/settings/logs-ttl", new { type = "time_to_live", days = 400 }), HttpStatusCode.BadRequest);
        await ApiClient.ExpectErrorAsync(await server.PutAsync("/v2/settings/logs-ttl", new { type = "ttl", days = 30 }), HttpStatusCode.BadRequest);

        Assert.Equal((90, "time_to_live"), (set["data"]!["days"]!.GetValue<int>(), set["data"]!["type"]!.GetValue<string>()));
        Assert.Equal(90, read["data"]!["days"]!.GetValue<int>());
        await ApiClient.ExpectErrorAsync(await storefront.GetAsync($"/v2/personal-data/logs?filter=eq(resource_type,customer):eq(resource_id,{Guid.NewGuid()})"), HttpStatusCode.Forbidden);
        await ApiClient.ExpectErrorAsync(await storefront.GetAsync("/v2/settings/logs-ttl"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_server_exports_a_customer_and_erases_it_through_an_erasure_request()
    {
        var server = await ApiClient.ClientCredentialsAsync(App);
        var email = UniqueEmail("erase");
        var customer = await RegisterAsync(server, email);
        var id = customer["id"]!.GetValue<string>();
        var order = await CheckoutAsync(server, new { id });

        var export = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/customers/{id}/export"), HttpStatusCode.OK);
        var created = await ApiClient.ExpectAsync(await server.PostAsync("/v2/personal-data/erasure-requests",
            new { type = "erasure_request", resource_type = "customer", resource_id = id, reference = "T-1" }), HttpStatusCode.Created);
        var requestId = created["data"]!["id"]!.GetValue<string>();
        var fetched = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/personal-data/erasure-requests/{requestId}"), HttpStatusCode.OK);
        var listed = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/personal-data/erasure-requests?filter=eq(resource_type,customer):eq(resource_id,{id})"), HttpStatusCode.OK);

        Assert.Equal(email, export["data"]!["customer"]!["email"]!.GetValue<string>());
        Assert.Single(export["data"]!["orders"]!.AsArray());
        Assert.Equal(("erasure_request", "SUCCESS", "T-1"), (created["data"]!["type"]!.GetValue<string>(), created["data"]!["status"]!.GetValue<string>(),
            created["data"]!["meta"]!["reference"]!.GetValue<string>()));
        Assert.Equal(requestId, fetched["data"]!["id"]!.GetValue<string>());
        Assert.Equal(requestId, listed["data"]![0]!["id"]!.GetValue<string>());
        await ApiClient.ExpectErrorAsync(await server.GetAsync($"/v2/customers/{id}"), HttpStatusCode.NotFound);
        var anonymous = await ApiClient.ExpectAsync(await server.GetAsync($"/v2/orders/{order["id"]}"), HttpStatusCode.OK);
        Assert.DoesNotContain(email, anonymous.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(order["meta"]!["display_price"]!["with_tax"]!["amount"]!.GetValue<long>(), anonymous["data"]!["meta"]!["display_price"]!["with_tax"]!["amount"]!.GetValue<long>());
        await RegisterAsync(server, email); // the email is free again
        await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/personal-data/erasure-requests",
            new { type = "erasure_request", resource_type = "customer", resource_id = id }), HttpStatusCode.NotFound);
    }
}

/// <summary>An API client cannot purge the staff audit trail below the store's floor (security.md, row 20).</summary>
public sealed class LogsTtlFloorTests
{
    [Fact]
    public async Task Logs_ttl_below_History__MinRetentionDays_is_refused_and_above_it_is_kept()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["History:MinRetentionDays"] = "90" });
        var server = await ApiClient.ClientCredentialsAsync(app);

        var refused = await ApiClient.ExpectErrorAsync(await server.PutAsync("/v2/settings/logs-ttl", new { type = "time_to_live", days = 1 }), HttpStatusCode.BadRequest);
        await ApiClient.ExpectAsync(await server.PutAsync("/v2/settings/logs-ttl", new { type = "time_to_live", days = 120 }), HttpStatusCode.OK);
        var read = await ApiClient.ExpectAsync(await server.GetAsync("/v2/settings/logs-ttl"), HttpStatusCode.OK);

        Assert.Contains("from 90 to 365", refused["detail"]!.GetValue<string>());
        Assert.Equal(120, read["data"]!["days"]!.GetValue<int>());
    }
}
