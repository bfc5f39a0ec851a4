// The share links page: send a new link through the phone's share sheet, or copy it.
// Each button shows only where the browser can do it; without them (or without
// JavaScript) the link is in a read-only field to select and copy.
const status = document.querySelector("[data-copy-status]");
const say = (text) => {
  if (status) status.textContent = text;
};

for (const button of document.querySelectorAll("[data-copy-from]")) {
  const input = document.getElementById(button.dataset.copyFrom);
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  input.addEventListener("focus", () => input.select());
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      say("Copied. Paste it in a message to your doctor.");
    } catch {
      input.select();
      say("Select the link and copy it.");
    }
  });
}

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
      if (error.name !== "AbortError") say("Your phone could not share it: copy the link instead.");
    }
  });
}
