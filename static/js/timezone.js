// Fill hidden time-zone fields with the browser's zone (sign-up), so dates are local from the start.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
    if (!input.value) input.value = zone;
  });
})();
