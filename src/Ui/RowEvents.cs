using Microsoft.AspNetCore.Components;

namespace CommerceManager.Ui;

/// <summary>
/// A click on a list's row, or a change of a row's tick box, for lists whose rows are markup (no component or element
/// handler per row): one handler on the table body hears them all (wwwroot/CommerceManager.lib.module.js). Every
/// handler and element a row holds is kept in server memory for every open tab (see
/// docs/decisions/0001-customer-list-rendering.md). The handlers go on the body as attributes
/// (<see cref="RowEvents.Handlers"/>): the Razor compiler does not see an
/// <c>[EventHandler]</c> class declared in the same project, and at run time the handler's parameter type is what
/// says how to read the event.
/// </summary>
public sealed class RowEventArgs : EventArgs
{
    /// <summary>The row's <c>data-row</c>; null when the click was on a link, tick box or button inside the row (theirs).</summary>
    public string? Id { get; set; }

    /// <summary>For a tick box: whether it is ticked now.</summary>
    public bool Checked { get; set; }
}

public static class RowEvents
{
    /// <summary>The body's attributes: <paramref name="clicked"/> for a click on a row, <paramref name="ticked"/> for a row's tick box.</summary>
    public static IReadOnlyDictionary<string, object> Handlers(object receiver, Action<RowEventArgs> clicked, Action<RowEventArgs> ticked) =>
        new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["onrowclick"] = EventCallback.Factory.Create(receiver, clicked),
            ["onrowtick"] = EventCallback.Factory.Create(receiver, ticked),
        };
}
