// The tokens page: a button that copies a new token, shown where the clipboard can be written.
// Without it (or without JavaScript) the token is in a read-only field to select and copy.
for (const button of document.querySelectorAll("[data-copy-from]")) {
  const input = document.getElementById(button.dataset.copyFrom);
  const status = document.querySelector("[data-copy-status]");
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  input.addEventListener("focus", () => input.select());
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      if (status) status.textContent = "Copied. Paste it where your shortcut or app asks for it.";
    } catch {
      input.select();
      if (status) status.textContent = "Select the token and copy it.";
    }
  });
}
