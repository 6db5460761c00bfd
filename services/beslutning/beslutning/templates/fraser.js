// Phrase buttons on the decision form: one click inserts the phrase (placeholders already filled) at the
// cursor of its text field. Without JavaScript the phrases stay readable in the list to copy from.
(function () {
  "use strict";
  function insert(field, text) {
    var start = field.selectionStart, end = field.selectionEnd, value = field.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var sep = before && !/\s$/.test(before) ? " " : "";
    field.value = before + sep + text + after;
    var caret = (before + sep + text).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.querySelectorAll("[data-frase-mal]").forEach(function (list) {
    list.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-frase]");
    if (!button) { return; }
    event.preventDefault();
    var field = document.getElementById(button.getAttribute("data-frase"));
    if (!field) { return; }
    insert(field, button.getAttribute("data-tekst") || "");
    var status = document.getElementById("frase-status");
    if (status) { status.textContent = "Frasen «" + button.textContent.trim() + "» er satt inn."; }
  });
})();
