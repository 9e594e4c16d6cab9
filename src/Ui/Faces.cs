using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;

namespace CommerceManager.Ui;

/// <summary>
/// MudBlazor's markup of a closed select or menu button, without the components: what a page shows in place of one of
/// those inputs until it is first used (see <see cref="Dormant"/>). A closed <c>MudSelect</c> is about ten components,
/// and every component is kept in server memory, with its current and its previous render tree, for every open tab
/// (see docs/decisions/0001-customer-list-rendering.md). The classes, roles, labels and test ids are the ones
/// MudBlazor 9 renders, so the face looks, reads (to a screen reader) and is found (by a browser test) as the input
/// itself.
/// </summary>
public static class Faces
{
    /// <summary>The encoder for text put in hand-made markup (letters of every script kept as they are).</summary>
    public static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    // Made once per distinct face: the texts are the page's labels and choices (field names included), a small set.
    private static readonly ConcurrentDictionary<string, MarkupString> Made = new(StringComparer.Ordinal);

    private const string ArrowDown = "<path d=\"M0 0h24v24H0z\" fill=\"none\"/><path d=\"M7 10l5 5 5-5z\"/>";

    /// <summary>
    /// An outlined, dense <c>MudSelect</c> showing <paramref name="text"/>. <paramref name="label"/> is the floating label
    /// (and the combobox's name); without one, <paramref name="ariaLabel"/> names it. Attribute for attribute as
    /// MudBlazor renders it with a value (its label shrunk, even over an empty text), minus its event handlers and
    /// generated ids; FacesTests compares the two.
    /// </summary>
    public static MarkupString Select(string id, string? label, string text, string? testId = null, bool disabled = false,
        string? ariaLabel = null, string? style = null) =>
        Made.GetOrAdd(string.Join('\u001f', "select", id, label, text, testId, disabled ? "1" : "0", ariaLabel, style), _ =>
        {
            var withLabel = label is not null;
            var html = new StringBuilder(1600)
                .Append("<div class=\"mud-select\"><div class=\"mud-input-control mud-input-control-margin-dense")
                .Append(withLabel ? " mud-input-outlined-with-label" : "").Append(" mud-select\"");
            Attribute(html, "style", style);
            html.Append("><div class=\"mud-input-control-input-container\"><div class=\"mud-input mud-input-outlined")
                .Append(withLabel ? " mud-input-outlined-with-label" : "")
                .Append(" mud-input-adorned-end mud-input-margin-dense mud-shrink")
                .Append(disabled ? " mud-disabled" : "").Append(" mud-typography-subtitle1 mud-select-input mud-input-sizing-fixed\">")
                .Append("<input class=\"mud-input-slot mud-input-root mud-input-root-outlined mud-input-root-adorned-end mud-input-root-margin-dense mud-select-input\"")
                .Append(" aria-invalid=\"false\" aria-required=\"false\" type=\"hidden\"");
            Attribute(html, "id", id);
            html.Append(disabled ? " disabled readonly" : " readonly").Append(" inputmode=\"text\" maxlength=\"524288\"");
            Attribute(html, "value", text);
            html.Append("><div class=\"mud-input-slot mud-input-root mud-input-root-outlined mud-input-root-adorned-end mud-input-root-margin-dense mud-select-input\"")
                .Append(disabled ? " style=\"display:inline;\"" : " style=\"display:inline\" tabindex=\"0\"");
            Attribute(html, "data-testid", testId);
            html.Append(" role=\"combobox\" aria-autocomplete=\"none\" aria-expanded=\"false\" aria-haspopup=\"listbox\"");
            Attribute(html, "aria-label", label ?? ariaLabel);
            html.Append(" aria-invalid=\"false\" aria-required=\"false\"").Append(disabled ? " aria-disabled=\"true\"" : "").Append('>')
                .Append(Html.Encode(text)).Append("</div>")
                .Append("<div class=\"mud-input-adornment mud-input-adornment-end\"><svg class=\"mud-icon-root mud-icon-default mud-svg-icon mud-icon-size-medium mud-input-adornment-icon\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\" tabindex=\"-1\">")
                .Append(ArrowDown).Append("</svg></div><fieldset class=\"mud-input-outlined-border\">");
            if (withLabel)
            {
                html.Append("<legend>").Append(Html.Encode(label!)).Append("</legend>");
            }
            html.Append("</fieldset></div>");
            if (withLabel)
            {
                html.Append("<label class=\"mud-input-label mud-input-label-animated mud-input-label-outlined mud-input-label-margin-dense")
                    .Append(disabled ? " mud-disabled" : "").Append(" mud-input-label-inputcontrol\"");
                Attribute(html, "for", id);
                html.Append('>').Append(Html.Encode(label!)).Append("</label>");
            }
            return new MarkupString(html.Append("</div></div></div>").ToString());
        });

