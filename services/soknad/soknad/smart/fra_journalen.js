// «Hentet fra journalen» goes from a field as soon as the physician changes it, and comes back if they
// restore what the record gave; the server decides again at every page load.
(function () {
  "use strict";
  document.querySelectorAll("[data-fra-journalen][data-for]").forEach(function (merke) {
    var felt = document.querySelector('[name="' + merke.getAttribute("data-for") + '"]');
    if (!felt) {
      return;
    }
    var fraJournalen = felt.value;
    function oppdater() {
      merke.hidden = felt.value.trim() !== fraJournalen.trim();
    }
    felt.addEventListener("input", oppdater);
    felt.addEventListener("change", oppdater);
  });
})();
