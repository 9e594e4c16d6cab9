using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Bunit;
using CommerceManager.Ui;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CommerceManager.Tests.Ui;

/// <summary>
/// The faces (<see cref="Faces"/>: MudBlazor's markup written by hand, see docs/decisions/0001-customer-list-rendering.md)
/// against the components they imitate, rendered by MudBlazor itself with the same parameters. Compared normalised:
/// event handlers, generated ids and the popover a real select or menu keeps ready are not part of a face; every
/// element, class, role, label and test id is. A MudBlazor upgrade that changes its markup fails here, not in a
/// person's browser.
/// </summary>
public sealed class FacesTests : BunitContext, IAsyncLifetime
{
    public FacesTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Render<MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are disposed asynchronously only.
    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    private static void Same(string real, string face)
    {
        Assert.Equal(Normalised(real), Normalised(face));
    }

    public static TheoryData<string?, string, bool, string?> Selects => new()
    {
        { "Has password", "Any", false, null },
        { "Search in", "Name", false, null },
        { null, "25", false, "max-width: 90px" },
        { "Status", "", true, null },
    };

    [Theory]
    [MemberData(nameof(Selects))]
    public void A_select_face_is_a_closed_MudSelect(string? label, string text, bool disabled, string? style)
    {
        var face = Faces.Select("face-id", label, text, testId: "the-select", disabled: disabled, ariaLabel: label is null ? "Rows per page" : null, style: style);
        var real = Render<MudSelect<string>>((ComponentParameterCollectionBuilder<MudSelect<string>> p) =>
        {
            p.Add(x => x.Value, text).Add(x => x.Variant, Variant.Outlined).Add(x => x.Margin, Margin.Dense).Add(x => x.Disabled, disabled)
                .AddUnmatched("data-testid", "the-select");
            if (label is not null)
            {
                p.Add(x => x.Label, label);
            }
            else
            {
                p.AddUnmatched("aria-label", "Rows per page");
            }
            if (style is not null)
            {
                p.Add(x => x.Style, style);
            }
            p.Add(x => x.ChildContent, (RenderFragment)(b =>
            {
                b.OpenComponent<MudSelectItem<string>>(0);
                b.AddAttribute(1, nameof(MudSelectItem<string>.Value), text);
                b.AddAttribute(2, nameof(MudSelectItem<string>.ChildContent), (RenderFragment)(c => c.AddContent(0, text)));
                b.CloseComponent();
            }));
        });

        Same(real.Markup, face.Value);
    }

    [Theory]
    [InlineData("Export", "outlined", Icons.Material.Filled.Download, Icons.Material.Filled.ArrowDropDown)]
    [InlineData("Columns", "text", null, Icons.Material.Filled.ViewColumn)]
    public void A_menu_face_is_a_closed_MudMenu(string label, string variant, string? startIcon, string? endIcon)
    {
        var face = Faces.MenuButton(label, variant, startIcon, endIcon, ariaLabel: label + " menu", testId: "the-menu");
        var real = Render<MudMenu>((ComponentParameterCollectionBuilder<MudMenu> p) =>
        {
            p.Add(x => x.Label, label).Add(x => x.Variant, variant == "outlined" ? Variant.Outlined : Variant.Text)
                .Add(x => x.AriaLabel, label + " menu").AddUnmatched("data-testid", "the-menu");
            if (startIcon is not null)
            {
                p.Add(x => x.StartIcon, startIcon);
            }
            if (endIcon is not null)
            {
                p.Add(x => x.EndIcon, endIcon);
            }
            p.Add(x => x.ChildContent, (RenderFragment)(b => b.AddContent(0, "item")));
        });

        Same(real.Markup, face.Value);
    }

    [Fact]
    public void An_icon_menu_face_is_a_closed_MudMenu_with_an_icon()
    {
        var face = Faces.IconMenu(Icons.Material.Filled.AccountCircle, "Account", "the-menu");
        var real = Render<MudMenu>(p => p.Add(x => x.Icon, Icons.Material.Filled.AccountCircle).Add(x => x.Color, Color.Inherit)
            .Add(x => x.AriaLabel, "Account").AddUnmatched("data-testid", "the-menu")
            .Add(x => x.ChildContent, (RenderFragment)(b => b.AddContent(0, "item"))));

        Same(real.Markup, face.Value);
    }

