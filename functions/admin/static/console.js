// Every console page: after a refused post, move focus (and with it the scroll) to the error
// summary at the top, so that a problem with a field far down the page is seen at once, and a
// screen reader reads it first. Its links then take the clerk to each field.
"use strict";
(() => {
  const summary = document.getElementById("error-summary");
  if (!summary) return;
  // Focusing scrolls it into view (a browser restoring the scroll of a reload may not start at the top).
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    // Focus the field itself (an anchor alone only scrolls): the clerk can type at once.
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();
