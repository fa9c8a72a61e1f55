/* The video wall's rotation and clock, in plain JavaScript so they need neither the server
 * nor a Dash callback each second: playlists with dwell times, the time-of-day schedule (WITA),
 * a pinned screen, arrow keys, and the emergency takeover (which holds the playlist and resumes
 * it after its time). The plan is the root's data-plan (dashboard/views/wall_plan.py, plan_data).
 *
 * Only classes and texts that React never sets after the first render are touched (a screen's
 * "is-active", the screen name, position, countdown and clock), so Dash's redraws of the
 * screens' contents and these updates never fight. */
(function () {
    if (window.odskWallRotation) {
        return;
    }
    const TICK_MS = 1000;
    const WITA_OFFSET_MS = 8 * 3600 * 1000; // Asia/Makassar: UTC+8, no daylight saving
    const KEYS = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
    const DEVICE_KEY = "odsk-wall-device";
    const wall = {root: null, plan: null, rot: null, pendingStep: 0, takeover: null, lastTakeover: null};

    function witaNow(now) {
        const d = new Date(now + WITA_OFFSET_MS);
        return {weekday: (d.getUTCDay() + 6) % 7, minute: d.getUTCHours() * 60 + d.getUTCMinutes()};
    }

    // Same rule as Slot.covers in dashboard/wall_config.py: an overnight slot belongs to the day it starts.
    function covers(slot, when) {
        const start = slot[1], end = slot[2], days = slot[3];
        if (start < end) {
            return days.indexOf(when.weekday) >= 0 && when.minute >= start && when.minute < end;
        }
        if (when.minute >= start) {
            return days.indexOf(when.weekday) >= 0;
        }
        return when.minute < end && days.indexOf((when.weekday + 6) % 7) >= 0;
    }

    function scheduled(plan, now) {
        if (plan.pinnedScreen) {
            return null;
        }
        if (plan.pinnedPlaylist) {
            return plan.pinnedPlaylist;
        }
        const when = witaNow(now);
        for (const slot of plan.schedule) {
            if (covers(slot, when)) {
                return slot[0];
            }
        }
        return plan["default"];
    }

    function itemsOf(plan, name) {
        if (plan.pinnedScreen) {
            return [[plan.pinnedScreen, 3600 * 1000]];
        }
        return plan.playlists[name] || plan.playlists[plan["default"]] || [[plan.initial.screen, 60000]];
    }

    function mod(n, m) {
        return ((n % m) + m) % m;
    }

    function mmss(ms) {
        const s = Math.max(0, Math.ceil(ms / 1000));
        return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    }

    /* The next rotation state (a pure function of the plan, the previous state, the time,
     * a key step and a takeover report from the server). */
    function decide(plan, prev, now, keyStep, takeover) {
        const next = Object.assign({}, prev || {});
        if (next.started === undefined) {
            next.playlist = plan.pinnedScreen ? null : plan.initial.playlist;
            next.index = mod(plan.start || 0, itemsOf(plan, next.playlist).length);
            next.started = now;
            next.until = 0;
            next.taking = false;
        }
        const playlist = scheduled(plan, now);
        if (!plan.pinnedScreen && playlist !== next.playlist) {
            next.playlist = playlist;
            next.index = 0;
            next.started = now;
        }
        const list = itemsOf(plan, next.playlist);
        if (next.index >= list.length) {
            next.index = 0;
        }
        if (keyStep) {
            next.index = mod(next.index + keyStep, list.length);
            next.started = now;
        }
        if (takeover) {
            // The server says how long is left; counted on this browser's own clock.
            next.until = takeover.keys.length ? now + takeover.remaining_ms : 0;
        }
        const taking = now < next.until;
        if (taking !== next.taking) {
            next.taking = taking;
            if (!taking) {
                next.started = now; // the playlist resumes with a full dwell
            }
        }
        if (!taking && now - next.started >= list[next.index][1]) {
            next.index = (next.index + 1) % list.length;
            next.started = now;
        }
        next.screen = list[next.index][0];
        next.count = list.length;
        return next;
    }

    function setText(id, text) {
        const el = document.getElementById(id);
        if (el && el.textContent !== text) {
            el.textContent = text;
        }
    }

    function apply(root, plan, next, prev, now) {
        const moved = !prev || next.screen !== prev.screen || next.index !== prev.index
            || next.playlist !== prev.playlist;
        if (moved) {
            for (const section of root.querySelectorAll(".wall-screen")) {
                section.classList.toggle("is-active", section.dataset.screen === next.screen);
            }
            setText("wall-position", next.count > 1 ? (next.index + 1) + "/" + next.count : "");
        }
        if (moved || !prev || next.taking !== prev.taking) {
            setText("wall-screen-name", next.taking ? plan.takeoverName : (plan.labels[next.screen] || next.screen));
            const box = document.getElementById("wall-takeover-box");
            if (box) {
                box.classList.toggle("is-active", next.taking);
            }
        }
        setText("wall-takeover-countdown", next.taking ? plan.takeoverText.replace("{time}", mmss(next.until - now)) : "");
    }

    function tick() {
        const root = document.getElementById("wall-root");
        if (root === null) {
            wall.root = null;
            return;
        }
        if (root !== wall.root) { // a new wall page (also after a client-side navigation)
            wall.root = root;
            wall.plan = JSON.parse(root.dataset.plan);
            wall.rot = null;
            window.odskClock.sync(wall.plan.serverNow);
        }
        const now = window.odskClock.now();
        const next = decide(wall.plan, wall.rot, now, wall.pendingStep, wall.takeover);
        wall.pendingStep = 0;
        wall.takeover = null;
        apply(root, wall.plan, next, wall.rot, now);
        wall.rot = next;
        if (window.odskWallClock) {
            const [time, day] = window.odskWallClock(root.getAttribute("lang"), now);
            setText("wall-clock-time", time);
            setText("wall-clock-date", day);
        }
    }

    function deviceId(plan) {
        if (plan && plan.device) {
            return plan.device;
        }
        let id = null;
        try {
            id = window.localStorage.getItem(DEVICE_KEY);
            if (!id) {
                id = "wall-" + Math.random().toString(16).slice(2, 8);
                window.localStorage.setItem(DEVICE_KEY, id);
            }
        } catch (e) {
            id = "wall-anonymous";
        }
        return id;
    }

    document.addEventListener("keydown", function (event) {
        const step = KEYS[event.key];
        if (!step || wall.root === null) {
            return;
        }
        event.preventDefault();
        wall.pendingStep += step;
        tick();
    });

    setInterval(tick, TICK_MS);
    window.odskClock.onAdvance(tick);

    window.odskWallRotation = {
        decide: decide,
        state: function () { return wall.rot; },
        plan: function () { return wall.plan; },
        lastTakeover: function () { return wall.lastTakeover; },
        takeover: function (data) {
            if (data) {
                wall.takeover = data;
                wall.lastTakeover = data;
                tick();
            }
        },
        deviceId: deviceId
    };

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        odskWall: {
            // The server's word on what takes over and for how long.
            takeover: function (data) {
                if (data && data.at) {
                    window.odskClock.sync(data.at / 1e6); // the server's time when it decided
                }
                window.odskWallRotation.takeover(data);
                return window.dash_clientside.no_update;
            },

            beatPayload: function (n, lang) {
                if (!wall.rot) {
                    tick();
                }
                const r = wall.rot || {};
                const memory = window.performance && window.performance.memory;
                const link = window.odskWall;
                return {
                    device: deviceId(wall.plan), w: window.innerWidth, h: window.innerHeight,
                    dpr: window.devicePixelRatio, playlist: r.playlist, screen: r.screen, index: r.index,
                    path: window.location.pathname + window.location.search, lang: lang, takeover: !!r.taking,
                    heap_mb: memory ? Math.round(memory.usedJSHeapSize / 104857.6) / 10 : null,
                    loaded_at: Math.round(window.performance.timeOrigin),
                    offline_count: link ? link.offlineCount() : 0,
                    fingerprint: wall.plan ? wall.plan.fingerprint : null, n: n
                };
            },

            obey: function (command) {
                if (command && command.commands && command.commands.indexOf("reload") >= 0 && window.odskWall) {
                    window.odskWall.reload();
                }
                return window.dash_clientside.no_update;
            }
        }
    });
})();
