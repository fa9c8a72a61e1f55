/* Clientside callbacks of the video wall (no server round trip). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    odsk: Object.assign({}, (window.dash_clientside || {}).odsk, {
        // The WITA clock: 24-hour time and the long date, in the wall's language.
        wallClock: function (_tick, lang) {
            const locale = lang === "en" ? "en-GB" : "id-ID";
            const now = new Date();
            const time = new Intl.DateTimeFormat(locale, {
                timeZone: "Asia/Makassar", hour: "2-digit", minute: "2-digit",
                second: "2-digit", hourCycle: "h23"
            }).format(now);
            const day = new Intl.DateTimeFormat(locale, {
                timeZone: "Asia/Makassar", weekday: "long", day: "numeric",
                month: "long", year: "numeric"
            }).format(now);
            return [time + " WITA", day];
        }
    })
});
