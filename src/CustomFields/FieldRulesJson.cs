using System.Text.Json.Nodes;
namespace CommerceManager.CustomFields;

/// <summary>EP's <c>validation_rules</c> list, read into and written from <see cref="FieldRules"/>.</summary>
public static class FieldRulesJson
{
    public static JsonArray Write(FieldRules r)
    {
        var rules = new JsonArray();
        if (r.Enum is { Count: > 0 })
        {
            rules.Add(new JsonObject { ["type"] = "enum", ["options"] = new JsonArray(r.Enum.Select(o => o?.DeepClone()).ToArray()) });
        }
        if (r.Email)
        {
            rules.Add(new JsonObject { ["type"] = "email" });
        }
        if (r.Slug)
        {
            rules.Add(new JsonObject { ["type"] = "slug" });
        }
        if (r.From is not null || r.To is not null)
        {
            rules.Add(new JsonObject { ["type"] = "between", ["options"] = new JsonObject { ["from"] = r.From, ["to"] = r.To } });
        }
        if (r.MinLength is not null || r.MaxLength is not null)
        {
            rules.Add(new JsonObject { ["type"] = "length", ["options"] = new JsonObject { ["min"] = r.MinLength, ["max"] = r.MaxLength } });
        }
        if (r.Pattern is not null)
        {
            rules.Add(new JsonObject { ["type"] = "regex", ["options"] = new JsonObject { ["pattern"] = r.Pattern } });
        }
        return rules;
    }

    /// <summary>The rules in <paramref name="node"/>; what cannot be read is told to <paramref name="invalid"/> and left out.</summary>
    public static FieldRules Read(JsonNode? node, Action<string> invalid)
    {
        if (node is null)
        {
            return new FieldRules();
        }
        if (node is not JsonArray array)
        {
            invalid("validation_rules must be a list of rules.");
            return new FieldRules();
        }
        var rules = new FieldRules();
        foreach (var item in array)
        {
            var type = (item as JsonObject)?["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            var options = (item as JsonObject)?["options"];
            switch (type)
            {
                case "enum" when options is JsonArray list:
                    rules = rules with { Enum = list.Select(o => o?.DeepClone()).ToList() };
                    break;
                case "email":
                    rules = rules with { Email = true };
                    break;
                case "slug":
                    rules = rules with { Slug = true };
                    break;
                case "between" when options is JsonObject between:
                    rules = rules with { From = Number(between["from"]), To = Number(between["to"]) };
                    break;
                case "length" when options is JsonObject length:
                    rules = rules with { MinLength = (int?)Number(length["min"]), MaxLength = (int?)Number(length["max"]) };
                    break;
                case "regex" when options is JsonObject regex && regex["pattern"] is JsonValue p && p.TryGetValue<string>(out var pattern):
                    rules = rules with { Pattern = pattern };
                    break;
                case "regex" when options is JsonValue p2 && p2.TryGetValue<string>(out var pattern2):
                    rules = rules with { Pattern = pattern2 };
                    break;
                default:
                    invalid($"Unknown or malformed validation rule {item?.ToJsonString()}: use enum, email, slug, between, length or regex.");
                    break;
            }
        }
        return rules;
    }

    private static double? Number(JsonNode? node) => FieldValues.TryNumber(node, out var d) ? d : null;
}