    /// <summary>A <c>MudMenu</c> with a text button (<paramref name="variant"/> "outlined" or "text"), closed.</summary>
    public static MarkupString MenuButton(string label, string variant, string? startIcon, string? endIcon, string ariaLabel, string? testId) =>
        Made.GetOrAdd(string.Join('\u001f', "menu", label, variant, startIcon, endIcon, ariaLabel, testId), _ =>
        {
            var html = new StringBuilder(1200).Append("<div");
            Attribute(html, "data-testid", testId);
            html.Append(" class=\"mud-menu\"><button");
            Attribute(html, "class", ButtonClass(variant, cssClass: "mud-menu-button-activator"));
            html.Append(" aria-haspopup=\"menu\" aria-expanded=\"false\"");
            Attribute(html, "aria-label", ariaLabel);
            html.Append(" type=\"button\">").Append(ButtonLabel(label, startIcon, endIcon: endIcon).Value).Append("</button></div>");
            return new MarkupString(html.ToString());
        });

    /// <summary>A <c>MudMenu</c> with an icon button in the inherited colour (the app bar's), closed.</summary>
    public static MarkupString IconMenu(string icon, string ariaLabel, string? testId) =>
        Made.GetOrAdd(string.Join('\u001f', "iconmenu", icon, ariaLabel, testId), _ =>
        {
            var html = new StringBuilder(900).Append("<div");
            Attribute(html, "data-testid", testId);
            html.Append(" class=\"mud-menu\"><button class=\"mud-button-root mud-icon-button mud-inherit-text hover:mud-inherit-hover mud-ripple mud-ripple-icon mud-menu-icon-button-activator\" aria-haspopup=\"menu\" aria-expanded=\"false\"");
            Attribute(html, "aria-label", ariaLabel);
            html.Append(" type=\"button\"><span class=\"mud-icon-button-label\">").Append(Svg(icon)).Append("</span></button></div>");
            return new MarkupString(html.ToString());
        });

    /// <summary>
    /// A <c>MudButton</c> with no handler of its own: a link (<paramref name="href"/>) or a form's submit button. Buttons
    /// with a handler are a <c>button</c> element in the page with <see cref="ButtonClass"/> and <see cref="ButtonLabel"/>.
    /// </summary>
    public static MarkupString Button(string text, string variant = "text", string color = "default", string size = "medium",
        string? startIcon = null, string? href = null, string? testId = null, string? cssClass = null) =>
        Made.GetOrAdd(string.Join('\u001f', "button", text, variant, color, size, startIcon, href, testId, cssClass), _ =>
        {
            var html = new StringBuilder(900).Append(href is null ? "<button" : "<a");
            Attribute(html, "class", ButtonClass(variant, color, size, cssClass));
            Attribute(html, "data-testid", testId);
            html.Append(href is null ? " type=\"submit\"" : " type=\"button\"");
            Attribute(html, "href", href);
            html.Append('>').Append(ButtonLabel(text, startIcon, size).Value).Append(href is null ? "</button>" : "</a>");
            return new MarkupString(html.ToString());
        });

