// Settings, Reminders: when "A notification" is chosen, this phone subscribes to Web Push
// (the service worker at /sw.js, which imports sw-push.js) and sends its subscription to
// the server. Asking for permission happens on a tap: "Save reminders" or "Allow
// notifications on this phone". Without JavaScript or push support, e-mail still works.
(function () {
  var form = document.querySelector("form[data-reminders]");
  if (!form) return;
  var panel = form.querySelector("[data-push-panel]");
  var statusLine = form.querySelector("[data-push-status]");
  var allow = form.querySelector("[data-push-allow]");
  var key = form.getAttribute("data-vapid-key");
  var supported = !!key && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  function pushChosen() {
    var checked = form.querySelector("input[name=channel]:checked");
    return !!checked && checked.value === "push";
  }
  function optedIn() {
    var box = form.querySelector("input[name=followup]");
    return !!box && box.checked;
  }
  function say(text) { if (statusLine) statusLine.textContent = text; }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function registration() {
    return navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; });
  }

  function send(subscription) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(form.getAttribute("data-subscribe-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(subscription.toJSON())
    }).then(function (response) {
      if (!response.ok) throw new Error("not stored");
      say("Notifications are on for this phone.");
      if (allow) allow.hidden = true;
    });
  }

  function subscribe() {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        say("Notifications are blocked for Aftermath on this phone. Allow them in the browser's settings, or choose e-mail.");
        return;
      }
      return registration().then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          return existing || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
        });
      }).then(send);
    }).catch(function () {
      say("This phone could not turn notifications on just now. Try again, or choose e-mail.");
    });
  }

  function show() {
    if (!panel) return;
    panel.hidden = !pushChosen();
    if (!supported && pushChosen()) {
      say("This browser cannot show notifications from Aftermath. Choose e-mail, or add Aftermath to your home screen and open it from there.");
    }
  }

  form.addEventListener("change", show);
  show();
  if (!supported) return;

  if (allow) {
    allow.addEventListener("click", function () { subscribe(); });
  }
  // Already allowed: keep the server's copy of this phone's subscription up to date.
  if (Notification.permission === "granted") {
    registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (sub) return send(sub);
      if (allow) allow.hidden = false;
    }).catch(function () {});
  } else if (allow && Notification.permission !== "denied") {
    allow.hidden = false;
  }

  // Saving with a notification chosen asks this phone first (the tap lets the browser ask).
  var asked = false;
  form.addEventListener("submit", function (event) {
    if (asked || !pushChosen() || !optedIn() || Notification.permission === "denied") return;
    event.preventDefault();
    asked = true;
    subscribe().then(function () { form.submit(); });
  });
})();
