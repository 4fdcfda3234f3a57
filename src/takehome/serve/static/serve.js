// takehome serve: keep this page up to date with the builds, without reloading it.
// The server says when anything changed (a WebSocket; polling if that fails); the page then
// fetches itself again and swaps in the parts marked data-live, once their pictures are loaded.
"use strict";
(() => {
  const body = document.body;
  let version = Number(body.dataset.version);
  let view = body.dataset.view ? JSON.parse(body.dataset.view) : null;
  let fetching = false;
  let again = false;

  const liveIds = (root) => [...root.querySelectorAll("[data-live]")].map((el) => el.id).join(" ");

  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (liveIds(fresh) !== liveIds(document)) { location.reload(); return; }
      // Load the new pictures before showing them, so pages never flash empty.
      const shownFirst = fresh.querySelectorAll("[data-live] img:not([loading=lazy])");
      await Promise.all([...shownFirst].map((img) => {
        const probe = new Image();
        probe.src = img.getAttribute("src");
        return probe.decode().catch(() => undefined);
      }));
      for (const el of document.querySelectorAll("[data-live]")) {
        const replacement = fresh.getElementById(el.id);
        if (replacement && replacement.outerHTML !== el.outerHTML) {
          el.replaceWith(document.adoptNode(replacement));
        }
      }
      version = Number(fresh.body.dataset.version);
      body.dataset.version = String(version);
    } catch (error) {
      // The server may be restarting; the next message or poll tries again.
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }

  function changed(next) {
    if (next !== version) refresh();
  }

  let polling = null;
  function poll() {
    if (polling) return;
    polling = setInterval(async () => {
      try {
        const response = await fetch("/api/version", { credentials: "same-origin", cache: "no-store" });
        if (response.ok) changed((await response.json()).version);
      } catch (error) { /* not reachable now; try again */ }
    }, 1000);
  }

  let socket = null;
  function tell() {
    if (view && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(view));
  }

  function connect(attempt) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    try {
      socket = new WebSocket(`${scheme}//${location.host}/ws`);
    } catch (error) { poll(); return; }
    let opened = false;
    socket.addEventListener("open", () => { opened = true; tell(); });
    socket.addEventListener("message", (event) => changed(JSON.parse(event.data).version));
    socket.addEventListener("close", () => {
      // Never opened: WebSockets do not get through here, so ask every second instead.
      if (!opened || attempt > 5) { poll(); return; }
      setTimeout(() => connect(attempt + 1), 1000);
    });
  }

  // The tab in front is the one whose document is built first.
  document.addEventListener("visibilitychange", () => { if (!document.hidden) tell(); });
  window.addEventListener("focus", tell);

  // Pickers take effect as soon as they change; the Show button is for pages without scripts.
  const pickers = document.querySelector("form.pickers");
  if (pickers) {
    pickers.classList.add("auto");
    pickers.addEventListener("change", (event) => {
      if (event.target.name === "sheet") {
        for (const name of ["student", "lang"]) {
          const field = pickers.querySelector(`[name=${name}]`);
          if (field) field.disabled = true;
        }
      }
      pickers.requestSubmit();
    });
  }

  connect(0);
})();
