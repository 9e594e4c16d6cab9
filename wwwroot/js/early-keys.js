// Typing before the page is interactive. A console page shows prerendered HTML first; its inputs work only once the
// circuit has started and rendered the page again (which replaces those elements). Loaded in the page's head, before
// anything shows, this keeps what a person does meanwhile: "/" puts the cursor in the app bar's search (at once, or
// as soon as the search is in the page), text typed into a box is remembered, and Enter is held. When the page is
// interactive (CommerceManager.lib.module.js calls interactive()), each remembered box gets its text back as if typed
// (input and change events), the box that had the focus gets it back, and a held Enter submits its form (or is
// pressed again in the box).
(() => {
    "use strict";
    const state = { interactive: false, slash: false, typed: new Map(), focused: null, enter: null };

    const isTextBox = element =>
        (element instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit", "hidden"].includes(element.type))
        || element instanceof HTMLTextAreaElement;

    const focusSearch = () => {
        const search = document.getElementById("global-search");
        if (search) {
            search.focus();
            state.slash = false;
        }
        return !!search;
    };

    // "/" is heard here for the page's whole life: before the page is interactive, and in the moment after it, until
    // the app bar's own shortcut (console.js, onSearchShortcut) is listening too.
    const onKey = event => {
        if (event.ctrlKey || event.metaKey || event.altKey) {
            return;
        }
        const target = event.target;
        if (event.key === "/" && !isTextBox(target) && !(target instanceof HTMLElement && target.isContentEditable)) {
            event.preventDefault();
            if (!focusSearch()) {
                state.slash = true;
            }
            return;
        }
        if (!state.interactive && event.key === "Enter" && isTextBox(target) && target.id) {
            // A prerendered form would submit to the server as a page load: hold the Enter for the interactive page.
            event.preventDefault();
            state.enter = target.id;
        }
    };

    const onInput = event => {
        if (!state.interactive && isTextBox(event.target) && event.target.id) {
            state.typed.set(event.target.id, { element: event.target, value: event.target.value });
        }
    };

    const onFocus = event => {
        if (!state.interactive && isTextBox(event.target) && event.target.id) {
            state.focused = { id: event.target.id, element: event.target };
        }
    };

    document.addEventListener("keydown", onKey, true);
    document.addEventListener("input", onInput, true);
    document.addEventListener("focusin", onFocus, true);
    document.addEventListener("DOMContentLoaded", () => {
        if (state.slash) {
            focusSearch();
        }
    });

    const giveBack = () => {
        for (const [id, { value }] of state.typed) {
            const box = document.getElementById(id);
            if (box && box.value !== value) {
                box.value = value;
                box.dispatchEvent(new Event("input", { bubbles: true }));
                box.dispatchEvent(new Event("change", { bubbles: true }));
            }
        }
        const focus = state.focused && document.getElementById(state.focused.id);
        if (focus) {
            focus.focus();
            if (typeof focus.setSelectionRange === "function" && focus.value) {
                focus.setSelectionRange(focus.value.length, focus.value.length);
            }
        }
        const enter = state.enter && document.getElementById(state.enter);
        if (enter?.form) {
            // A search form: submitted as Enter would have (its text reached .NET first: events keep their order).
            enter.form.requestSubmit();
        } else if (enter) {
            enter.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true, cancelable: true }));
            enter.dispatchEvent(new KeyboardEvent("keyup", { key: "Enter", code: "Enter", bubbles: true, cancelable: true }));
        }
        state.typed.clear();
        state.focused = null;
        state.enter = null;
    };

    window.commerceManagerEarlyKeys = {
        // The circuit has started: stop holding keys, and give back what was typed once the interactive render has
        // replaced the boxes (or after a moment, if it kept them).
        interactive() {
            state.interactive = true;
            document.removeEventListener("input", onInput, true);
            document.removeEventListener("focusin", onFocus, true);
            if (state.typed.size === 0 && !state.focused && !state.enter) {
                return;
            }
            const started = performance.now();
            const ids = new Set([...state.typed.keys(), ...(state.focused ? [state.focused.id] : [])]);
            const waitForRender = () => {
                const replaced = [...ids].every(id => {
                    const now = document.getElementById(id);
                    const before = state.typed.get(id)?.element ?? state.focused?.element;
                    return now && now !== before;
                });
                if (!replaced && performance.now() - started < 1500) {
                    requestAnimationFrame(waitForRender);
                    return;
                }
                giveBack();
            };
            requestAnimationFrame(waitForRender);
        },
    };
})();
