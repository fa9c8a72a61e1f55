/* Access control in the browser (the decisions are the server's: dashboard/access/guard.py).
 *
 * - On a wall opened with ?device=TOKEN, every Dash callback request carries the token in the
 *   X-ODSK-Device header: an enrolled screen needs no person signed in.
 * - A callback the server refuses (401/403 with {"odsk": {code, message}}) shows its message:
 *   on a wall, a revoked token turns the screen into the "not enrolled" notice; elsewhere a
 *   banner at the top says what was refused (nothing was changed).
 */
(function () {
    if (window.odskAccess) {
        return;
    }
    const original = window.fetch.bind(window);
    const params = new URLSearchParams(window.location.search);
    const device = params.get("device");
    const lang = params.get("lang") === "en" ? "en" : "id";

    function box(id, className) {
        let found = document.getElementById(id);
        if (!found) {
            found = document.createElement("div");
            found.id = id;
            found.className = className;
            found.setAttribute("role", "alert");
            document.body.appendChild(found);
        }
        return found;
    }

    function show(payload) {
        const message = (payload.message && (payload.message[lang] || payload.message.id)) || "";
        if (payload.code === "unenrolled") {
            document.documentElement.classList.add("wall-unenrolled");
            box("odsk-unenrolled", "odsk-unenrolled").textContent = message;
            return;
        }
        const denied = box("odsk-denied", "odsk-denied alert alert-danger shadow");
        denied.textContent = message;
        denied.dataset.code = payload.code || "";
        clearTimeout(denied.odskTimer);
        denied.odskTimer = setTimeout(function () { denied.remove(); }, 15000);
    }

    window.fetch = function (input, init) {
        const url = typeof input === "string" ? input : (input && input.url) || "";
        if (url.indexOf("_dash-update-component") < 0) {
            return original(input, init);
        }
        let options = init || {};
        if (device) {
            const headers = new Headers(options.headers || {});
            headers.set("X-ODSK-Device", device);
            options = Object.assign({}, options, {headers: headers});
        }
        return original(input, options).then(function (response) {
            if (response.ok && document.documentElement.classList.contains("wall-unenrolled")) {
                // Answered again (the screen enrolled anew, or a passing fault): back to the wall.
                document.documentElement.classList.remove("wall-unenrolled");
                const notice = document.getElementById("odsk-unenrolled");
                if (notice) {
                    notice.remove();
                }
            }
            if (response.status === 401 || response.status === 403) {
                response.clone().json().then(function (body) {
                    if (body && body.odsk) {
                        show(body.odsk);
                    }
                }, function () {});
            }
            return response;
        });
    };

    window.odskAccess = {show: show, device: device};
})();
