// Autosave for forms marked with data-autosave-url: saves ~1.5 s after typing stops. The status says
// «Ikke lagret ennå» while the page holds text the server has not confirmed, «Lagrer …» while a save is
// on its way, and «Lagret hh:mm (versjon n)» only when the server confirmed what is on screen; a failed
// save is shown and retried. Nothing is sent when nothing changed since the last confirmed save. Leaving
// the page sends what is not yet saved at once, as a keepalive request that outlives the page, and the
// browser's «Leave site?» warning appears only when something would really be lost (a save that
// cannot be sent or already failed, a conflict, a field with an error); a link to another page of the
// portal waits for the save first. A save sends only the fields changed since the last save, so an
// invalid field is held back (its message shown beside it) while the rest is saved. The response says which questions apply now, how complete each section is and the age and
// sex derived from the number, so the page follows the form without a reload. A save that meets a
// newer version (409) never overwrites it and never drops the user's text: a field only the other
// person changed takes their value, a field both changed is listed with both versions until the user
// picks «Behold min» or «Bruk lagret».
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var statusEl = document.getElementById("lagret-status");
  var versionInput = form.querySelector("input[name=versjon]");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var panel = document.getElementById("konflikt-panel");
  var timer = null, saving = false, pending = false, retryDelay = 2000, submitting = false;
  var failed = false;      // the last save did not reach the server (or it answered with an error)
  var inflight = null;     // field name -> value being sent by the save on its way
  var inflightKept = true; // whether that save will outlive the page (a keepalive request)
  var confirmed = statusEl.textContent;  // what the status says when the page matches the server
  // Browsers refuse keepalive requests whose bodies add up to more than 64 KiB; stay well below it.
  var KEEPALIVE_MAX = 60000;
  var invalid = {};    // field name -> true: held back until the user edits it again
  var conflicts = {};  // field name -> {mine, theirs, by, at}: held back until the user chooses
  var sent = {};       // field name -> the value the field held when it was last saved
  var saved = {};      // field name -> the value the server holds (after the last save we know of)

  function names() {
    var seen = {}, result = [];
    form.querySelectorAll("[name^='innhold.']").forEach(function (el) {
      if (!seen[el.name]) { seen[el.name] = true; result.push(el.name); }
    });
    ["kategori", "enhet"].forEach(function (n) { if (form.querySelector("[name=" + n + "]")) { result.push(n); } });
    return result;
  }
  function elements(name) { return form.querySelectorAll("[name='" + name + "']"); }
  // `rendered`: what the server rendered into the field, whatever was typed since. The page can be typed
  // on before this script runs (it is deferred), and that text must count as not saved.
  function fieldValue(name, rendered) {
    var els = elements(name);
    if (!els.length) { return ""; }
    if (els[0].type === "radio") {
      for (var i = 0; i < els.length; i++) {
        if (rendered ? els[i].defaultChecked : els[i].checked) { return els[i].value; }
      }
      return "";
    }
    var el = els[0];
    if (!rendered) { return el.value; }
    if (el.tagName === "SELECT") {
      for (var j = 0; j < el.options.length; j++) { if (el.options[j].defaultSelected) { return el.options[j].value; } }
      return el.options.length ? el.options[0].value : "";
    }
    return el.defaultValue;
  }
  function getValue(name) { return fieldValue(name, false); }
  function setValue(name, value) {
    var text = value === null || value === undefined ? "" : String(value);
    elements(name).forEach(function (el) {
      if (el.type === "radio") { el.checked = el.value === text; } else { el.value = text; }
    });
  }
  function label(name) {
    var el = elements(name)[0];
    return (el && el.getAttribute("data-etikett")) || name.replace(/^innhold\./, "");
  }
  function shown(name, value) {
    // The text a person sees for a value: the option's words for choices.
    var el = elements(name)[0];
    if (!el || value === "" || value === null || value === undefined) { return "(tomt)"; }
    if (el.tagName === "SELECT") {
      var option = el.querySelector("option[value='" + String(value) + "']");
      return option ? option.textContent : String(value);
    }
    if (el.type === "radio") {
      var match = form.querySelector("[name='" + name + "'][value='" + String(value) + "']");
      return match && match.parentElement ? match.parentElement.textContent.trim() : String(value);
    }
    return String(value);
  }
  // The server's answers as field names: innhold.<id> and innhold.<id>.<part>.
  function flatten(innhold, kategori, enhet) {
    var flat = {};
    names().forEach(function (name) {
      if (name === "kategori" || name === "enhet") { return; }
      var parts = name.slice("innhold.".length).split(".");
      var value = innhold[parts[0]];
      if (parts.length === 2) { value = value && typeof value === "object" ? value[parts[1]] : undefined; }
      if (typeof value === "boolean") { value = value ? "true" : "false"; }
      flat[name] = value === null || value === undefined ? (name.slice(-11) === ".verifisert" ? "false" : "") : String(value);
    });
    if (kategori !== undefined) { flat.kategori = kategori; }
    if (enhet !== undefined) { flat.enhet = enhet; }
    return flat;
  }
  function same(a, b) {
    return String(a === undefined || a === null ? "" : a).trim() === String(b === undefined || b === null ? "" : b).trim();
  }
  function changedNames() {
    return names().filter(function (name) {
      return !invalid[name] && !conflicts[name] && !same(getValue(name), sent[name]);
    });
  }
  function notSent() {
    // Changed fields that no save on its way carries.
    return changedNames().filter(function (name) {
      return !(inflight && Object.prototype.hasOwnProperty.call(inflight, name) && same(getValue(name), inflight[name]));
    });
  }
  function wouldLose() {
    // Asked as the page goes, after flush(): what no request that outlives the page will save.
    if (Object.keys(conflicts).length || Object.keys(invalid).length) { return true; }
    if (!changedNames().length) { return false; }
    return failed || notSent().length > 0 || (inflight !== null && !inflightKept);
  }
  function showProgress() {
    // After every keystroke: never leave «Lagret» standing over text the server does not have.
    if (failed || Object.keys(conflicts).length) { return; }  // the error stays until a save succeeds
    if (saving) { show("Lagrer …"); return; }
    if (changedNames().length) { show("Ikke lagret ennå"); return; }
    if (!Object.keys(invalid).length) { show(confirmed); }
  }

  function show(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("feil", !!isError);
  }
  function hhmm(date) {
    var d = date || new Date();
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  function setPath(obj, path, value) {
    var parts = path.split("."), t = obj;
    for (var i = 0; i < parts.length - 1; i++) { t = t[parts[i]] = t[parts[i]] || {}; }
    t[parts[parts.length - 1]] = value;
  }
  function collect(changed) {
    var innhold = {};
    var body = { versjon: Number(versionInput.value), innhold: innhold };
    changed.forEach(function (name) {
      var value = getValue(name);
      if (name === "kategori" || name === "enhet") { body[name] = value; return; }
      if (name.slice(-11) === ".verifisert") { value = value === "true"; }
      setPath(innhold, name.slice("innhold.".length), value);
    });
    return body;
  }
  function fieldError(field, message) {
    var el = form.querySelector("[data-feil-for='" + field + "']");
    if (el) { el.textContent = message || ""; }
    elements(field).forEach(function (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
  }

  // --- what the response says about the form -------------------------------------------------------
  var MARKS = { komplett: "✓", mangler: "!", ikke_startet: "\u00a0" };
  var TEXTS = { komplett: "Fullført", mangler: "Mangler svar", ikke_startet: "Ikke påbegynt" };
  function applyState(data) {
    if (data.synlige) {
      var visible = {};
      data.synlige.forEach(function (id) { visible[id] = true; });
      form.querySelectorAll("[data-sporsmal]").forEach(function (el) {
        el.hidden = !visible[el.getAttribute("data-sporsmal")];
      });
      form.querySelectorAll("[data-seksjon]").forEach(function (section) {
        var any = section.querySelector("[data-sporsmal]:not([hidden])");
        section.hidden = !any;
        var item = document.querySelector("[data-seksjon-meny='" + section.getAttribute("data-seksjon") + "']");
        if (item) { item.hidden = !any; }
      });
    }
    Object.keys(data.fullforing || {}).forEach(function (id) {
      var f = data.fullforing[id];
      var el = document.querySelector("[data-fullforing-for='" + id + "']");
      if (!el) { return; }
      el.className = "fullforing status-" + f.status;
      el.querySelector(".fullforing-merke").textContent = MARKS[f.status] || "";
      el.querySelector(".fullforing-tekst").textContent =
        (TEXTS[f.status] || "") + (f.status === "mangler" ? " (" + f.besvart + " av " + f.pakrevd + ")" : "");
    });
    if (data.avledet) {
      form.querySelectorAll("[data-avledet-for]").forEach(function (el) {
        var derived = data.avledet[el.getAttribute("data-avledet-for")];
        el.textContent = derived ? derived.tekst : "";
      });
    }
  }

  // --- conflicts ---------------------------------------------------------------------------------------
  function renderConflicts() {
    var keys = Object.keys(conflicts);
    panel.textContent = "";
    if (!keys.length) { panel.hidden = true; panel.removeAttribute("role"); return; }
    panel.setAttribute("role", "alert");
    var heading = document.createElement("h2");
    heading.textContent = "Noen andre har endret de samme feltene som deg";
    var intro = document.createElement("p");
    intro.textContent = "Ingenting er tapt. Velg for hvert felt om du vil beholde din tekst eller bruke den lagrede. " +
      "Resten av endringene dine lagres som vanlig.";
    panel.appendChild(heading);
    panel.appendChild(intro);
    keys.forEach(function (name) {
      var c = conflicts[name];
      var box = document.createElement("div");
      box.className = "konfliktfelt";
      var title = document.createElement("h3");
      var link = document.createElement("a");
      var target = elements(name)[0];
      link.href = "#" + (target && target.id ? target.id : "");
      link.textContent = label(name);
      title.appendChild(link);
      box.appendChild(title);
      var versions = document.createElement("div");
      versions.className = "to-versjoner";
      [["Din tekst", shown(name, c.mine)],
       ["Lagret av " + (c.by || "en annen") + (c.at ? " kl. " + hhmm(new Date(c.at)) : ""), shown(name, c.theirs)]]
        .forEach(function (pair) {
          var column = document.createElement("div");
          var h = document.createElement("h4");
          h.textContent = pair[0];
          var p = document.createElement("p");
          p.className = "svartekst";
          p.textContent = pair[1];
          column.appendChild(h);
          column.appendChild(p);
          versions.appendChild(column);
        });
      box.appendChild(versions);
      var buttons = document.createElement("div");
      buttons.className = "knapperad";
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "knapp";
      keep.textContent = "Behold min";
      keep.setAttribute("aria-label", "Behold min tekst i " + label(name));
      keep.addEventListener("click", function () { resolve(name, false); });
      var use = document.createElement("button");
      use.type = "button";
      use.className = "knapp sekundar";
      use.textContent = "Bruk lagret";
      use.setAttribute("aria-label", "Bruk den lagrede teksten i " + label(name));
      use.addEventListener("click", function () { resolve(name, true); });
      buttons.appendChild(keep);
      buttons.appendChild(use);
      box.appendChild(buttons);
      panel.appendChild(box);
    });
    panel.hidden = false;
  }
  function resolve(name, useSaved) {
    var c = conflicts[name];
    delete conflicts[name];
    if (useSaved) {
      setValue(name, c.theirs);
      sent[name] = c.theirs;
    }
    // «Behold min»: the field still differs from what was saved, so the next save puts it on top.
    renderConflicts();
    schedule(100);
  }
  function mergeConflict(data) {
    var by = data.lagret_av || {}, last = data.sist_lagret || {};
    var theirs = flatten(data.lagret_innhold || {}, data.lagret_kategori, data.lagret_enhet);
    Object.keys(theirs).forEach(function (name) {
      var theyChanged = !same(theirs[name], saved[name]);
      if (!theyChanged) { return; }
      var mine = getValue(name);
      var iChanged = !same(mine, sent[name]) || !!conflicts[name];
      if (!iChanged || same(mine, theirs[name])) {
        if (!iChanged) { setValue(name, theirs[name]); }
        sent[name] = theirs[name];
        delete conflicts[name];
      } else {
        var id = name.slice("innhold.".length).split(".")[0];
        var who = by[id] || last;
        conflicts[name] = { mine: mine, theirs: theirs[name], by: who.navn, at: who.at };
      }
      saved[name] = theirs[name];
    });
    versionInput.value = data.lagret_versjon;
    renderConflicts();
    if (Object.keys(conflicts).length) {
      show("Noen andre har lagret samtidig. Se feltene under «Noen andre har endret de samme feltene».", true);
    }
  }

  // --- saving --------------------------------------------------------------------------------------------
  function request(method, body) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf };
    // A save needs only the new version and the form's state back, not the whole application.
    if (method === "PUT") { headers.Prefer = "return=minimal"; }
    var text = body === undefined ? undefined : JSON.stringify(body);
    // keepalive: a save on its way is finished by the browser even if the page is left meanwhile.
    var keep = method === "PUT" && text.length < KEEPALIVE_MAX;
    if (method === "PUT") { inflightKept = keep; }
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      keepalive: keep,
      body: text
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(function () { timer = null; save(); }, delay);
  }
  function flush() {
    // Send what is not saved now rather than after the pause (the page is being left or hidden).
    if (submitting) { return; }
    clearTimeout(timer);
    timer = null;
    save();
  }
  function afterSaved() {
    // The status once a save is confirmed: «Lagret» only if the page holds nothing else unsaved.
    if (Object.keys(conflicts).length) {
      show("Noen andre har lagret samtidig. Se feltene under «Noen andre har endret de samme feltene».", true);
    } else if (changedNames().length) {
      show(pending ? "Lagrer …" : "Ikke lagret ennå");
    } else {
      show(confirmed);
    }
  }
  function save() {
    // A form being submitted carries every field itself; a save now would make its version stale.
    if (submitting) { return; }
    if (saving) { pending = true; return; }
    var changed = changedNames();
    if (!changed.length) { return; }
    saving = true;
    show("Lagrer …");
    var values = {};
    changed.forEach(function (name) { values[name] = getValue(name); });
    inflight = values;
    request("PUT", collect(changed)).then(function (result) {
      saving = false;
      inflight = null;
      retryDelay = 2000;
      if (result.status === 200) {
        failed = false;
        versionInput.value = result.data.versjon;
        // The server merged what we sent into what it held: those fields now hold our values.
        Object.keys(values).forEach(function (name) { sent[name] = values[name]; saved[name] = values[name]; });
        applyState(result.data);
        confirmed = "Lagret " + hhmm() + " (versjon " + result.data.versjon + ")" +
          (Object.keys(invalid).length ? ", unntatt feltene med feil" : "");
        afterSaved();
      } else if (result.status === 422 && result.data.errors) {
        var held = 0;
        result.data.errors.forEach(function (e) {
          if (elements(e.field).length && !invalid[e.field]) { held++; }
          invalid[e.field] = true;
          fieldError(e.field, e.message);
        });
        failed = false;
        show("Noen felt har feil og er ikke lagret. Rett dem, så lagres de.", true);
        if (held) { pending = true; }  // save the valid fields without the invalid ones
      } else if (result.status === 409) {
        if (result.data.lagret_innhold) {
          mergeConflict(result.data);
          pending = true;
        } else {
          // No saved version in the answer: fetch it, then compare as above.
          return request("GET").then(function (current) {
            if (current.status !== 200) { throw new Error("status " + current.status); }
            mergeConflict({
              lagret_innhold: current.data.innhold, lagret_versjon: current.data.versjon,
              lagret_kategori: current.data.kategori, lagret_enhet: current.data.enhet
            });
            save();
          });
        }
      } else if (result.status === 401) {
        failed = true;
        show("Du er logget ut. Teksten din er ikke lagret: logg inn i en ny fane og trykk «Lagre utkast».", true);
        return;
      } else {
        throw new Error("status " + result.status);
      }
      if (pending) { pending = false; save(); }
    }).catch(function () {
      saving = false;
      inflight = null;
      failed = true;
      show("Ikke lagret – prøver igjen om " + Math.round(retryDelay / 1000) + " s …", true);
      schedule(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  // --- start ---------------------------------------------------------------------------------------------
  var stored = form.getAttribute("data-lagret");
  if (stored) {
    // The page shows what the user typed after an error; what is saved is in data-lagret.
    var kategoriEl = form.querySelector("[name=kategori]"), enhetEl = form.querySelector("[name=enhet]");
    sent = flatten(JSON.parse(stored), kategoriEl && kategoriEl.value, enhetEl && enhetEl.value);
  } else {
    names().forEach(function (name) { sent[name] = fieldValue(name, true); });
  }
  Object.keys(sent).forEach(function (name) { saved[name] = sent[name]; });
  // A page shown again after an error holds typed text the server does not have: say so. Text typed
  // before this script ran is saved as typing after it would be.
  if (changedNames().length) {
    show("Ikke lagret ennå");
    if (!stored) { schedule(1500); }
  }

  form.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name && invalid[name]) { delete invalid[name]; fieldError(name, ""); }
    showProgress();
    schedule(1500);
  });
  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name && invalid[name]) { delete invalid[name]; fieldError(name, ""); }
    if (name === "kategori") {
      document.querySelectorAll("[data-kategori-lenker]").forEach(function (el) {
        el.hidden = el.getAttribute("data-kategori-lenker") !== event.target.value;
      });
    }
    showProgress();
    // Leaving a field fires «change» too: save only if something differs from what is saved. A choice
    // (list, radio) is saved soon; typed text keeps the pause its typing started, so moving on to the
    // next field does not start a save that the next keystrokes would overtake.
    var el = event.target, typed = el && (el.tagName === "TEXTAREA" ||
      (el.tagName === "INPUT" && !/^(radio|checkbox|hidden)$/.test(el.type)));
    if (changedNames().length && !(typed && timer !== null)) { schedule(300); }
  });
  form.addEventListener("submit", function () { submitting = true; clearTimeout(timer); timer = null; });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    flush();
    if (!wouldLose()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
  // A link to another page of the portal (such as «Oppsummering før sending») waits for the save, so the
  // next page shows what was just typed; the wait ends when the save is confirmed or has failed (then
  // the «Leave site?» warning tells the truth), and after 8 s at most.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    if ((link.target && link.target !== "_self") || link.hasAttribute("download")) { return; }
    if (link.origin !== window.location.origin) { return; }
    if (link.pathname === window.location.pathname && link.search === window.location.search) { return; }
    if (!saving && !changedNames().length) { return; }
    event.preventDefault();
    flush();
    var started = Date.now();
    (function go() {
      if ((!saving && (failed || !changedNames().length)) || Date.now() - started > 8000) {
        window.location.assign(link.href);
        return;
      }
      setTimeout(go, 50);
    })();
  });
  // Where beforeunload does not come (a phone closing the tab, the page put in the back/forward cache).
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); }
  });
})();