    /// <summary>MudButton's classes: variant "filled", "outlined" or "text"; color "default", "primary", "inherit"…</summary>
    public static string ButtonClass(string variant = "text", string color = "default", string size = "medium", string? cssClass = null) =>
        $"mud-button-root mud-button mud-button-{variant} mud-button-{variant}-{color} mud-button-{variant}-size-{size} mud-ripple" +
        (cssClass is null ? "" : " " + cssClass);

    /// <summary>What MudButton puts inside its element: the label, with its start and end icons.</summary>
    public static MarkupString ButtonLabel(string text, string? startIcon = null, string size = "medium", string? endIcon = null) =>
        Made.GetOrAdd(string.Join('\u001f', "label", text, startIcon, size, endIcon), _ => new MarkupString(
            "<span class=\"mud-button-label\">" +
            (startIcon is null ? "" : $"<span class=\"mud-button-icon-start mud-button-icon-size-{size}\">{Svg(startIcon, size)}</span>") +
            Html.Encode(text) +
            (endIcon is null ? "" : $"<span class=\"mud-button-icon-end mud-button-icon-size-{size}\">{Svg(endIcon, size)}</span>") +
            "</span>"));

    /// <summary>MudIconButton's classes; <paramref name="inherit"/>: the colour of the text around it (the app bar's).</summary>
    public static string IconButtonClass(string size = "medium", bool inherit = false, string? edge = null, string? cssClass = null) =>
        "mud-button-root mud-icon-button" + (inherit ? " mud-inherit-text hover:mud-inherit-hover" : "") + " mud-ripple mud-ripple-icon" +
        (size == "medium" ? "" : $" mud-icon-button-size-{size}") + (edge is null ? "" : $" mud-icon-button-edge-{edge}") +
        (cssClass is null ? "" : " " + cssClass);

    /// <summary>What MudIconButton puts inside its element.</summary>
    public static MarkupString IconButtonLabel(string icon, string size = "medium") =>
        Made.GetOrAdd(string.Join('\u001f', "iconlabel", icon, size), _ =>
            new MarkupString($"<span class=\"mud-icon-button-label\">{Svg(icon, size)}</span>"));

    // MudBlazor's icons are the inside of an SVG: trusted constants, not user text.
    private static string Svg(string icon, string size = "medium") =>
        $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{size}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{icon}</svg>";

    private static void Attribute(StringBuilder html, string name, string? value)
    {
        if (value is not null)
        {
            html.Append(' ').Append(name).Append("=\"").Append(Html.Encode(value)).Append('"');
        }
    }
}

/// <summary>
/// Which of a page's inputs are still faces (<see cref="Faces"/>) and which have been swapped for the real component.
/// A face wakes when it is used: a pointer-down, a click (Enter or Space on a menu's button), or Enter, Space or an
/// arrow key on a select. Passing it with Tab does not wake it, so the focus never moves under a keyboard user. Call
/// <see cref="Wake"/> from the face's events, then <see cref="TakeWaking"/> after the next render, when the real input
/// is in the page, to open it (and give it the focus the face had).
/// </summary>
public sealed class Dormant
{
    private readonly HashSet<string> awake = new(StringComparer.Ordinal);
    private string? waking;

    public bool IsAwake(string key) => awake.Contains(key);

    /// <summary>The input <paramref name="key"/> is used: render the real one, open.</summary>
    public void Wake(string key)
    {
        if (awake.Add(key))
        {
            waking = key;
        }
    }

    /// <summary>A key that uses a select or menu: Enter, Space, or an arrow up or down.</summary>
    public static bool Opens(string key) => key is "Enter" or " " or "ArrowDown" or "ArrowUp";

    /// <summary>
    /// After a render: the input woken before it, now in the page, to open; once. The input hears keys once its own
    /// start-up in the browser is done, a moment later (see docs/decisions/0001-customer-list-rendering.md).
    /// </summary>
    public string? TakeWaking()
    {
        var taken = waking;
        waking = null;
        return taken;
    }
}
