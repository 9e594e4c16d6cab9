using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CommerceManager.Privacy;

/// <summary>
/// The export as a page a person can read (and print): the same document as the JSON, section by section, every value
/// HTML-encoded. No script, no external resource.
/// </summary>
public static class PersonalDataHtml
{
    private static readonly (string Key, string Title, string Item)[] Sections =
    [
        ("customer", "Customer", "Customer"), ("addresses", "Addresses", "Address"), ("orders", "Orders", "Order"), ("sign_in", "Sign-in", "Sign-in"),
        ("history", "History of changes", "Change"),
    ];

    public static string Render(JsonObject export)
    {
        var name = export["customer"]?["name"]?.GetValue<string>() ?? "customer";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Personal data of ").Append(Encode(name)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1a1a1a}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}")
            .Append("h3{font-size:1rem;margin:1rem 0 .25rem}table{border-collapse:collapse;margin:.25rem 0 .75rem}th,td{text-align:left;vertical-align:top;padding:.2rem .75rem .2rem 0;border-bottom:1px solid #eee}")
            .Append("th{font-weight:600;white-space:nowrap}.none{color:#555}</style></head><body>");
        html.Append("<h1>Personal data of ").Append(Encode(name)).Append("</h1>");
        html.Append("<p>Everything the store holds about this customer, exported ").Append(Encode(export["exported_at"]?.GetValue<string>() ?? "")).Append(" (UTC).</p>");
        foreach (var (key, title, item) in Sections)
        {
            html.Append("<h2>").Append(title).Append("</h2>");
            Value(html, export[key], item);
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Value(StringBuilder html, JsonNode? node, string itemTitle)
    {
        switch (node)
        {
            case null:
                html.Append("<p class=\"none\">—</p>");
                break;
            case JsonObject obj:
                Table(html, obj);
                break;
            case JsonArray array when array.Count == 0:
                html.Append("<p class=\"none\">None.</p>");
                break;
            case JsonArray array:
                var n = 0;
                foreach (var item in array)
                {
                    html.Append("<h3>").Append(Encode(itemTitle)).Append(' ').Append(++n).Append("</h3>");
                    Value(html, item, itemTitle);
                }
                break;
            default:
                html.Append("<p>").Append(Encode(Text(node))).Append("</p>");
                break;
        }
    }

    private static void Table(StringBuilder html, JsonObject obj)
    {
        html.Append("<table>");
        foreach (var (key, value) in obj)
        {
            html.Append("<tr><th scope=\"row\">").Append(Encode(Label(key))).Append("</th><td>");
            switch (value)
            {
                case JsonObject inner when inner.Count == 0:
                case JsonArray { Count: 0 }:
                    html.Append("<span class=\"none\">none</span>");
                    break;
                case JsonObject inner:
                    Table(html, inner);
                    break;
                case JsonArray items:
                    foreach (var item in items)
                    {
                        if (item is JsonObject o)
                        {
                            Table(html, o);
                        }
                        else
                        {
                            html.Append(Encode(Text(item))).Append("<br>");
                        }
                    }
                    break;
                default:
                    html.Append(value is null ? "<span class=\"none\">—</span>" : Encode(Text(value)));
                    break;
            }
            html.Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";

    private static string Label(string key)
    {
        var words = key.Replace('_', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
