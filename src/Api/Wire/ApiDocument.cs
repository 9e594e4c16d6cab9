using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CommerceManager.Api.Wire;

/// <summary>
/// Describes the wire records in the OpenAPI document exactly as they bind: an <see cref="ApiBody{T}"/> parameter is
/// the operation's JSON body, and an <see cref="Optional{T}"/> field is described as its <c>T</c>.
/// </summary>
public static class ApiDocument
{
    public static async Task DescribeAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (type.IsAssignableTo(typeof(IRequestData))
            && type.GetProperty(nameof(IRequestData.ResourceType), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is string resourceType)
        {
            // EP requires data.type; the record checks it when binding rather than holding it.
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [resourceType] };
            schema.Required ??= new HashSet<string>();
            schema.Required.Add("type");
            return;
        }
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Optional<>))
        {
            return;
        }
        var inner = type.GetGenericArguments()[0];
        inner = Nullable.GetUnderlyingType(inner) ?? inner;
        var described = await context.GetOrCreateSchemaAsync(inner, null, ct);
        schema.Type = described.Type;
        schema.Format = described.Format;
        schema.Properties = described.Properties;
        schema.Items = described.Items;
        schema.AdditionalProperties = described.AdditionalProperties;
        schema.AdditionalPropertiesAllowed = described.AdditionalPropertiesAllowed;
        schema.Description = "Optional: a field that is not sent keeps its value (EP's partial update).";
    }
}

public sealed partial class ApiBody<T> : IEndpointParameterMetadataProvider
{
    /// <summary>Tells the endpoint (and so the OpenAPI document) that it takes this record as its JSON body.</summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(ApiBody<T>)));
}
