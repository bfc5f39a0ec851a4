// The share links page: send a new link through the phone's share sheet, shown only where
// the phone can (copying it is static/js/copy-field.js).
const status = document.querySelector("[data-copy-status]");

for (const button of document.querySelectorAll("[data-share-from]")) {
  const input = document.getElementById(button.dataset.shareFrom);
  const shared = { title: "Report for a doctor", text: "My running report, from Aftermath:" };
  if (!input || !navigator.share || (navigator.canShare && !navigator.canShare({ ...shared, url: input.value }))) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.share({ ...shared, url: input.value });
    } catch (error) {
      if (error.name !== "AbortError" && status) status.textContent = "Your phone could not share it: copy the link instead.";
    }
  });
}
