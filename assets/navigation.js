/* The desktop pages' navigation bar (layouts/shell.py): the menu button that folds the links on
 * narrow screens, and the search box (a WAI-ARIA combobox).
 *
 * Everything works by event delegation on the document, so it survives Dash redrawing a page
 * and needs neither a callback nor an inline script (the pages keep a strict CSP).
 *
 * Search: the index (dashboard/search.py) is fetched once, on first use, from the versioned
 * address in the search box's data-index. Every typed word must start a word of an entry's
 * terms (the same rule as search.matches in Python); labels that start with what was typed
 * come first. Keys: "/" focuses the box, Up/Down choose, Enter opens, Escape closes.
 */
(function () {
    if (window.odskNavigation) {
        return;
    }
    window.odskNavigation = true;
    const MAX_RESULTS = 12;
    const indexes = {};
    let active = -1;
    let shown = [];

    function fold(text) {
        return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
            .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    }

    function load(url) {
        if (!indexes[url]) {
            indexes[url] = fetch(url, { credentials: "same-origin" })
                .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
                .then((data) => {
                    data.entries.forEach((e) => { e.words = e.terms.split(" "); e.folded = fold(e.label); });
                    return data;
                })
                .catch((err) => { delete indexes[url]; throw err; });
        }
        return indexes[url];
    }

    function match(data, query) {
        const words = fold(query).split(" ").filter(Boolean);
        if (!words.length) {
            return [];
        }
        const head = fold(query);
        const found = data.entries.filter((e) => words.every((w) => e.words.some((t) => t.startsWith(w))));
        return found.filter((e) => e.folded.startsWith(head))
            .concat(found.filter((e) => !e.folded.startsWith(head)));
    }

    function parts(input) {
        const box = input.closest(".odsk-search");
        return {
            box: box,
            list: box.querySelector(".odsk-search-results"),
            status: box.querySelector("[role=status]"),
        };
    }

    function close(input) {
        const { list } = parts(input);
        list.hidden = true;
        list.replaceChildren();
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
        active = -1;
        shown = [];
    }

    function highlight(input, index) {
        const { list } = parts(input);
        const options = list.querySelectorAll("[role=option]");
        if (!options.length) {
            return;
        }
        active = (index + options.length) % options.length;
        options.forEach((o, i) => o.setAttribute("aria-selected", i === active ? "true" : "false"));
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
    }

    function render(input, data, results) {
        const { list, status } = parts(input);
        list.replaceChildren();
        shown = results.slice(0, MAX_RESULTS);
        if (!shown.length) {
            const li = document.createElement("li");
            li.className = "odsk-search-none";
            li.textContent = data.labels.none;
            list.appendChild(li);
        }
        shown.forEach((entry, i) => {
            const li = document.createElement("li");
            li.id = "nav-search-option-" + i;
            li.setAttribute("role", "option");
            li.setAttribute("aria-selected", "false");
            li.dataset.href = entry.href;
            const label = document.createElement("span");
            label.className = "odsk-search-label";
            label.textContent = entry.label;
            const hint = document.createElement("span");
            hint.className = "odsk-search-hint";
            hint.textContent = data.labels.kinds[entry.kind] + " · " + entry.hint;
            li.append(label, hint);
            list.appendChild(li);
        });
        list.hidden = false;
        list.dataset.query = input.value;  // what these results answer
        input.setAttribute("aria-expanded", "true");
        const template = results.length === 1 ? status.dataset.countOne : status.dataset.count;
        status.textContent = template.replace("{n}", String(results.length));
        active = -1;
        if (shown.length) {
            highlight(input, 0);
        }
    }

    function enhance(input) {
        if (input.getAttribute("role") !== "combobox") {
            input.setAttribute("role", "combobox");
            input.setAttribute("aria-autocomplete", "list");
            input.setAttribute("aria-controls", "nav-search-results");
            input.setAttribute("aria-expanded", "false");
        }
    }

    function update(input) {
        enhance(input);
        const { box } = parts(input);
        const query = input.value;
        if (!fold(query)) {
            close(input);
            return;
        }
        load(box.dataset.index).then((data) => {
            if (input.value === query) {
                render(input, data, match(data, query));
            }
        }).catch(() => close(input));
    }

    function open(href) {
        if (href) {
            window.location.assign(href);
        }
    }

    document.addEventListener("focusin", (event) => {
        if (event.target.id === "nav-search") {
            enhance(event.target);
        }
    });

    document.addEventListener("input", (event) => {
        if (event.target.id === "nav-search") {
            update(event.target);
        }
    });

    document.addEventListener("keydown", (event) => {
        const input = event.target.id === "nav-search" ? event.target : null;
        if (!input) {
            const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
            const search = document.getElementById("nav-search");
            if (event.key === "/" && !typing && search && !event.ctrlKey && !event.metaKey && !event.altKey) {
                event.preventDefault();
                search.focus();
            }
            return;
        }
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            if (!shown.length) {
                update(input);
                return;
            }
            highlight(input, active + (event.key === "ArrowDown" ? 1 : -1));
        } else if (event.key === "Enter") {
            event.preventDefault();
            if (shown.length) {
                open(shown[Math.max(active, 0)].href);
            }
        } else if (event.key === "Escape") {
            if (shown.length || !parts(input).list.hidden) {
                event.preventDefault();
                close(input);
            } else {
                input.value = "";
            }
        }
    });

    document.addEventListener("click", (event) => {
        const option = event.target.closest && event.target.closest(".odsk-search-results [role=option]");
        if (option) {
            open(option.dataset.href);
            return;
        }
        const toggler = event.target.closest && event.target.closest(".navbar-toggler");
        if (toggler) {
            const target = document.getElementById(toggler.getAttribute("aria-controls"));
            if (target) {
                const opening = !target.classList.contains("show");
                target.classList.toggle("show", opening);
                toggler.setAttribute("aria-expanded", opening ? "true" : "false");
            }
            return;
        }
        const search = document.getElementById("nav-search");
        if (search && !event.target.closest(".odsk-search")) {
            close(search);
        }
        // A click outside an open menu (domains, operations) closes it.
        document.querySelectorAll(".odsk-nav-group details[open]").forEach((d) => {
            if (!d.contains(event.target)) {
                d.open = false;
            }
        });
    });
})();
