// @ts-check
// The one-tap copy button of the slip page (/l/<token>), served as /l/_/copy.js so that the
// page's CSP needs no 'unsafe-inline'. Plain browser JavaScript, type-checked by tsc (checkJs).
// Without the asynchronous clipboard API (old browsers, plain http) the code is selected so
// that a long press copies it.

/** @param {HTMLButtonElement} button */
function wire(button) {
  const text = button.dataset.copy ?? "";
  const done = button.dataset.done ?? "✓";
  const label = button.textContent ?? "";
  button.addEventListener("click", () => {
    const show = () => {
      button.textContent = done;
      window.setTimeout(() => {
        button.textContent = label;
      }, 2500);
    };
    const select = () => {
      const target = document.getElementById(button.dataset.target ?? "");
      const selection = window.getSelection();
      if (!target || !selection) return;
      const range = document.createRange();
      range.selectNodeContents(target);
      selection.removeAllRanges();
      selection.addRange(range);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(show, select);
    else select();
  });
}

for (const el of document.querySelectorAll("button[data-copy]")) if (el instanceof HTMLButtonElement) wire(el);
