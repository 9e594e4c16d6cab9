using Microsoft.AspNetCore.Components;

namespace CommerceManager.Account;

/// <summary>Redirects from static server-rendered account pages, refusing open redirects.</summary>
public sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public void RedirectTo(string? uri)
    {
        uri ??= "";
        // Only local paths: "//evil.example" and absolute URLs would send staff elsewhere after sign-in.
        if (!Uri.IsWellFormedUriString(uri, UriKind.Relative) || uri.StartsWith("//", StringComparison.Ordinal)
            || uri.StartsWith("/\\", StringComparison.Ordinal))
        {
            uri = navigationManager.ToBaseRelativePath(uri);
        }
        navigationManager.NavigateTo(uri);
    }
}
