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
            target.invokeMethodAsync("EscapePressed");
        }
    };
    element.addEventListener("keydown", handler, true);
    return { dispose: () => element.removeEventListener("keydown", handler, true) };
}
