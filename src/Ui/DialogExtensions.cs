using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CommerceManager.Ui;

public static class DialogExtensions
{
    /// <summary>Asks before a destructive action; true only when the person confirmed.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, RenderFragment message, string confirmText, bool destructive = true)
    {
        var parameters = new DialogParameters<ConfirmDialog>
        {
            { d => d.Message, message },
            { d => d.ConfirmText, confirmText },
            { d => d.Destructive, destructive },
        };
        var dialog = await dialogs.ShowAsync<ConfirmDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false };
    }
}
