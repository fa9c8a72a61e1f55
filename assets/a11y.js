/* Accessibility repairs for what Dash's own components render (checked by axe-core in
 * tests/test_pages_everywhere_browser.py):
 *
 * - Dash 4's dcc.Dropdown takes keyboard focus on an <input> it marks aria-hidden (so a screen
 *   reader hears nothing, and axe reports "aria-hidden-focus"). The input becomes what it acts
 *   as: a combobox named like the dropdown (its <label for=…> and its value), expanded when the
 *   list is open.
 * - dcc.Upload's file <input> has no name: it takes the drop zone's visible text.
 *
 * Runs on every change of the page (a MutationObserver), since Dash draws pages after load.
 */
(function () {
    if (window.odskA11y) {
        return;
    }
    window.odskA11y = true;

    function set(el, name, value) {
        if (el.getAttribute(name) !== value) {
            el.setAttribute(name, value);  // only on change: this runs from a MutationObserver
        }
    }

    function repairDropdown(input) {
        const button = input.nextElementSibling;
        if (!button || !button.id) {
            return;
        }
        if (input.hasAttribute("aria-hidden")) {
            input.removeAttribute("aria-hidden");
        }
        set(input, "role", "combobox");
        set(input, "aria-haspopup", "listbox");
        set(input, "aria-expanded", button.getAttribute("aria-expanded") || "false");
        const ids = [];
        const label = document.querySelector('label[for="' + button.id + '"]');
        if (label) {
            if (!label.id) {
                label.id = button.id + "-label";
            }
            ids.push(label.id);
        }
        ids.push(...(button.getAttribute("aria-labelledby") || "").split(" ").filter((id) => document.getElementById(id)));
        if (ids.length) {
            set(input, "aria-labelledby", ids.join(" "));
        }
    }

    function repairUpload(input) {
        const zone = input.parentElement;
        const text = zone ? zone.innerText.trim() : "";
        if (text) {
            set(input, "aria-label", text);
        }
    }

    function repair(root) {
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(repairDropdown);
        root.querySelectorAll('input[type="file"]:not([aria-label]):not([id])').forEach(repairUpload);
    }

    let pending = false;
    new MutationObserver(() => {
        // The wall (#wall-root) has neither dropdowns nor uploads: leave its every-second
        // updates alone.
        if (!pending && !document.getElementById("wall-root")) {
            pending = true;
            requestAnimationFrame(() => {
                pending = false;
                repair(document);
            });
        }
    }).observe(document.documentElement, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["aria-expanded"],
    });
})();
