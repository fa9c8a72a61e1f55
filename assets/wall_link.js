/* The video wall's link to the server (only on pages with a wall; every other page is left alone).
 *
 * - Watches the Dash callback requests: a request that cannot reach the server (network error,
 *   502/503/504, or no answer within REQUEST_TIMEOUT_MS) marks the page offline and shows the
 *   "reconnecting" banner (CSS: html.wall-offline); the next answer clears it. Dash keeps polling,
 *   so the wall recovers by itself once the server is back.
 * - Never reloads into an error page: a reload (ordered by an admin, or because a deploy changed
 *   the wall) waits until the page's own URL answers 200, and happens at most once a minute
 *   (by window.odskClock, so that a test can move the minute on instead of waiting it out).
 */
(function () {
    if (window.odskWall) {
        return;
    }
    const REQUEST_TIMEOUT_MS = 20000;
    const RETRY_MS = 10000;
    const MIN_RELOAD_GAP_MS = 60000;
    const RELOADED_KEY = "odsk-wall-reloaded-at";
    const original = window.fetch.bind(window);
    let offlineSince = null;
    let offlineCount = 0;
    let reloadAt = null; // when the ordered reload may happen (odskClock ms)
    let trying = false;

    function isWall() {
        return document.getElementById("wall-root") !== null;
    }

    function mark(reachable) {
        const root = document.documentElement;
        if (reachable) {
            if (offlineSince !== null) {
                offlineSince = null;
                root.classList.remove("wall-offline");
            }
        } else if (offlineSince === null) {
            offlineSince = Date.now();
            offlineCount += 1;
            root.classList.add("wall-offline");
        }
    }

    window.fetch = function (input, init) {
        const url = typeof input === "string" ? input : (input && input.url) || "";
        if (url.indexOf("_dash-update-component") < 0 || !isWall()) {
            return original(input, init);
        }
        const controller = new AbortController();
        const timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
        const options = Object.assign({}, init || {}, {signal: controller.signal});
        return original(input, options).then(function (response) {
            clearTimeout(timer);
            mark([502, 503, 504].indexOf(response.status) < 0);
            return response;
        }, function (error) {
            clearTimeout(timer);
            mark(false);
            throw error;
        });
    };

    function clock() {
        return window.odskClock.now();
    }

    // Checked every second and whenever the clock is moved on: is a reload due, and may it go?
    function reloadIfDue() {
        if (reloadAt === null || trying || clock() < reloadAt) {
            return;
        }
        trying = true;
        original(window.location.href, {cache: "no-store"}).then(function (response) {
            trying = false;
            if (response.ok) {
                window.sessionStorage.setItem(RELOADED_KEY, String(clock()));
                window.location.reload();
            } else {
                reloadAt = clock() + RETRY_MS;
            }
        }, function () {
            trying = false;
            reloadAt = clock() + RETRY_MS;
        });
    }

    function reloadWhenReachable() {
        if (reloadAt !== null) {
            return;
        }
        let last = Number(window.sessionStorage.getItem(RELOADED_KEY) || 0);
        if (!(last <= clock())) {
            last = 0; // unreadable, or from a clock that has since been set back
        }
        reloadAt = Math.max(clock(), last + MIN_RELOAD_GAP_MS);
        reloadIfDue();
    }

    setInterval(reloadIfDue, 1000);
    window.odskClock.onAdvance(reloadIfDue);

    window.odskWall = {
        reload: reloadWhenReachable,
        reloadAt: function () { return reloadAt; },
        offlineSince: function () { return offlineSince; },
        offlineCount: function () { return offlineCount; }
    };
})();
