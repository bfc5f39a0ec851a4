// Offline first, on every page: the service worker, the outbox (outbox.js) sent when the
// connection returns, where each check-in is, and "Add to home screen".
(function () {
  "use strict";
  var data = document.documentElement.dataset;
  var runner = data.runner || "";  // only when logged in
  var outbox = window.AftermathOutbox;
  var canKeep = !!(outbox && window.indexedDB);
  var shown = [];  // sent while this page is open: "Sent" stays on it

  function store(name, value) {
    try {
      if (value === undefined) return localStorage.getItem(name);
      if (value === null) localStorage.removeItem(name); else localStorage.setItem(name, value);
    } catch (e) { return null; }
    return value;
  }

  // --- The service worker; its copy of the check-in page is this runner's, in these units
  if ("serviceWorker" in navigator && data.sw) {
    window.addEventListener("load", function () { navigator.serviceWorker.register(data.sw).catch(function () {}); });
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data && e.data.type === "outbox") render(); });
  }
  if (!("offlinePage" in data) && window.caches) {
    var whose = runner + " " + (data.units || ""), last = store("aftermath:runner") || "";
    var drop = last === whose ? Promise.resolve() : caches.keys().then(function (names) {
      return Promise.all(names.map(function (n) { return n.indexOf("aftermath-pages-") === 0 && caches.delete(n); }));
    });
    store("aftermath:runner", whose);
    if (runner && "serviceWorker" in navigator) {
      drop.then(function () { return navigator.serviceWorker.ready; }).then(function (reg) {
        return caches.match(data.checkin).then(function (kept) {
          if (!kept && reg.active) reg.active.postMessage({ type: "keep-checkin" });
        });
      }).catch(function () {});
    }
  }

  // --- What the outbox holds
  function line(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }
  function link(p, href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    p.append(" ", a);
    return p;
  }
  function render() {
    var box = document.getElementById("outbox-status");
    if (!box || !canKeep) return Promise.resolve();
    return outbox.all().then(function (items) {
      var count = { waiting: 0, login: 0, other: 0 }, parts = [];
      items.forEach(function (item) {
        var mine = runner && String(item.runner) === runner;  // no runner: the offline page
        if (item.state === "other" || (runner && !mine)) {  // never shown, opened or sent as another's
          if (item.state !== "sent") count.other++;
        } else if (item.state === "sent") {
          if (!mine || shown.some(function (s) { return s.key === item.key; })) return;
          shown.push(item);
          outbox.remove(item.key);
          noteSaved(item.key);
        } else if (item.state === "refused") {
          if (!mine) return count.other++;
          var p = line("alert alert-warning", "A check-in saved on this phone was not taken: some answers need a look.");
          var b = Object.assign(document.createElement("button"), { type: "button", className: "btn btn-link p-0 align-baseline", textContent: "Open it" });
          b.addEventListener("click", function () { reopen(item); });
          p.append(" ", b);
          parts.push(p);
        } else if (item.state === "login") {
          count.login++;
        } else {
          count.waiting++;
        }
      });
      shown.forEach(function (item) { parts.push(link(line("alert alert-success", "Sent."), item.runUrl, "See the run")); });
      if (count.waiting) {
        var what = count.waiting === 1 ? "Saved on this phone" : count.waiting + " check-ins saved on this phone";
        parts.push(line("alert alert-info", what + " — will be sent when you're online."));
      }
      if (count.login) {
        var ask = line("alert alert-warning", (count.login === 1 ? "A check-in is" : count.login + " check-ins are") + " saved on this phone, not sent yet: log in to send it.");
        if (data.login && location.pathname !== data.login) link(ask, data.login + "?next=" + encodeURIComponent(location.pathname), "Log in");
        parts.push(ask);
      }
      if (count.other) parts.push(line("small text-body-secondary", "A check-in saved on this phone is waiting for the runner who wrote it."));
      box.replaceChildren.apply(box, parts);
    }).catch(function () {});
  }

  function reopen(item) {  // back into the check-in page's draft (checkin.js), to save again
    var values = item.values.filter(function (pair) { return pair[0] !== "csrfmiddlewaretoken"; });
    store("aftermath:draft:new", JSON.stringify({ saved: Date.now(), values: values }));
    outbox.remove(item.key).then(function () { location.href = data.checkin; });
  }

  function sendWaiting() {
    if (!canKeep || !data.token) return render();
    return outbox.flush(data.token).catch(function () {}).then(render);
  }

  // A new check-in that could not be sent (no connection): kept, sent later. Resolves to
  // true when kept (checkin.js calls it).
  function keep(form) {
    if (!canKeep || !runner || form.dataset.draftKey !== "new") return Promise.resolve(false);
    var values = [];
    new FormData(form).forEach(function (value, name) { values.push([name, String(value)]); });
    var item = {
      key: form.elements.idempotency_key.value, runner: runner, units: data.units, action: form.getAttribute("action"),
      values: values, savedAt: Date.now(), state: "waiting",
    };
    return outbox.put(item).then(function () {
      if ("serviceWorker" in navigator) {
        navigator.serviceWorker.ready.then(function (reg) { return reg.sync && reg.sync.register(outbox.SYNC_TAG); }).catch(function () {});
      }
      return render().then(function () { return true; });
    }, function () { return false; });
  }

  // --- "Add to home screen", after the second saved check-in, until dismissed
  var installPrompt = null, justSaved = false;
  function noteSaved(key) {
    var keys = JSON.parse(store("aftermath:saved-keys") || "[]");
    if (keys.indexOf(key) === -1) keys = keys.concat([key]).slice(-5);
    store("aftermath:saved-keys", JSON.stringify(keys));
    justSaved = true;
    offerInstall();
  }
  function offerInstall() {
    var keys = JSON.parse(store("aftermath:saved-keys") || "[]"), main = document.getElementById("main");
    if (!installPrompt || !justSaved || keys.length < 2 || store("aftermath:install-dismissed")) return;
    // Never beside a red flag, never twice on a page: at the end, after the run's advice.
    if (!main || document.querySelector("[data-flag], #install-offer")) return;
    var offer = line("install-offer", "Open Aftermath from your home screen, even offline.");
    offer.id = "install-offer";
    [["Add to home screen", "btn btn-outline-primary"], ["No thanks", "btn btn-link"]].forEach(function (b, i) {
      var button = Object.assign(document.createElement("button"), { type: "button", className: b[1], textContent: b[0] });
      button.addEventListener("click", function () {
        store("aftermath:install-dismissed", "1");  // asked once: never again
        offer.remove();
        if (i === 0) installPrompt.prompt();
      });
      offer.append(button);
    });
    main.append(offer);
  }
  window.addEventListener("beforeinstallprompt", function (e) {
    e.preventDefault();  // offered at a moment it helps (offerInstall)
    installPrompt = e;
    offerInstall();
  });
  var saved = document.querySelector('meta[name="aftermath-saved"]');
  if (saved && saved.content === store("aftermath:saving")) {
    store("aftermath:saving", null);
    noteSaved(saved.content);
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.target;
    if (form.id === "checkin-form" && form.elements.idempotency_key) store("aftermath:saving", form.elements.idempotency_key.value);
  });

  window.addEventListener("online", sendWaiting);
  window.AftermathOffline = { keep: keep, send: sendWaiting };
  sendWaiting();
})();
