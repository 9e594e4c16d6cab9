using System.Text.Json.Nodes;

namespace CommerceManager.CustomFields;

/// <summary>Custom field values as top-level attributes of API objects, by slug.</summary>
public static class CustomFieldsJson
{
    /// <summary>Adds the enabled fields' values to <paramref name="target"/>; nulls are left out when the field says omit_null.</summary>
    public static JsonObject Write(JsonObject target, IReadOnlyList<FieldDefinition> fields, string? customData)
    {
        foreach (var (field, value) in CustomFieldService.Read(fields, customData))
        {
            if (value is null && field.OmitNull)
            {
                continue;
            }
            if (!target.ContainsKey(field.Slug))
            {
                target[field.Slug] = value?.DeepClone();
            }
        }
        return target;
    }

    /// <summary>The values of enabled fields present in a request's data, by slug.</summary>
    public static Dictionary<string, JsonNode?> Read(JsonObject data, IReadOnlyList<FieldDefinition> fields)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
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
