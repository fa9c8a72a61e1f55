/* The video wall's clock: 24-hour WITA time and the long date, in the wall's language
 * (called each second by assets/wall_rotation.js; formatters made once per language). */
(function () {
    const formats = {};

    window.odskWallClock = function (lang) {
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
        const now = new Date();
        return [formats[locale][0].format(now) + " WITA", formats[locale][1].format(now)];
    };
})();
