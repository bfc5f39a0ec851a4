// The cool-down step timer: runs each step in turn, says which step is on, buzzes between steps.
(function () {
  "use strict";
  var list = document.querySelector("[data-timer]");
  var controls = document.querySelector("[data-timer-controls]");
  if (!list || !controls) return;
  controls.classList.remove("d-none");
  var steps = Array.prototype.slice.call(list.querySelectorAll("[data-seconds]"));
  var display = controls.querySelector("[data-timer-display]");
  var startButton = controls.querySelector("[data-timer-start]");
  var index = 0, left = 0, ticking = null;

  function title(step) { return step.querySelector(".fw-semibold").textContent; }
  function clock(seconds) { var m = Math.floor(seconds / 60), s = seconds % 60; return m + ":" + (s < 10 ? "0" : "") + s; }
  function show() {
    steps.forEach(function (step, i) { step.classList.toggle("step-now", i === index && ticking !== null); });
    display.textContent = index < steps.length ? title(steps[index]) + " · " + clock(left) : "Done. Well cooled down.";
  }
  function buzz() { if (navigator.vibrate) navigator.vibrate(200); }
  function tick() {
    left -= 1;
    if (left <= 0) {
      buzz();
      index += 1;
      if (index >= steps.length) { stop(); show(); return; }
      left = Number(steps[index].dataset.seconds);
    }
    show();
  }
  function stop() { clearInterval(ticking); ticking = null; startButton.textContent = index < steps.length ? "Go on" : "Start"; }
  startButton.addEventListener("click", function () {
    if (ticking !== null) { stop(); show(); return; }
    if (index >= steps.length) index = 0;
    if (left <= 0) left = Number(steps[index].dataset.seconds);
    ticking = setInterval(tick, 1000);
    startButton.textContent = "Pause";
    show();
  });
  controls.querySelector("[data-timer-reset]").addEventListener("click", function () {
    stop(); index = 0; left = 0; startButton.textContent = "Start"; display.textContent = "Ready"; show();
  });
})();
