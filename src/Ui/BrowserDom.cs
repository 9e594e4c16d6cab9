using Microsoft.JSInterop;

namespace CommerceManager.Ui;

/// <summary>The few things the console asks the browser directly (wwwroot/js/console.js), one module per circuit.</summary>
public sealed class BrowserDom(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? module;

    private async ValueTask<IJSObjectReference> ModuleAsync() =>
        module ??= await js.InvokeAsync<IJSObjectReference>("import", "./js/console.js");

    public async Task ScrollToTopAsync(string selector)
    {
        try
        {
            await (await ModuleAsync()).InvokeVoidAsync("scrollToTop", selector);
        }
        catch (JSException)
        {
            // Scrolling is a courtesy; a page that went away meanwhile is fine.
        }
    }

    /// <summary>Focus on the first element matching <paramref name="selector"/>, if any.</summary>
    public async Task FocusAsync(string selector)
    {
        try
        {
            await (await ModuleAsync()).InvokeVoidAsync("focusFirst", selector);
        }
        catch (JSException)
        {
        }
    }

    /// <summary>The skip link: focus (not only the scroll position) moves to the page's main content.</summary>
    public async Task SkipToMainAsync()
    {
        try
        {
            await (await ModuleAsync()).InvokeVoidAsync("skipToMain");
        }
        catch (JSException)
        {
        }
    }

    /// <summary>Registers "/" and Ctrl/⌘+K to call <c>OpenSearch</c> on the target; dispose the result to stop.</summary>
    public async Task<IJSObjectReference> OnSearchShortcutAsync<T>(DotNetObjectReference<T> target) where T : class =>
        await (await ModuleAsync()).InvokeAsync<IJSObjectReference>("onSearchShortcut", target);

    /// <summary>Registers "g c", "g o" and "?" to call <c>Go</c> and <c>ShowShortcuts</c> on the target; dispose the result to stop.</summary>
    public async Task<IJSObjectReference?> OnShortcutsAsync<T>(DotNetObjectReference<T> target) where T : class
    {
        try
        {
            return await (await ModuleAsync()).InvokeAsync<IJSObjectReference>("onShortcuts", target);
        }
        catch (JSException)
        {
            return null;
        }
    }

    /// <summary>Hands the text of the input to <c>EnterPressed</c> on the target whenever Enter is pressed in it.</summary>
    public async Task<IJSObjectReference?> OnEnterAsync<T>(string inputId, DotNetObjectReference<T> target, bool clear) where T : class
    {
        try
        {
            return await (await ModuleAsync()).InvokeAsync<IJSObjectReference>("onEnter", inputId, target, clear);
        }
        catch (JSException)
        {
            return null;
        }
    }

    /// <summary>Calls <c>EscapePressed</c> on the target for Esc inside the element, unless an open list takes it.</summary>
    public async Task<IJSObjectReference?> OnEscapeAsync<T>(string elementId, DotNetObjectReference<T> target) where T : class
    {
        try
        {
            return await (await ModuleAsync()).InvokeAsync<IJSObjectReference>("onEscape", elementId, target);
        }
        catch (JSException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ends a listener registered by one of the <c>On…Async</c> methods (its JS side, then the reference), and lets go of
    /// the .NET target it called. Safe when the circuit is already gone: the page took its listeners with it.
    /// </summary>
    public static async ValueTask StopAsync(IJSObjectReference? registration, IDisposable? target)
    {
        if (registration is not null)
        {
            try
            {
                await registration.InvokeVoidAsync("dispose");
                await registration.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
        target?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone, and the module with it.
            }
        }
    }
}
