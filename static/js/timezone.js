// The browser's time zone. Sign-up: fills the hidden field, so dates are local from the
// first run. Settings: when the phone's zone differs from the one chosen, offers it in one
// tap (never changes the choice by itself).
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
    if (!input.value) input.value = zone;
  });
  document.querySelectorAll("select[data-zone-suggest]").forEach(function (select) {
    var offered = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
    if (!offered || select.value === zone) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-primary w-100 mt-2 zone-suggest";
    button.textContent = "Use this phone's time zone: " + zone.replace(/_/g, " ");
    button.addEventListener("click", function () {
      select.value = zone;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
      button.remove();
    });
    select.addEventListener("change", function () { if (select.value === zone) button.remove(); });
    select.insertAdjacentElement("afterend", button);
  });
})();
