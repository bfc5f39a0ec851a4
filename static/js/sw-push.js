// Reminders in the service worker: imported by /sw.js (importScripts). A push shows the
// notification the server sent (title, body, the page to open, a tag: a reminder sent
// twice replaces itself rather than showing twice); tapping it opens or focuses that page.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  var title = data.title || "Aftermath";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || "aftermath-reminder",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);  // only our own pages
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target.href && "focus" in windows[i]) return windows[i].focus();
    }
    for (var j = 0; j < windows.length; j++) {
      var client = windows[j];
      if (new URL(client.url).origin === self.location.origin && "navigate" in client) {
        return client.navigate(target.href).then(function (opened) { return (opened || client).focus(); });
      }
    }
    return self.clients.openWindow(target.href);
  }));
});
