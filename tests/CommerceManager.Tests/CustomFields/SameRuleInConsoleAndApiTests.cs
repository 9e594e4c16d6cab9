using System.Net;
using Bunit;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.CustomFields;

/// <summary>The same invalid value gets the same message in the console form and from the API.</summary>
public static class ShoeSize
{
    public const string Message = "Shoe size must be between 30 and 50.";

    public static FieldInput Field => new()
    {
        Name = "Shoe size", Slug = "shoe_size", Type = FieldType.Integer, Rules = new FieldRules { From = 30, To = 50 }, CustomerEditable = true,
    };
}

public sealed class SameRuleInTheConsoleTests : ConsoleTestContext
{
    [Fact]
    public async Task The_customer_form_shows_the_rules_message_beside_the_field_and_saves_nothing()
    {
        var designer = App.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, ShoeSize.Field);
        SignInAs(Roles.Representative);
        var cut = Render<CustomerEditor>();
        // The form's custom fields arrive from the store after the first render.
        cut.WaitForElement("#custom-shoe_size");
        cut.Find("#customer-name").TypeText("Ada");
        cut.Find("#customer-email").TypeText("ada@example.com");
        cut.Find("#custom-shoe_size").TypeText("60");

        await cut.Find("[data-testid=save-customer]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains(ShoeSize.Message, cut.Find("#custom-shoe_size").Closest(".mud-input-control")!.TextContent));
        Assert.Equal(0, (await App.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery())).Total);
    }
}

public sealed class SameRuleInTheApiTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task The_API_refuses_the_value_with_422_the_same_message_and_the_slug_in_source()
    {
        var designer = app.Services.GetRequiredService<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, ShoeSize.Field);
        var client = await ApiClient.ImplicitAsync(app);

        var error = await ApiClient.ExpectErrorAsync(await client.PostAsync("/v2/customers",
            new { type = "customer", name = "Ada", email = "ada.shoes@example.com", shoe_size = 60 }), HttpStatusCode.UnprocessableEntity);
        var ok = await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers",
            new { type = "customer", name = "Ada", email = "ada.shoes@example.com", shoe_size = 42 }), HttpStatusCode.Created);

        Assert.Equal(ShoeSize.Message, error["detail"]!.GetValue<string>());
        Assert.Equal("data.shoe_size", error["source"]!.GetValue<string>());
        Assert.Equal(42, ok["data"]!["shoe_size"]!.GetValue<long>());
    }
}

public sealed class CustomFieldsApiTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Flows_and_fields_are_managed_with_client_credentials_and_values_are_attributes()
    {
        var server = await ApiClient.ClientCredentialsAsync(app);
        var storefront = await ApiClient.ImplicitAsync(app);
        await ApiClient.ExpectErrorAsync(await storefront.PostAsync("/v2/flows", new { type = "flow", slug = "customers" }), HttpStatusCode.Forbidden);

        var flow = (await ApiClient.ExpectAsync(await server.PostAsync("/v2/flows", new { type = "flow", slug = "addresses", name = "Addresses", description = "More about addresses", enabled = true }), HttpStatusCode.Created))["data"]!;
        await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/flows", new { type = "flow", slug = "products", name = "P" }), HttpStatusCode.UnprocessableEntity);
        var flowId = flow["id"]!.GetValue<string>();
        var field = (await ApiClient.ExpectAsync(await server.PostAsync("/v2/fields", new
        {
            type = "field", name = "Gate code", slug = "gate_code", field_type = "string", required = false, enabled = true, omit_null = true,
            validation_rules = new object[] { new { type = "regex", options = new { pattern = "^[0-9]{4}$" } } },
            relationships = new { flow = new { data = new { type = "flow", id = flowId } } },
        }), HttpStatusCode.Created))["data"]!;
        var reserved = await ApiClient.ExpectErrorAsync(await server.PostAsync("/v2/fields", new
        {
            type = "field", name = "Line", slug = "line_1", field_type = "string", relationships = new { flow = new { data = new { type = "flow", id = flowId } } },
        }), HttpStatusCode.UnprocessableEntity);
        var retype = await ApiClient.ExpectErrorAsync(await server.PutAsync($"/v2/fields/{field["id"]}", new { type = "field", field_type = "integer" }), HttpStatusCode.UnprocessableEntity);
        var listed = await ApiClient.ExpectAsync(await server.GetAsync("/v2/flows/addresses/fields"), HttpStatusCode.OK);

        Assert.Equal("data.slug", reserved["source"]!.GetValue<string>());
        Assert.Equal("data.field_type", retype["source"]!.GetValue<string>());
        Assert.Equal(["gate_code"], listed["data"]!.AsArray().Select(f => f!["slug"]!.GetValue<string>()));

        // Values: written and read as top-level attributes, omitted when null with omit_null, hidden when disabled.
        var customer = (await ApiClient.ExpectAsync(await server.PostAsync("/v2/customers", new { type = "customer", name = "Ada", email = "ada.gate@example.com" }), HttpStatusCode.Created))["data"]!;
        var addressPath = $"/v2/customers/{customer["id"]}/addresses";
        var badAddress = await ApiClient.ExpectErrorAsync(await server.PostAsync(addressPath, new
        {
            type = "address", first_name = "Ada", last_name = "L", line_1 = "1 Street", postcode = "AB1", county = "C", country = "GB", gate_code = "12a4",
        }), HttpStatusCode.UnprocessableEntity);
        var noCode = (await ApiClient.ExpectAsync(await server.PostAsync(addressPath, new
        {
            type = "address", first_name = "Ada", last_name = "L", line_1 = "1 Street", postcode = "AB1", county = "C", country = "GB",
        }), HttpStatusCode.Created))["data"]!.AsObject();
        var withCode = (await ApiClient.ExpectAsync(await server.PostAsync(addressPath, new
        {
            type = "address", first_name = "Ada", last_name = "L", line_1 = "1 Street", postcode = "AB1", county = "C", country = "GB", gate_code = "1234",
        }), HttpStatusCode.Created))["data"]!;
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/fields/{field["id"]}", new { type = "field", enabled = false }), HttpStatusCode.OK);
        var hidden = (await ApiClient.ExpectAsync(await server.GetAsync($"{addressPath}/{withCode["id"]}"), HttpStatusCode.OK))["data"]!.AsObject();
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/fields/{field["id"]}", new { type = "field", enabled = true }), HttpStatusCode.OK);
        var back = (await ApiClient.ExpectAsync(await server.GetAsync($"{addressPath}/{withCode["id"]}"), HttpStatusCode.OK))["data"]!;

        Assert.Equal("data.gate_code", badAddress["source"]!.GetValue<string>());
        Assert.False(noCode.ContainsKey("gate_code"));
        Assert.Equal("1234", withCode["gate_code"]!.GetValue<string>());
        Assert.False(hidden.ContainsKey("gate_code"));
        Assert.Equal("1234", back["gate_code"]!.GetValue<string>());
    }
}
