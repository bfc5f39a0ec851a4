// Follow the system's light or dark setting (Bootstrap 5.3 colour modes), before first paint.
(function () {
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", dark.matches ? "dark" : "light");
  }
  apply();
  if (dark.addEventListener) dark.addEventListener("change", apply);
})();
