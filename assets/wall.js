/* The video wall's clock.
 *
 * window.odskClock: the time every wall script goes by (rotation, schedule, takeover countdown,
 * reload spacing, the clock on screen). It follows the server, not the wall PC: the page brings
 * the server's time (the plan's serverNow) and the offset is kept, so a wall PC whose clock is
 * wrong still rotates by the province's schedule. freeze() and advance() are the test hook that
 * replaces waiting: a test stops the clock and moves it on by exactly what it wants to check.
 *
 * window.odskWallClock: 24-hour WITA time and the long date in the wall's language (called
 * each second by assets/wall_rotation.js; formatters made once per language). */
(function () {
    if (!window.odskClock) {
        let offset = 0; // server minus browser, in ms
        let skew = 0; // moved on by advance()
        let frozenAt = null;
        const listeners = [];
        window.odskClock = {
            now: function () {
                return (frozenAt === null ? Date.now() + offset : frozenAt) + skew;
            },
            sync: function (serverMs) {
                if (typeof serverMs === "number" && isFinite(serverMs) && frozenAt === null) {
                    offset = Math.round(serverMs - Date.now());
                }
            },
            freeze: function () {
                if (frozenAt === null) {
                    frozenAt = Date.now() + offset;
                }
                return window.odskClock.now();
            },
            advance: function (ms) {
                skew += ms;
                for (const listener of listeners) {
                    listener();
                }
                return window.odskClock.now();
            },
            onAdvance: function (listener) {
                listeners.push(listener);
            }
        };
    }

    const formats = {};

    window.odskWallClock = function (lang, now) {
        const locale = lang === "en" ? "en-GB" : "id-ID";
        if (!formats[locale]) {
            formats[locale] = [
                new Intl.DateTimeFormat(locale, {
                    timeZone: "Asia/Makassar", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
                }),
                new Intl.DateTimeFormat(locale, {
                    timeZone: "Asia/Makassar", weekday: "long", day: "numeric", month: "long", year: "numeric"
                })
            ];
        }
        const when = new Date(now === undefined ? window.odskClock.now() : now);
        return [formats[locale][0].format(when) + " WITA", formats[locale][1].format(when)];
    };
})();
