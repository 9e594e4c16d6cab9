// Blazor's JavaScript initializer for the console (found by its name: <assembly>.lib.module.js).

// The page is interactive: what was typed before it was (js/early-keys.js) is given back.
export function afterServerStarted() {
    window.commerceManagerEarlyKeys?.interactive();
}

// A list whose rows are markup (src/Ui/RowEvents.cs) hears its rows through one handler on the table body: a click
// on a row (not on a link, tick box or button inside it, which act for themselves) and a change of a row's tick box,
// each with the row's data-row.
export function afterWebStarted(blazor) {
    keepFocusAfterActions();
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

// After an action confirmed or entered in a dialog, the focus lands somewhere sensible, never on the page itself (where
// the next Tab starts over at the top): when the dialog closes and nothing took the focus, it goes back to what had it
// before the dialog opened; when that is gone with the action (the card or row just deleted), to the first thing that
// takes focus in the nearest part of the page still there (the next card, the list, the tab). Only for a few seconds
// after a dialog closed: a click on an empty spot, a row drawn again, a navigation (the page's heading takes the focus
// then) and anything inside dialogs and menus are left alone.
function keepFocusAfterActions() {
    const focusable = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    const inOverlay = element => element.closest(".mud-dialog-container, .mud-popover, .mud-overlay");
    const visible = element => element.offsetParent !== null || element.getClientRects().length > 0;
    let last = null;
    let ancestors = [];
    let page = location.href;
    let dialogOpen = false;
    let closedAt = -Infinity;
    document.addEventListener("focusin", event => {
        const target = event.target;
        if (!(target instanceof HTMLElement) || inOverlay(target) || target === document.body) {
            return;
        }
        last = target;
        ancestors = [];
        for (let e = target.parentElement; e && e !== document.body; e = e.parentElement) {
            ancestors.push(e);
        }
        page = location.href;
    });
    new MutationObserver(() => {
        const open = document.querySelector(".mud-dialog-container") !== null;
        if (dialogOpen && !open) {
            closedAt = performance.now();
        }
        dialogOpen = open;
        const active = document.activeElement;
        if (open || !last || (active && active !== document.body) || location.href !== page || performance.now() - closedAt > 5000) {
            return;
        }
        if (last.isConnected && visible(last)) {
            last.focus({ preventScroll: true });
            return;
        }
        for (const part of ancestors) {
            if (part.isConnected) {
                const next = [...part.querySelectorAll(focusable)].find(visible);
                if (next) {
                    next.focus({ preventScroll: true });
                    return;
                }
            }
        }
    }).observe(document.body, { childList: true, subtree: true });
}
