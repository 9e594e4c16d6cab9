using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommerceManager.Privacy;

/// <summary>
/// The personal-data export as a page a person can read (and print): <see cref="PersonalDataDocument"/> rendered to a
/// string with Blazor's <see cref="HtmlRenderer"/>, outside any circuit.
/// </summary>
public static class PersonalDataHtml
{
    public static async Task<string> RenderAsync(JsonObject export)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var page = await renderer.RenderComponentAsync<PersonalDataDocument>(
                ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(PersonalDataDocument.Export)] = export }));
            return page.ToHtmlString();
        });
    }

    internal static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";

    internal static string Label(string key)
    {
        var words = key.Replace('_', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }
}
