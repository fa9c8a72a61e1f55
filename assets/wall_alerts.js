/* The wall's alert screen shows as many alerts as fit its size (layouts/wall_screens.py).
 *
 * The server sends up to 60 open alerts, grouped by severity; CSS flows them down as many
 * columns as the screen is wide. Here every row that does not fit whole is hidden (never
 * cut in half), and "+N lainnya" counts the hidden rows plus those the server did not send.
 * Runs every second and when the window changes size.
 */
(function () {
    if (window.odskWallAlerts) {
        return;
    }
    window.odskWallAlerts = true;

    function fit(list) {
        // Measure with every row in place, then take out (display: none) those that do not fit:
        // they come last in the flow, so taking them out moves none of the rows before them.
        const items = Array.from(list.querySelectorAll(":scope > li"));
        items.forEach((item) => item.classList.remove("is-cut"));
        const box = list.getBoundingClientRect();
        const cut = items.map((item) => {
            const r = item.getBoundingClientRect();
            return r.right > box.right + 1 || r.bottom > box.bottom + 1 || r.left < box.left - 1;
        });
        // A severity heading with no row of its own left visible after it goes too.
        items.forEach((item, i) => {
            if (item.classList.contains("alert-group-head") && (i + 1 >= items.length || cut[i + 1])) {
                cut[i] = true;
            }
        });
        let hidden = 0;
        items.forEach((item, i) => {
            if (cut[i]) {
                item.classList.add("is-cut");
                hidden += item.classList.contains("wall-alert-row") ? 1 : 0;
            }
        });
        const more = list.parentElement && list.parentElement.querySelector(".alerts-more");
        if (more) {
            const n = hidden + Number(list.dataset.unlisted || 0);
            const text = n > 0 ? (more.dataset.template || "+{n}").replace("{n}", String(n)) : "";
            if (more.textContent !== text) {
                more.textContent = text;
            }
        }
        list.dataset.shown = String(list.querySelectorAll(":scope > li.wall-alert-row:not(.is-cut)").length);
    }

    function fitAll() {
        document.querySelectorAll(".alert-list").forEach(fit);
    }

    // Once a second (the wall's own clock rate), and at once when the window changes size: a
    // redrawn list is fitted within a second. No MutationObserver: the wall changes its DOM every
    // second, and six walls on one canvas must stay cheap.
    setInterval(fitAll, 1000);
    window.addEventListener("resize", fitAll);
})();
