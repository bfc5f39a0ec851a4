"use strict";
importScripts("{{ push_script }}");
// Aftermath's service worker (rendered by checkins.offline.service_worker, served at /sw.js so
// that its scope is the whole site).
//
// What it keeps on the phone, and why:
// - The app shell (CSS, our scripts, htmx, the icons, the manifest, the offline page): cache
//   first, so a repeat visit paints from the phone. Versioned: a deploy that changes any of
//   them changes CONFIG.version, and the new worker drops the old copies.
// - The check-in page: network first; the phone's copy without a connection, or when the
//   network has not answered in 4 s (one bar of signal), so it opens offline, installed or
//   not. It is an empty form: of the runner's data it shows only the "Same as last run"
//   offers (at worst one run behind, offered, never stored unconfirmed); its script gives
//   the copy a new idempotency key and finish time. A page filled in from a watch file
//   (sent with "Aftermath-Phone-Copy: never") is never kept. A copy belongs to the runner who was
//   logged in: the pages drop it when another runner, or nobody, is logged in (offline.js).
// - Nothing else. Pages that show a runner's data (home, history, a run, its follow-up, the
//   report, your data, settings) are never kept: they must not be seen stale after a change.
//   Without a connection they show the offline page, which links to the check-in page.
// - POSTs are never answered here: a check-in that cannot be sent goes into the outbox
//   (static/js/outbox.js, IndexedDB) and is sent by the page, or here by Background Sync.
importScripts("{{ outbox_script }}");

const CONFIG = {{ config|safe }};
const SHELL = "aftermath-shell-" + CONFIG.version;
const PAGES = "aftermath-pages-" + CONFIG.version;
const CHECKIN_PATIENCE_MS = 4000;

// The check-in page as the runner's session shows it; only a real page is kept, never a
// log-in page it was redirected to. One write at a time, in the order they were asked for
// (a page's request for a plain copy comes after the navigation that served the page).
let writing = Promise.resolve();
function keepCheckinPage(response) {
  const write = async () => {
    if (!response || !response.ok || response.redirected || response.type !== "basic") return;
    // Filled in from a file. Not Cache-Control: every signed-in page is no-store for HTTP caches.
    if (response.headers.get("Aftermath-Phone-Copy") === "never") return;
    const cache = await caches.open(PAGES);
    await cache.put(CONFIG.checkin, response);
  };
  writing = writing.then(write, write);
  return writing;
}

function fetchCheckinPage() {
  const fetched = writing.then(() => fetch(CONFIG.checkin, { credentials: "same-origin" }));
  // Offline or logged out: kept on the next visit.
  return fetched.then(keepCheckinPage).catch(() => {});
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(CONFIG.shell)).then(fetchCheckinPage).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(
      names.filter((name) => name.startsWith("aftermath-") && name !== SHELL && name !== PAGES).map((name) => caches.delete(name))
    );
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

function network(event) {
  return Promise.resolve(event.preloadResponse).then((preloaded) => preloaded || fetch(event.request));
}

async function offlinePage() {
  return (await caches.match(CONFIG.offline)) || Response.error();
}

async function navigate(event, url) {
  if (url.pathname === CONFIG.checkin) {
    const kept = () => caches.match(CONFIG.checkin, { cacheName: PAGES });
    const fresh = network(event);
    event.waitUntil(fresh.then((response) => keepCheckinPage(response.clone())).catch(() => {}));
    // One bar of signal: after a few seconds the phone's copy, the same empty form (the page's
    // script gives it a new key and time); the network's answer still renews the copy.
    const patience = new Promise((resolve) => setTimeout(resolve, CHECKIN_PATIENCE_MS)).then(kept);
    try {
      return await Promise.race([fresh, patience.then((copy) => copy || fresh)]);
    } catch (error) {
      return (await kept()) || offlinePage();
    }
  }
  try {
    return await network(event);
  } catch (error) {
    return offlinePage();
  }
}

async function fromShell(event) {
  const kept = await caches.match(event.request, { cacheName: SHELL });
  if (kept && !CONFIG.debug) return kept;
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    if (kept) return kept;
    throw error;
  }
  if (response.ok) {
    const copy = response.clone();
    event.waitUntil(caches.open(SHELL).then((cache) => cache.put(event.request, copy)));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(fromShell(event));
  }
  // Anything else (htmx parts, the outbox's token) goes to the network as usual.
});

self.addEventListener("message", (event) => {
  // A page after a log-in: keep this runner's check-in page for offline use.
  if (event.data && event.data.type === "keep-checkin") event.waitUntil(fetchCheckinPage());
});

async function tellPages() {
  const pages = await self.clients.matchAll({ type: "window" });
  pages.forEach((page) => page.postMessage({ type: "outbox" }));
}

// Background Sync: the browser wakes this worker when the connection returns.
self.addEventListener("sync", (event) => {
  if (event.tag !== AftermathOutbox.SYNC_TAG) return;
  event.waitUntil(AftermathOutbox.flush(CONFIG.token).then(tellPages));
});
