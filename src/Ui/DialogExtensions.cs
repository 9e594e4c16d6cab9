using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CommerceManager.Ui;

public static class DialogExtensions
{
    /// <summary>Asks before a destructive action; true only when the person confirmed.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, RenderFragment message, string confirmText, bool destructive = true,
        string cancelText = "Cancel")
    {
        var parameters = new DialogParameters<ConfirmDialog>
        {
            { d => d.Message, message },
            { d => d.ConfirmText, confirmText },
            { d => d.Destructive, destructive },
            { d => d.CancelText, cancelText },
        };
        var dialog = await dialogs.ShowAsync<ConfirmDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false };
    }

    /// <summary>"Discard changes?" before unsaved work is dropped; true when the person chose to discard.</summary>
    public static Task<bool> ConfirmDiscardAsync(this IDialogService dialogs, string what) =>
        dialogs.ConfirmAsync("Discard changes?", builder => builder.AddContent(0, $"You have unsaved changes to {what}. If you leave now, they are lost."),
            "Discard changes", destructive: true, cancelText: "Keep editing");
}
