// The outbox: check-ins saved on this phone while offline, in IndexedDB, and sending them.
// Used by the pages (static/js/offline.js) and by the service worker (Background Sync), so
// it uses nothing but what both have. One item per idempotency key: a double tap keeps one,
// and the server stores one run per key however often an item is sent.
// An item: {key, runner, units, action, values: [[name, value]], savedAt, state, runUrl}; state is
// "waiting" (to send), "login" (nobody logged in), "other" (another runner is logged in),
// "refused" (the form came back with errors), or "sent".
(function (scope) {
  "use strict";
  var DB = "aftermath", STORE = "outbox";

  function ask(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function open() {
    var request = indexedDB.open(DB, 1);
    request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
    return ask(request);
  }
  function store(mode, act) {
    return open().then(function (db) {
      var tx = db.transaction(STORE, mode), result = ask(act(tx.objectStore(STORE)));
      return new Promise(function (resolve, reject) {
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function all() { return store("readonly", function (s) { return s.getAll(); }); }
  function put(item) { return store("readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return store("readwrite", function (s) { return s.delete(key); }); }

  // One sender at a time (the page and the service worker may both try).
  function alone(job) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("aftermath-outbox", job) : job();
  }

  function send(item, who) {
    if (who.runner === null) { item.state = "login"; return put(item); }
    if (String(who.runner) !== String(item.runner)) { item.state = "other"; return put(item); }
    // Typed in other units than the runner's now (the server would misread the numbers).
    if (item.units && item.units !== who.units) { item.state = "refused"; return put(item); }
    var body = new URLSearchParams();
    item.values.forEach(function (pair) { if (pair[0] !== "csrfmiddlewaretoken") body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", who.csrf);  // the page's token may be hours old
    return fetch(item.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": who.csrf },
    }).then(function (response) {
      var runUrl = response.headers.get("HX-Redirect");
      if (response.ok && runUrl) { item.state = "sent"; item.runUrl = runUrl; item.sentAt = Date.now(); }
      else if (response.redirected) item.state = "login";  // the session ended: sent to log in
      else if (response.ok || response.status === 404) item.state = "refused";
      else item.state = "waiting";  // the server had a problem: try again later
      return put(item);
    });
  }

  // Send what waits; resolves to the items, rejects when there is no connection.
  function flush(tokenUrl) {
    return alone(function () {
      return all().then(function (items) {
        var due = items.filter(function (item) { return item.state !== "sent" && item.state !== "refused"; });
        if (!due.length) return items;
        return fetch(tokenUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            if (!response.ok) throw new Error("Not sent: the server answered " + response.status);
            return response.json();
          })
          .then(function (who) {
            return due.reduce(function (done, item) {
              return done.then(function () { return send(item, who); });
            }, Promise.resolve());
          })
          .then(all);
      });
    });
  }

  scope.AftermathOutbox = { SYNC_TAG: "aftermath-outbox", all: all, put: put, remove: remove, flush: flush };
})(self);