    [Theory]
    [InlineData("Save", "filled", "primary", "medium", null, null)]
    [InlineData("Export", "outlined", "default", "small", Icons.Material.Filled.Download, null)]
    [InlineData("New customer", "filled", "primary", "medium", Icons.Material.Filled.PersonAdd, "/customers/new")]
    public void A_button_face_is_a_MudButton(string text, string variant, string color, string size, string? startIcon, string? href)
    {
        var face = Faces.Button(text, variant, color, size, startIcon, href, testId: "the-button");
        var real = Render<MudButton>((ComponentParameterCollectionBuilder<MudButton> p) =>
        {
            p.Add(x => x.Variant, Enum.Parse<Variant>(variant, ignoreCase: true)).Add(x => x.Color, Enum.Parse<Color>(color, ignoreCase: true))
                .Add(x => x.Size, Enum.Parse<Size>(size, ignoreCase: true)).AddUnmatched("data-testid", "the-button")
                .Add(x => x.ChildContent, (RenderFragment)(b => b.AddContent(0, text)));
            if (href is null)
            {
                p.Add(x => x.ButtonType, ButtonType.Submit);
            }
            else
            {
                p.Add(x => x.Href, href);
            }
            if (startIcon is not null)
            {
                p.Add(x => x.StartIcon, startIcon);
            }
        });

        Same(real.Markup, face.Value);
    }

    [Theory]
    [InlineData("small", false, null)]
    [InlineData("medium", true, "start")]
    public void An_icon_button_written_as_markup_is_a_MudIconButton(string size, bool inherit, string? edge)
    {
        var face = $"<button type=\"button\" class=\"{Faces.IconButtonClass(size, inherit, edge)}\" aria-label=\"Copy\">{Faces.IconButtonLabel(Icons.Material.Filled.ContentCopy, size).Value}</button>";
        var real = Render<MudIconButton>((ComponentParameterCollectionBuilder<MudIconButton> p) =>
        {
            p.Add(x => x.Icon, Icons.Material.Filled.ContentCopy).Add(x => x.Size, Enum.Parse<Size>(size, ignoreCase: true))
                .AddUnmatched("aria-label", "Copy");
            if (inherit)
            {
                p.Add(x => x.Color, Color.Inherit);
            }
            if (edge is not null)
            {
                p.Add(x => x.Edge, Enum.Parse<Edge>(edge, ignoreCase: true));
            }
        });

        Same(real.Markup, face);
    }

    /// <summary>
    /// The markup as lines of elements with sorted attributes and classes, without what a face leaves out on purpose:
    /// Blazor's event and reference attributes, MudBlazor's generated ids (and the <c>for</c> naming them), and the
    /// popover a real select or menu renders for later.
    /// </summary>
    private static string Normalised(string html)
    {
        var fragment = new HtmlParser().ParseFragment($"<div>{html}</div>", new HtmlParser().ParseDocument("").Body!);
        var lines = new List<string>();
        void Walk(INode node, int depth)
        {
            switch (node)
            {
                case IElement e when e.ClassList.Contains("mud-popover") || e.ClassList.Contains("mud-popover-cascading-value")
                    || e.LocalName == "mud-popover-provider":
                    return;
                case IElement e:
                    var attributes = e.Attributes
                        .Where(a => !a.Name.StartsWith("blazor:", StringComparison.Ordinal) && !a.Name.StartsWith("_bl_", StringComparison.Ordinal)
                            && a.Name is not ("id" or "for" or "aria-controls" or "aria-owns" or "aria-describedby"))
                        .Select(a => a.Name switch
                        {
                            "class" => $"class=\"{string.Join(' ', a.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))}\"",
                            "style" => $"style=\"{a.Value.Replace(" ", "").TrimEnd(';')}\"",
                            _ => $"{a.Name}=\"{a.Value}\"",
                        })
                        .Order(StringComparer.Ordinal);
                    lines.Add($"{new string(' ', depth * 2)}<{e.LocalName} {string.Join(' ', attributes)}>");
                    foreach (var child in e.ChildNodes)
                    {
                        Walk(child, depth + 1);
                    }
                    break;
                case IText t when !string.IsNullOrWhiteSpace(t.Data):
                    lines.Add($"{new string(' ', depth * 2)}{t.Data.Trim()}");
                    break;
            }
        }
        foreach (var child in fragment.OfType<IElement>().Single().ChildNodes)
        {
            Walk(child, 0);
        }
        return string.Join('\n', lines);
    }
}
