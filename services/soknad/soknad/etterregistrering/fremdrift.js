// The progress of a post-registration job, kept up to date in place: the page asks the job's JSON every
// few seconds and writes the counts into the page and the sentence into its status region, which screen
// readers read out politely without moving the reader (a page that reloads itself sends them back to
// its top). The page is loaded anew only once the job has stopped: its report and the admin's choices
// are the server's to render. Without this script the page offers an «Oppdater» link.
(function () {
  "use strict";
  var section = document.querySelector("[data-fremdrift-url]");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-fremdrift-url");
  var interval = parseInt(section.getAttribute("data-oppdatering-ms"), 10) || 2000;
  var sentence = document.getElementById("fremdrift-tekst");
  var progress = document.getElementById("import-fremdrift");
  var delay = interval;
  var note = document.getElementById("fremdrift-selv");
  if (note) { note.hidden = false; }

  function setText(el, text) {
    // Only a real change: a status region that is written is read out again.
    if (el && el.textContent !== text) { el.textContent = text; }
  }
  function setCount(id, value) { setText(document.getElementById(id), String(value)); }

  // False when the job has stopped and the page is being loaded anew.
  function show(jobb) {
    var label = section.getAttribute("data-status-" + jobb.status);
    if (label === null) {
      window.location.reload();
      return false;
    }
    setText(document.getElementById("jobb-status"), label);
    setCount("antall-rader", jobb.rader);
    setCount("antall-gyldige", jobb.gyldige);
    setCount("antall-feilrader", jobb.feilrader);
    setCount("antall-importert", jobb.importert);
    setCount("antall-hoppet-over", jobb.hoppet_over);
    if (jobb.status === "importerer") {
      var ferdige = jobb.importert + jobb.hoppet_over;
      setText(sentence, "Importert " + ferdige + " av " + jobb.gyldige + " gyldige rader.");
      if (progress) {
        progress.max = jobb.gyldige;
        progress.value = ferdige;
        setText(progress, ferdige + " av " + jobb.gyldige);
        progress.hidden = false;
      }
    } else {
      setText(sentence, jobb.rader + (jobb.rader === 1 ? " rad er" : " rader er") + " kontrollert så langt.");
      if (progress) { progress.hidden = true; }
    }
    return true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { accept: "application/json" } })
      .then(function (response) {
        if (response.status >= 400 && response.status < 500) {
          // Logged out, or the job is not the user's to see: the «Oppdater» link says what the server says.
          if (note) { note.hidden = true; }
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json().then(function (jobb) {
          delay = interval;
          if (show(jobb)) { schedule(); }
        });
      })
      .catch(function () {
        // The service is restarting or the network is away: ask again, less often.
        delay = Math.min(delay * 2, 30000);
        schedule();
      });
  }
  function schedule() { window.setTimeout(poll, delay); }
  schedule();
})();
