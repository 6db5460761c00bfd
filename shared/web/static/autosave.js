// Autosave for forms marked with data-autosave-url: saves ~1.5 s after typing stops, shows
// "Lagret hh:mm", keeps retrying on network errors, and never overwrites a newer version silently.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var statusEl = document.getElementById("lagret-status");
  var versionInput = form.querySelector("input[name=versjon]");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var timer = null, saving = false, pending = false, retryDelay = 2000, invalid = {};

  function show(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("feil", !!isError);
  }
  function hhmm() {
    var d = new Date();
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  function setPath(obj, path, value) {
    var parts = path.split("."), t = obj;
    for (var i = 0; i < parts.length - 1; i++) { t = t[parts[i]] = t[parts[i]] || {}; }
    t[parts[parts.length - 1]] = value;
  }
  function collect() {
    var innhold = {};
    form.querySelectorAll("[name^='innhold.']").forEach(function (el) {
      var name = el.name, value = el.value;
      if (invalid[name]) { return; }  // the server keeps the last valid value of this field
      if (el.type === "number") { value = value === "" ? null : Number(value); }
      if (name.endsWith(".verifisert")) { value = value === "true"; }
      setPath(innhold, name.slice("innhold.".length), value);
    });
    var body = { versjon: Number(versionInput.value), innhold: innhold };
    var kategori = form.querySelector("[name=kategori]");
    if (kategori) { body.kategori = kategori.value; }
    return body;
  }
  function fieldError(field, message) {
    var el = form.querySelector("[data-feil-for='" + field + "']");
    var input = form.querySelector("[name='" + field + "']");
    if (el) { el.textContent = message || ""; }
    if (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
  }
  function save() {
    if (saving) { pending = true; return; }
    saving = true;
    show("Lagrer …");
    var sentErrors = Object.assign({}, invalid);
    fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(collect())
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      saving = false;
      retryDelay = 2000;
      if (result.status === 200) {
        versionInput.value = result.data.versjon;
        show("Lagret " + hhmm() + " (versjon " + result.data.versjon + ")");
      } else if (result.status === 422 && result.data.errors) {
        var newlyInvalid = 0;
        result.data.errors.forEach(function (e) {
          if (form.querySelector("[name='" + e.field + "']") && !sentErrors[e.field]) { newlyInvalid++; }
          invalid[e.field] = true;
          fieldError(e.field, e.message);
        });
        show("Noen felt har feil og er ikke lagret. Rett dem, så lagres de.", true);
        if (newlyInvalid) { pending = true; }  // save the valid fields without the invalid ones
      } else if (result.status === 409) {
        show("Noen andre har lagret en nyere versjon. Teksten din er ikke overskrevet: last siden på nytt i en ny fane og sammenlign.", true);
        return;
      } else if (result.status === 401) {
        show("Du er logget ut. Teksten din er ikke lagret: logg inn i en ny fane og trykk «Lagre utkast».", true);
        return;
      } else {
        throw new Error("status " + result.status);
      }
      if (pending) { pending = false; save(); }
    }).catch(function () {
      saving = false;
      show("Ikke lagret – prøver igjen om " + Math.round(retryDelay / 1000) + " s …", true);
      setTimeout(save, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }
  form.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name && invalid[name]) { delete invalid[name]; fieldError(name, ""); }
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  });
})();
