using System.Text.Json.Nodes;
using CommerceManager.CustomFields;

namespace CommerceManager.Api.Endpoints;

/// <summary>Custom field values as top-level attributes of API objects, by slug.</summary>
public static class CustomFieldsJson
{
    /// <summary>
    /// The enabled fields' values to write beside a resource's own attributes; nulls are left out when the field says
    /// omit_null. (A dictionary, not a JsonObject: System.Text.Json writes a JsonObject extension property as a nested
    /// object without a name.)
    /// </summary>
    public static Dictionary<string, object?>? Write(IReadOnlyList<FieldDefinition> fields, string? customData)
    {
        if (fields.Count == 0)
        {
            return null;
        }
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (field, value) in CustomFieldValues.Read(fields, customData))
        {
            if (value is null && field.OmitNull)
            {
                continue;
            }
            values[field.Slug] = value?.DeepClone();
        }
        return values;
    }

    /// <summary>The values of enabled fields present in a request's data, by slug.</summary>
    public static Dictionary<string, JsonNode?> Read(JsonObject? data, IReadOnlyList<FieldDefinition> fields)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (data is null)
        {
            return values;
        }
        foreach (var field in fields.Where(f => f.Enabled))
        {
            if (data.TryGetPropertyValue(field.Slug, out var value))
            {
                values[field.Slug] = value?.DeepClone();
            }
        }
        return values;
    }
}
