// A button that copies a read-only field shown once (a new share link, a new API token),
// shown only where the clipboard can be written. Without it (or without JavaScript) the
// field is there to select and copy. The button says what to tell the runner:
// data-copied (after copying) and data-select (when the copy failed).
for (const button of document.querySelectorAll("[data-copy-from]")) {
  const input = document.getElementById(button.dataset.copyFrom);
  const status = document.querySelector("[data-copy-status]");
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  input.addEventListener("focus", () => input.select());
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      input.select();
      if (status) status.textContent = button.dataset.select;
    }
  });
}
