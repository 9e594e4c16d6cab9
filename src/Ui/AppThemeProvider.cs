using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;
using MudBlazor;

namespace CommerceManager.Ui;

/// <summary>
/// MudThemeProvider, with its stylesheets made once per theme and mode for the whole process instead of on every render
/// of every tab. MudBlazor builds the theme's CSS variables as a new string each time the provider renders, and a tab
/// keeps the last two renders: two copies of identical text per open tab (see
/// docs/decisions/0001-customer-list-rendering.md). The markup is MudThemeProvider's own, taken from it once.
/// </summary>
public sealed class AppThemeProvider : MudThemeProvider
{
    private static readonly ConcurrentDictionary<(MudTheme Theme, bool Dark), string[]?> Made = new();

    /// <summary>Whether the stylesheets of <paramref name="theme"/> in that mode are the process-wide copy (for tests).</summary>
    public static bool IsMadeOnce(MudTheme theme, bool dark) => Made.TryGetValue((theme, dark), out var markup) && markup is not null;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
#pragma warning disable MUD0010, MUD0012 // the provider reading its own parameters (their state is private)
        var dark = IsDarkMode;
        var given = Theme;
#pragma warning restore MUD0010, MUD0012
        // Cached for a theme the page gives (one object for the app's life), not for a default made per provider.
        if (given is { } theme && ReferenceEquals(GetTheme(), theme) && Made.GetOrAdd((theme, dark), _ => Capture()) is { } markup)
        {
            for (var i = 0; i < markup.Length; i++)
            {
#pragma warning disable ASP0006 // the position of each of a fixed list of stylesheets is its sequence, on every render
                builder.AddMarkupContent(i, markup[i]);
#pragma warning restore ASP0006
            }
        }
        else
        {
            base.BuildRenderTree(builder);
        }
    }

    // What the base renders, when it is markup only (as in MudBlazor 9: the scrollbar, chart and theme styles); else
    // null, and the base renders itself each time.
    private string[]? Capture()
    {
        var builder = new RenderTreeBuilder();
        base.BuildRenderTree(builder);
#pragma warning disable BL0006 // reading the frames of a builder this class made
        var frames = builder.GetFrames();
        var markup = new string[frames.Count];
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames.Array[i].FrameType != RenderTreeFrameType.Markup)
            {
                return null;
            }
            markup[i] = frames.Array[i].MarkupContent;
        }
#pragma warning restore BL0006
        return markup;
    }
}
