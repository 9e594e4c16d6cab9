using System.Net;
using System.Text.Json.Nodes;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Api;

/// <summary>The OpenAPI document is made from the records the endpoints bind and write: real responses have its shapes.</summary>
public sealed class OpenApiDocumentTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    [Fact]
    public async Task Real_responses_have_exactly_the_properties_the_document_describes()
    {
        var document = JsonNode.Parse(await App.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var (client, customerId) = await SignedInCustomerAsync();
        var customer = (await ApiClient.ExpectAsync(await client.GetAsync($"/v2/customers/{customerId}"), HttpStatusCode.OK))["data"]!.AsObject();
        var address = (await ApiClient.ExpectAsync(await client.PostAsync($"/v2/customers/{customerId}/addresses", Address), HttpStatusCode.Created))["data"]!.AsObject();
        var order = await CheckoutAsync(client, new { id = customerId });

        AssertSameShape(document, Response(document, "/v2/customers/{id}", "get", "200"), customer);
        AssertSameShape(document, Response(document, "/v2/customers/{customerId}/addresses", "post", "201"), address);
        AssertSameShape(document, Response(document, "/v2/carts/{reference}/checkout", "post", "201"), order);
    }

    [Fact]
    public async Task Request_bodies_are_the_bound_records_with_EPs_type_and_snake_case_fields()
    {
        var document = JsonNode.Parse(await App.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var body = Resolve(document, document["paths"]!["/v2/customers"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);
        var data = Resolve(document, body["properties"]!["data"]!);

        Assert.Equal(["current_password", "email", "external_ref", "name", "password", "type"], data["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("customer", data["properties"]!["type"]!["enum"]![0]!.GetValue<string>());
        Assert.Equal("string", Resolve(document, data["properties"]!["email"]!)["type"]!.GetValue<string>());
    }

    /// <summary>The <c>data</c> schema of an operation's response.</summary>
    private static JsonNode Response(JsonNode document, string path, string method, string status)
    {
        var envelope = Resolve(document, document["paths"]![path]![method]!["responses"]![status]!["content"]!["application/json"]!["schema"]!);
        return Resolve(document, envelope["properties"]!["data"]!);
    }

    private static void AssertSameShape(JsonNode document, JsonNode schema, JsonObject actual)
    {
        // Every property sent is described, and every property the document calls required is sent.
        var described = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        var required = schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];
        Assert.All(actual, p => Assert.Contains(p.Key, described));
        Assert.All(required, r => Assert.True(actual.ContainsKey(r), $"The document requires {r}, the response has no {r}."));
        foreach (var (name, value) in actual)
        {
            var property = Resolve(document, schema["properties"]![name]!);
            if (value is JsonObject nested && property["properties"] is not null)
            {
                AssertSameShape(document, property, nested);
            }
        }
    }

    /// <summary>Follows <c>$ref</c> (and a nullable <c>oneOf</c>) to the schema itself.</summary>
    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        if (schema["oneOf"] is JsonArray options)
        {
            schema = options.First(o => o!["$ref"] is not null)!;
        }
        return schema["$ref"] is { } reference
            ? Resolve(document, document["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]]!)
            : schema;
    }
}
