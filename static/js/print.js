// The report's "Print or save as PDF" button: the browser's print dialog, which on a phone
// also saves a PDF or shares one. Without JavaScript the button stays hidden and the hint
// beside it points at the browser's own print menu.
for (const button of document.querySelectorAll("[data-print]")) {
  if (typeof window.print !== "function") continue;
  button.hidden = false;
  for (const hint of document.querySelectorAll("[data-print-hint]")) hint.hidden = true;
  button.addEventListener("click", () => window.print());
}
