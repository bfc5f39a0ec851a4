// The check-in page: body map, "same as last run", unsent drafts, the advice beside Save,
// and what to say when saving fails.
// Everything here is an enhancement: without it the form posts and works.
(function () {
  "use strict";
  var DRAFT_PREFIX = "aftermath:draft:";

  function form() { return document.getElementById("checkin-form"); }

  // --- Body map: tapping a muscle toggles its checkbox -------------------------
  document.addEventListener("click", function (event) {
    var g = event.target.closest && event.target.closest(".bodymap [data-muscle]");
    if (!g) return;
    var box = form().querySelector('input[name="muscles"][value="' + g.dataset.muscle + '"]');
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // --- "Same as last run": one tap fills a section, shows it did, and can undo --
  function setField(f, name, value) {
    var el = f.elements[name];
    if (!el) return;
    if (el.length !== undefined && !el.tagName) {  // radios
      Array.prototype.forEach.call(el, function (r) { r.checked = r.value === value; });
      el = el[0];
    } else {
      el.value = value == null ? "" : value;
    }
    if (el) el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function getField(f, name) {
    var el = f.elements[name];
    if (!el) return null;
    return el.length !== undefined && !el.tagName ? (el.value || null) : el.value;
  }
  function reveal() {
    document.querySelectorAll("[data-same-as-last], #preview-panel").forEach(function (el) { el.hidden = false; });
  }
  document.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("[data-same], [data-same-undo]");
    if (!t) return;
    var box = t.closest("[data-same-as-last]"), f = form(), button = box.querySelector("[data-same]");
    var done = box.querySelector(".same-done"), values = JSON.parse(button.dataset.same);
    if (t === button) {
      var before = {};
      Object.keys(values).forEach(function (name) { before[name] = getField(f, name); setField(f, name, values[name]); });
      box.before = before;
      button.hidden = true; done.hidden = false;
      done.querySelector("button").focus();
    } else {
      var old = box.before || {};
      Object.keys(old).forEach(function (name) { setField(f, name, old[name]); });
      done.hidden = true; button.hidden = false;
      button.focus();
    }
  });

  // --- Drafts: what was typed survives a failed save and a reload --------------
  function draftKey(f) { return DRAFT_PREFIX + (f.dataset.draftKey || "new"); }

  function saveDraft() {
    var f = form();
    if (!f) return;
    var values = [];
    new FormData(f).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") values.push([name, value]);
    });
    try { localStorage.setItem(draftKey(f), JSON.stringify({ saved: Date.now(), values: values })); } catch (e) { /* storage full or off */ }
  }

  function restoreDraft() {
    var f = form();
    if (!f || f.querySelector(".is-invalid, [aria-invalid=true]")) return true;
    var raw;
    try { raw = localStorage.getItem(draftKey(f)); } catch (e) { return false; }
    if (!raw) return false;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return false; }
    var byName = {};
    draft.values.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      var values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = !!values && values.indexOf(el.value) !== -1;
      } else if (values) {
        el.value = values[0];
      }
    });
    var note = document.getElementById("draft-note");
    if (note) note.classList.remove("d-none");
    f.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function clearSavedDrafts() {
    // On a run's page: drop the draft that became this run.
    var saved = document.querySelector('meta[name="aftermath-saved"]');
    if (!saved) return;
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(DRAFT_PREFIX) === 0) {
          var draft = JSON.parse(localStorage.getItem(key) || "{}");
          var match = (draft.values || []).some(function (p) { return p[0] === "idempotency_key" && p[1] === saved.content; });
          if (match) localStorage.removeItem(key);
        }
      }
    } catch (e) { /* nothing to clear */ }
  }

  document.addEventListener("input", function (e) { if (e.target.form === form()) saveDraft(); });
  document.addEventListener("change", function (e) {
    if (e.target.form === form()) saveDraft();
  });
  document.addEventListener("click", function (e) {
    if (!e.target.matches || !e.target.matches("[data-draft-discard]")) return;
    try { localStorage.removeItem(draftKey(form())); } catch (err) { /* ignore */ }
    window.location.reload();
  });

  // --- Saving failed: keep everything on the page and say so -------------------
  function saveFailed(message) {
    var status = document.getElementById("save-status");
    if (status) {
      status.className = "save-status alert alert-danger";
      status.textContent = message + " Your answers are still here and kept on this phone; try again when you can.";
    }
  }
  document.addEventListener("htmx:responseError", function (e) {
    if (e.target === form()) saveFailed("Not saved: the server had a problem (" + e.detail.xhr.status + ").");
  });
  document.addEventListener("htmx:sendError", function (e) {
    var f = form(), offline = window.AftermathOffline;
    if (e.target !== f) return;
    // No connection: a new check-in waits in the phone's outbox (offline.js) and is sent later.
    (offline ? offline.keep(f) : Promise.resolve(false)).then(function (kept) {
      if (!kept) return saveFailed("Not saved: no connection.");
      try { localStorage.removeItem(draftKey(f)); } catch (err) { /* no draft */ }
      f.reset();
      freshForm(f);
      var status = document.getElementById("outbox-status");
      if (status) { status.tabIndex = -1; status.focus(); }
    });
  });
  var wasUrgent = false;
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.target;
    if (!target || target.id !== "preview") return;
    // An urgent flag opens the advice beside Save at once, the flag first.
    var urgent = !!document.querySelector("#preview-summary.preview-urgent");
    if (urgent && !wasUrgent) { document.getElementById("preview-panel").open = true; target.scrollTop = 0; }
    wasUrgent = urgent;
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var elt = e.detail.elt;
    if (!(elt && elt.id === "checkin-form")) return;
    reveal();
    var errors = document.getElementById("form-errors");
    if (errors) errors.focus();
  });

  // A new check-in gets its own key and "finished now", also when the page was kept on
  // the phone (the service worker's copy carries the key and time it was kept with).
  function freshForm(f) {
    if (!f || f.dataset.draftKey !== "new" || !window.crypto || !crypto.randomUUID) return;
    f.elements.idempotency_key.value = crypto.randomUUID();
    var finished = f.elements.finished_at, now = new Date();
    if (finished && finished.type === "datetime-local") {
      now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
      finished.value = now.toISOString().slice(0, 16);
    }
  }

  function start() {
    reveal();
    if (!restoreDraft()) freshForm(form());
  }
  clearSavedDrafts();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
