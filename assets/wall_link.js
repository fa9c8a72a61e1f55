/* The video wall's link to the server (only on pages with a wall; every other page is left alone).
 *
 * - Watches the Dash callback requests: a request that cannot reach the server (network error,
 *   502/503/504, or no answer within REQUEST_TIMEOUT_MS) marks the page offline and shows the
 *   "reconnecting" banner (CSS: html.wall-offline); the next answer clears it. Dash keeps polling,
 *   so the wall recovers by itself once the server is back.
 * - Never reloads into an error page: a reload (ordered by an admin, or because a deploy changed
 *   the wall) waits until the page's own URL answers 200, and happens at most once a minute.
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
    let reloading = false;

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

    function reloadWhenReachable() {
        if (reloading) {
            return;
        }
        reloading = true;
        const last = Number(window.sessionStorage.getItem(RELOADED_KEY) || 0);
        const attempt = function () {
            original(window.location.href, {cache: "no-store"}).then(function (response) {
                if (response.ok) {
                    window.sessionStorage.setItem(RELOADED_KEY, String(Date.now()));
                    window.location.reload();
                } else {
                    setTimeout(attempt, RETRY_MS);
                }
            }, function () { setTimeout(attempt, RETRY_MS); });
        };
        setTimeout(attempt, Math.max(0, last + MIN_RELOAD_GAP_MS - Date.now()));
    }

    window.odskWall = {
        reload: reloadWhenReachable,
        offlineSince: function () { return offlineSince; },
        offlineCount: function () { return offlineCount; }
    };
})();
