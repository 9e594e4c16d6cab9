// Small DOM reads and moves the console needs from the browser itself.

// Brings the top of an element into view (a table after paging).
export function scrollToTop(selector) {
    const element = document.querySelector(selector);
    if (element && element.getBoundingClientRect().top < 0) {
        element.scrollIntoView({ block: "start" });
    }
}

// Calls back when "/" (outside a text box) or Ctrl/Cmd+K is pressed anywhere on the page.
export function onSearchShortcut(target) {
    const handler = event => {
        const typing = event.target instanceof HTMLElement &&
            (event.target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName));
        const slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
        const ctrlK = (event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K");
        if (slash || ctrlK) {
            event.preventDefault();
            target.invokeMethodAsync("OpenSearch");
        }
    };
    document.addEventListener("keydown", handler);
    return { dispose: () => document.removeEventListener("keydown", handler) };
}

// Enter in an input: read (and optionally clear) its text synchronously, then hand that text to .NET.
export function onEnter(id, target, clear) {
    const element = document.getElementById(id);
    if (!element) {
        return { dispose: () => { } };
    }
    const handler = event => {
        if (event.key !== "Enter" || event.isComposing) {
            return;
        }
        event.preventDefault();
        const text = element.value;
        if (clear) {
            element.value = "";
            element.dispatchEvent(new Event("input", { bubbles: true }));
        }
        target.invokeMethodAsync("EnterPressed", text);
    };
    element.addEventListener("keydown", handler);
    return { dispose: () => element.removeEventListener("keydown", handler) };
}

// The focused text box inside an element hands its text to .NET now, as leaving it would.
function commitTyping(within) {
    const active = document.activeElement;
    const typing = (active instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit"].includes(active.type))
        || active instanceof HTMLTextAreaElement;
    if (typing && within.contains(active)) {
        active.dispatchEvent(new Event("change", { bubbles: true }));
    }
}

// Esc inside an element: handed to .NET unless it belongs to an open list (a select's or autocomplete's popover),
// decided in the capture phase, before that list closes itself.
export function onEscape(id, target) {
    const element = document.getElementById(id);
    if (!element) {
        return { dispose: () => { } };
    }
    const handler = event => {
        if (event.key !== "Escape") {
            return;
        }
        const listOpen = document.querySelector(".mud-popover-open") !== null
            || (event.target instanceof Element && event.target.getAttribute("aria-expanded") === "true");
        if (!listOpen) {
            // MudBlazor's boxes take their value on "change" (blur or Enter): a key that acts on the whole form must see
            // what was typed a moment ago. The change travels over the circuit before the call below, in order.
            commitTyping(element);
            target.invokeMethodAsync("EscapePressed");
        }
    };
    element.addEventListener("keydown", handler, true);
    return { dispose: () => element.removeEventListener("keydown", handler, true) };
}

// The console's keyboard shortcuts, outside text boxes: "g c" / "g o" (go to customers / orders, the second key within
// 1.5 s) and "?" (show the shortcuts). "/" belongs to the app bar's search (onSearchShortcut).
export function onShortcuts(target) {
    let pendingG = 0;
    const handler = event => {
        const typing = event.target instanceof HTMLElement &&
            (event.target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName));
        if (typing || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented
            || document.querySelector(".mud-dialog-container") !== null) {
            pendingG = 0;
            return;
        }
        if (event.key === "?") {
            event.preventDefault();
            pendingG = 0;
            target.invokeMethodAsync("ShowShortcuts");
            return;
        }
        if (pendingG && Date.now() - pendingG < 1500 && (event.key === "c" || event.key === "o")) {
            event.preventDefault();
            pendingG = 0;
            target.invokeMethodAsync("Go", event.key === "c" ? "customers" : "orders");
            return;
        }
        pendingG = event.key === "g" ? Date.now() : 0;
    };
    document.addEventListener("keydown", handler);
    return { dispose: () => document.removeEventListener("keydown", handler) };
}

// The skip link: moves focus (not only the scroll position) to the page's main content.
export function skipToMain() {
    const main = document.getElementById("main-content");
    if (main) {
        main.focus();
    }
}

// Focus on the first element matching the selector (an input that replaced its face: Faces.cs; a row's tick box
// drawn again), unless the person has moved on meanwhile: only when the focus was lost with the element it was on.
export function focusFirst(selector) {
    const active = document.activeElement;
    if (!active || active === document.body) {
        document.querySelector(selector)?.focus({ preventScroll: true });
    }
}
