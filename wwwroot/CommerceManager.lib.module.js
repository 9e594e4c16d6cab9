// Blazor's JavaScript initializer for the console (found by its name: <assembly>.lib.module.js).

// The page is interactive: what was typed before it was (js/early-keys.js) is given back.
export function afterServerStarted() {
    window.commerceManagerEarlyKeys?.interactive();
}

// A list whose rows are markup (src/Ui/RowEvents.cs) hears its rows through one handler on the table body: a click
// on a row (not on a link, tick box or button inside it, which act for themselves) and a change of a row's tick box,
// each with the row's data-row.
export function afterWebStarted(blazor) {
    blazor.registerCustomEventType("rowclick", {
        browserEventName: "click",
        createEventArgs: event => {
            const target = event.target instanceof Element ? event.target : null;
            const row = target?.closest("tr[data-row]");
            return { id: row && !target.closest("a, label, input, button") ? row.dataset.row : null, checked: false };
        },
    });
    blazor.registerCustomEventType("rowtick", {
        browserEventName: "change",
        createEventArgs: event => {
            const box = event.target instanceof HTMLInputElement && event.target.type === "checkbox" ? event.target : null;
            return { id: box?.dataset.row ?? null, checked: !!box?.checked };
        },
    });
}
