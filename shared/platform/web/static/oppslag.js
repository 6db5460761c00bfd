// Live look-ups for the application form, as progressive enhancement: without this file the drug and
// diagnosis fields are plain text fields and everything still works.
//
// - Every fieldset.oppslag[data-oppslag][data-oppslag-url] gets a WAI-ARIA combobox: typing searches
//   after a short pause (stale requests are aborted), the hits are a listbox (arrow keys, Enter, Escape),
//   and the number of hits is announced. Choosing a hit fills every sub-field and marks it verified;
//   typing by hand afterwards marks it unverified again.
// - A drug without Norwegian marketing authorisation suggests the godkjenningsfritak scheme.
// - When a drug and an indication are set, section#presedens[data-presedens-url] shows earlier
//   decisions for the same substance and indication (precedent before work).
//
// The CSP forbids inline scripts and styles, and nothing from a server is ever parsed as HTML: the DOM
// is built with createElement and textContent only.
(function () {
  "use strict";

  var SEARCH_DELAY_MS = 250;
  var PRECEDENT_DELAY_MS = 400;
  var MIN_QUERY = 2;
  var ICD10 = /^[A-Za-z]\d{2}(\.?\d{1,2})?$/;
  var ATC = /^([A-Za-z](\d{2}([A-Za-z]([A-Za-z](\d{2})?)?)?)?)?$/;
  var UNAVAILABLE = "Oppslag er ikke tilgjengelig nå – du kan skrive inn legemiddel og kode selv.";
  var MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
    "oktober", "november", "desember"];
  var UTFALL = { innvilget: "Innvilget", innvilget_med_vilkar: "Innvilget med vilkår", avslatt: "Avslått" };

  var KINDS = {
    legemiddel: {
      prefix: "innhold.legemiddel.",
      searchFields: ["navn"],
      fields: ["navn", "virkestoff", "atc", "fest_id", "legemiddelform", "styrke"],
      listLabel: "Legemidler i legemiddelregisteret",
      // The same words as the form's own line under the fields (templates/_felt.html).
      verified: "Valgt fra legemiddelregisteret (FEST).",
      unverified: "Ikke kontrollert mot legemiddelregisteret.",
      values: function (t) {
        return { navn: t.navn_form_styrke || t.navn, virkestoff: t.virkestoff, atc: t.atc, fest_id: t.fest_id,
          legemiddelform: t.legemiddelform, styrke: t.styrke };
      },
      option: function (t) {
        return { main: t.navn_form_styrke || t.navn,
          detail: join([t.virkestoff, t.atc, t.legemiddelform, t.styrke], " · "),
          badge: t.krever_godkjenningsfritak ? "Uten norsk markedsføringstillatelse" : "" };
      }
    },
    icd10: {
      prefix: "innhold.indikasjon.",
      searchFields: ["kode", "tekst"],
      fields: ["kode", "tekst"],
      listLabel: "Diagnoser i ICD-10",
      verified: "Valgt fra kodeverket (ICD-10).",
      unverified: "Ikke kontrollert mot kodeverket.",
      values: function (t) { return { kode: t.kode, tekst: t.tekst }; },
      option: function (t) { return { main: t.kode + " " + t.tekst, detail: "", badge: "" }; }
    }
  };

  var counter = 0;
  var unavailableShown = false;

  // --- small helpers ------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs.text; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function join(parts, separator) {
    return parts.filter(function (p) { return p; }).join(separator);
  }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }
  function month(value) {
    var m = /^(\d{4})-(\d{2})$/.exec(value || "");
    return m ? MONTHS[Number(m[2]) - 1] + " " + m[1] : (value || "");
  }
  function day(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? Number(m[3]) + ". " + MONTHS[Number(m[2]) - 1] + " " + m[1] : (value || "");
  }
  function csrfHeaders() {
    var token = document.querySelector("input[name=csrf_token]");
    var headers = { Accept: "application/json" };
    if (token) { headers["X-CSRF-Token"] = token.value; }
    return headers;
  }
  function getJson(url, signal) {
    return fetch(url, { credentials: "same-origin", headers: csrfHeaders(), signal: signal })
      .then(function (response) {
        if (!response.ok) {
          var error = new Error("status " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      });
  }
  function fire(node, type) {
    node.dispatchEvent(new Event(type, { bubbles: true }));
  }

  // --- one look-up fieldset ------------------------------------------------------------------------------
  function Lookup(fieldset) {
    var kind = KINDS[fieldset.getAttribute("data-oppslag")];
    if (!kind) { return; }
    var self = this;
    var id = "oppslag-" + (++counter);
    this.fieldset = fieldset;
    this.kind = kind;
    this.url = fieldset.getAttribute("data-oppslag-url");
    this.inputs = {};
    kind.fields.forEach(function (name) {
      self.inputs[name] = fieldset.querySelector("[name='" + kind.prefix + name + "']");
    });
    this.verifiedInput = fieldset.querySelector("[name='" + kind.prefix + "verifisert']");
    // The form's own "checked / not checked" line, when it has one; otherwise this script says it.
    this.verification = fieldset.querySelector("[data-verifisering-for]");
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    this.filling = false;
    this.current = null;

    this.list = el("ul", { id: id + "-liste", role: "listbox", "aria-label": kind.listLabel,
      class: "oppslag-liste" });
    this.list.hidden = true;
    this.live = el("p", { class: "visuelt-skjult", role: "status", "aria-live": "polite", id: id + "-status" });
    this.notice = el("div", { class: "oppslag-status", id: id + "-valg" });
    this.suggestion = el("div", { class: "oppslag-forslag", role: "status" });
    var first = this.inputs[kind.searchFields[0]];
    if (!first) { return; }
    var anchor = first.closest(".felt") || first;
    anchor.insertAdjacentElement("afterend", this.notice);
    this.notice.insertAdjacentElement("afterend", this.suggestion);
    fieldset.appendChild(this.live);

    kind.searchFields.forEach(function (name) {
      var input = self.inputs[name];
      if (!input) { return; }
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", self.list.id);
      input.setAttribute("autocomplete", "off");
      var described = (input.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(self.notice.id) < 0) { described.push(self.notice.id); }
      input.setAttribute("aria-describedby", join(described, " "));
      input.addEventListener("keydown", function (event) { self.onKey(event, input); });
      input.addEventListener("blur", function () { self.close(); });
    });
    kind.fields.forEach(function (name) {
      var input = self.inputs[name];
      if (!input) { return; }
      input.addEventListener("input", function () { self.onInput(input, name); });
      // Typed without choosing a hit: say so once the applicant leaves the field, not on every key.
      input.addEventListener("change", function () {
        if (!self.isVerified() && self.hasAnyValue()) { self.showUnverified(); }
      });
    });
    // mousedown would move the focus out of the field before the click chooses the option.
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.choose(Number(option.getAttribute("data-index"))); }
    });
    this.showInitialState();
  }

  Lookup.prototype.value = function (name) {
    var input = this.inputs[name];
    return input ? input.value.trim() : "";
  };

  Lookup.prototype.isVerified = function () {
    return this.verifiedInput && this.verifiedInput.value === "true";
  };

  Lookup.prototype.hasAnyValue = function () {
    var self = this;
    return this.kind.fields.some(function (name) { return self.value(name) !== ""; });
  };

  Lookup.prototype.showInitialState = function () {
    if (this.isVerified() && this.hasAnyValue()) {
      this.showChoice(null);
      this.refreshSmpc();
    } else if (this.hasAnyValue() && !this.verification) {
      this.showUnverified();
    }
  };

  // A reloaded page knows the chosen drug's FEST id but not its SmPC link: look it up once, quietly.
  Lookup.prototype.refreshSmpc = function () {
    var self = this;
    var festId = this.value("fest_id");
    if (!festId || this.fieldset.getAttribute("data-oppslag") !== "legemiddel") { return; }
    var q = this.value("virkestoff") || this.value("navn");
    getJson(this.url + "?q=" + encodeURIComponent(q.slice(0, 100))).then(function (data) {
      var hit = (data.treff || []).filter(function (t) { return t.fest_id === festId; })[0];
      if (hit && self.isVerified()) { self.showChoice(hit); }
    }).catch(function () { /* the choice stays shown without the link */ });
  };

  Lookup.prototype.onInput = function (input, name) {
    if (this.filling) { return; }
    if (this.isVerified()) {
      this.verifiedInput.value = "false";
      this.current = null;
      this.suggest(null);
      this.showUnverified();
    }
    if (!this.hasAnyValue()) { this.clearNotice(); }
    if (this.kind.searchFields.indexOf(name) >= 0) { this.schedule(input); }
  };

  Lookup.prototype.schedule = function (input) {
    var self = this;
    clearTimeout(this.timer);
    if (this.controller) { this.controller.abort(); this.controller = null; }
    var q = input.value.trim();
    if (q.length < MIN_QUERY) { this.close(); return; }
    this.timer = setTimeout(function () { self.search(input, q.slice(0, 100)); }, SEARCH_DELAY_MS);
  };

  Lookup.prototype.search = function (input, q) {
    var self = this;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    this.controller = controller;
    getJson(this.url + "?q=" + encodeURIComponent(q), controller ? controller.signal : undefined)
      .then(function (data) {
        if (self.controller !== controller) { return; }  // a newer search is under way
        self.controller = null;
        if (!data || data.tilgjengelig === false) { self.unavailable(); return; }
        self.clearUnavailable();
        self.show(input, data.treff || []);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        if (self.controller === controller) { self.controller = null; self.unavailable(); }
      });
  };

  Lookup.prototype.show = function (input, results) {
    var self = this;
    this.results = results;
    this.active = -1;
    this.input = input;
    input.insertAdjacentElement("afterend", this.list);
    var options = results.map(function (t, i) {
      var o = self.kind.option(t);
      var attrs = { id: self.list.id + "-" + i, role: "option", "aria-selected": "false", "data-index": String(i) };
      return el("li", attrs, [
        el("span", { class: "oppslag-hovud", text: o.main }),
        o.badge ? el("span", { class: "oppslag-merke", text: o.badge }) : null,
        o.detail ? el("span", { class: "oppslag-detalj", text: o.detail }) : null
      ]);
    });
    this.list.replaceChildren.apply(this.list, options);
    this.live.textContent = results.length === 0 ? "Ingen treff. Du kan skrive inn selv."
      : results.length === 1 ? "1 treff" : results.length + " treff";
    if (results.length) { this.open(); } else { this.close(); }
  };

  Lookup.prototype.open = function () {
    this.list.hidden = false;
    if (this.input) { this.input.setAttribute("aria-expanded", "true"); }
  };

  Lookup.prototype.close = function () {
    var self = this;
    this.list.hidden = true;
    this.active = -1;
    this.kind.searchFields.forEach(function (name) {
      var input = self.inputs[name];
      if (input) {
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
      }
    });
  };

  Lookup.prototype.highlight = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    this.active = (index + options.length) % options.length;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    var option = options[this.active];
    this.input.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
  };

  Lookup.prototype.onKey = function (event, input) {
    var isOpen = !this.list.hidden && this.input === input;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!this.results.length || this.input !== input) { return; }
      event.preventDefault();
      if (!isOpen) { this.open(); }
      this.highlight(event.key === "ArrowDown" ? this.active + 1 : (this.active < 0 ? -1 : this.active - 1));
    } else if (event.key === "Enter") {
      // Enter on a highlighted hit chooses it; otherwise it submits the form as usual.
      if (isOpen && this.active >= 0) { event.preventDefault(); this.choose(this.active); }
    } else if (event.key === "Escape") {
      if (isOpen) { event.preventDefault(); this.close(); }
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Lookup.prototype.choose = function (index) {
    var self = this;
    var hit = this.results[index];
    if (!hit) { return; }
    var values = this.kind.values(hit);
    this.filling = true;
    try {
      Object.keys(values).forEach(function (name) {
        var input = self.inputs[name];
        if (input && values[name] !== undefined && values[name] !== null) {
          input.value = values[name];
          input.removeAttribute("aria-invalid");
          fire(input, "input");  // autosave saves the choice and clears any old error on the field
        }
      });
      if (this.verifiedInput) {
        this.verifiedInput.value = "true";
        fire(this.verifiedInput, "input");
      }
    } finally {
      this.filling = false;
    }
    this.close();
    this.showChoice(hit);
    this.live.textContent = "Valgt: " + this.kind.option(hit).main;
  };

  Lookup.prototype.clearNotice = function () {
    this.notice.replaceChildren();
    this.notice.className = "oppslag-status";
  };

  Lookup.prototype.setVerification = function (verified) {
    this.verification.textContent = verified ? this.kind.verified : this.kind.unverified;
    this.verification.classList.toggle("kontrollert", verified);
    this.verification.classList.toggle("ukontrollert", !verified);
  };

  Lookup.prototype.showUnverified = function () {
    if (this.verification) {
      this.clearNotice();
      this.setVerification(false);
      return;
    }
    this.notice.className = "oppslag-status ukontrollert";
    this.notice.replaceChildren(el("p", { text: this.kind.unverified }));
  };

  // hit: the catalogue entry just chosen, or null when only the stored fields are known (after a reload).
  Lookup.prototype.showChoice = function (hit) {
    var kind = this.fieldset.getAttribute("data-oppslag");
    this.current = hit;
    this.notice.className = "oppslag-status kontrollert";
    var children = [];
    if (kind === "legemiddel") {
      var facts = [["Virkestoff", this.value("virkestoff")], ["ATC", this.value("atc")],
        ["Form", this.value("legemiddelform")], ["Styrke", this.value("styrke")]];
      children.push(el("p", {}, [el("strong", { text: this.value("navn") })]));
      children.push(el("p", { class: "oppslag-fakta" }, facts.filter(function (f) { return f[1]; })
        .map(function (f) { return el("span", {}, [f[0] + ": ", el("strong", { text: f[1] })]); })));
      var smpc = hit ? safeUrl(hit.smpc_url) : null;
      if (smpc) {
        var hidden = " for " + (hit.navn || "") + ", åpnes i ny fane";
        children.push(el("p", {}, [el("a", { href: smpc, target: "_blank", rel: "noopener", class: "oppslag-smpc" },
          ["Preparatomtale (SPC)", el("span", { class: "visuelt-skjult", text: hidden })])]));
      } else if (hit) {
        children.push(el("p", { class: "liten", text: "Ingen preparatomtale er registrert for dette legemidlet." }));
      }
      this.suggest(hit);
    } else if (!this.verification) {
      children.push(el("p", {}, [el("strong", { text: join([this.value("kode"), this.value("tekst")], " ") })]));
    }
    if (this.verification) {
      this.setVerification(true);
    } else {
      children.push(el("p", { class: "liten", text: this.kind.verified }));
    }
    this.notice.replaceChildren.apply(this.notice, children);
    if (!children.length) { this.clearNotice(); }
  };

  // The applicant decides: the suggestion only offers to switch the scheme.
  Lookup.prototype.suggest = function (hit) {
    var form = this.fieldset.form || this.fieldset.closest("form");
    var select = form ? form.querySelector("select[name=kategori]") : null;
    if (!hit || !hit.krever_godkjenningsfritak) { this.suggestion.replaceChildren(); return; }
    var box = el("div", { class: "melding advarsel" }, [
      el("p", { text: "Dette legemidlet har ikke norsk markedsføringstillatelse. " +
        "Vurder ordningen Godkjenningsfritak." })
    ]);
    if (select && select.querySelector("option[value=godkjenningsfritak]")) {
      if (select.value === "godkjenningsfritak") {
        box.appendChild(el("p", { class: "liten", text: "Søknaden gjelder allerede ordningen Godkjenningsfritak." }));
      } else {
        var button = el("button", { type: "button", class: "knapp sekundar",
          text: "Velg ordningen Godkjenningsfritak" });
        button.addEventListener("click", function () {
          select.value = "godkjenningsfritak";
          fire(select, "input");
          fire(select, "change");
          box.replaceChildren(el("p", { text: "Ordningen er endret til Godkjenningsfritak. " +
            "Du kan endre den tilbake i feltet «Ordning»." }));
          select.focus();
        });
        box.appendChild(button);
      }
    }
    this.suggestion.replaceChildren(box);
  };

  Lookup.prototype.unavailable = function () {
    this.close();
    if (unavailableShown) { return; }
    unavailableShown = true;
    var notice = el("p", { class: "melding advarsel oppslag-utilgjengelig", role: "status", text: UNAVAILABLE });
    this.notice.insertAdjacentElement("beforebegin", notice);
  };

  Lookup.prototype.clearUnavailable = function () {
    document.querySelectorAll(".oppslag-utilgjengelig").forEach(function (n) { n.remove(); });
    unavailableShown = false;
  };

  // --- precedent before work -----------------------------------------------------------------------------
  function Precedent(section) {
    this.section = section;
    this.url = section.getAttribute("data-presedens-url");
    // A published group decision is read in the national overview, at a stable address per løpenummer.
    this.oversikt = section.getAttribute("data-oversikt-url") || "/oversikt";
    // A live region around the whole panel would read every table cell aloud on each change; the panel
    // announces itself with one short status line instead (see render).
    section.removeAttribute("aria-live");
    this.original = Array.prototype.slice.call(section.childNodes);
    this.timer = null;
    this.controller = null;
    this.shownKey = null;
  }

  Precedent.prototype.field = function (name) {
    var input = document.querySelector("[name='" + name + "']");
    return input ? input.value.trim() : "";
  };

  Precedent.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.update(); }, PRECEDENT_DELAY_MS);
  };

  Precedent.prototype.update = function () {
    var self = this;
    var virkestoff = this.field("innhold.legemiddel.virkestoff");
    var atc = this.field("innhold.legemiddel.atc");
    var icd10 = this.field("innhold.indikasjon.kode");
    if (!ATC.test(atc)) { atc = ""; }  // half-typed: the substance alone is enough, and the field shows the error
    var complete = (virkestoff || atc) && ICD10.test(icd10) && virkestoff.length <= 100;
    var key = complete ? [virkestoff.toLowerCase(), atc.toUpperCase(), icd10.toUpperCase()].join("|") : null;
    if (key === this.shownKey) { return; }
    if (this.controller) { this.controller.abort(); this.controller = null; }
    this.shownKey = key;
    if (!key) { this.section.replaceChildren.apply(this.section, this.original); return; }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    this.controller = controller;
    var query = "?virkestoff=" + encodeURIComponent(virkestoff) + "&atc=" + encodeURIComponent(atc) +
      "&icd10=" + encodeURIComponent(icd10);
    this.section.setAttribute("aria-busy", "true");
    getJson(this.url + query, controller ? controller.signal : undefined).then(function (data) {
      if (self.controller !== controller) { return; }
      self.controller = null;
      self.section.removeAttribute("aria-busy");
      self.render(data);
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      self.section.removeAttribute("aria-busy");
      if (error && error.status === 422) {  // not a search yet (the form shows what is wrong with the field)
        self.section.replaceChildren.apply(self.section, self.original);
        return;
      }
      self.shownKey = null;  // try again on the next change
      self.section.replaceChildren(el("p", { class: "melding advarsel", role: "status",
        text: "Tidligere vedtak kan ikke hentes nå. Søknaden kan skrives og sendes likevel." }));
    });
  };

  function count(value) {
    if (value === "<5") {
      return [el("span", { "aria-hidden": "true", text: "<5" }),
        el("span", { class: "visuelt-skjult", text: "færre enn 5" })];
    }
    return [String(value)];
  }

  // The same structure as the server's templates/_presedens.html (the page without JavaScript).
  Precedent.prototype.render = function (p) {
    var drug = p.virkestoff || p.atc;
    var local = renderLocal(p, drug);
    var nodes = [
      el("h2", { id: "presedens-tittel",
        text: "Før du skriver mer: tidligere vedtak for " + drug + " ved " + p.icd10 }),
      local.node,
      renderNational(p, drug, this.oversikt),
      el("p", { class: "visuelt-skjult", role: "status", text: local.summary ||
        "Tidligere vedtak for " + drug + " ved " + p.icd10 + " vises under «Før du skriver mer»." })
    ];
    this.section.classList.add("presedens");
    this.section.setAttribute("aria-labelledby", "presedens-tittel");
    this.section.replaceChildren.apply(this.section, nodes);
  };

  function renderLocal(p, drug) {
    var lok = p.lokalt;
    var node = el("div", { class: "presedens-del" }, [el("h3", { text: "I " + lok.hf_navn })]);
    var summary = "";
    lok.gruppevedtak.forEach(function (g) {
      var what = (g.virkestoff || g.legemiddel_navn || "") + " ved " + (g.icd10_kode || "") + " i " + g.enhet_navn;
      var link = g.url ? el("a", { href: g.url, text: g.lopenummer }) : g.lopenummer;
      var text;
      if (!g.gjeldende) {
        text = el("p", {}, ["Gruppevedtak ", link,
          " gjaldt " + what + " til " + day(g.gyldig_til) + ". Det er utløpt."]);
      } else if (g.dekker_koden) {
        text = el("p", {}, [el("strong", {}, ["Gruppevedtak ", link, " dekker " + what + "."]),
          " Du trenger kanskje ikke søke."]);
        summary = summary || "Gruppevedtak " + g.lopenummer + " dekker " + what + ". Du trenger kanskje ikke søke.";
      } else {
        text = el("p", {}, ["Gruppevedtak ", link, " gjelder " + (g.virkestoff || g.legemiddel_navn || "") +
          " ved " + (g.icd10_kode || "") + " (" + (g.icd10_tekst || "") + ") i " + g.enhet_navn +
          ", en annen kode i samme kategori."]);
      }
      var meta = (UTFALL[g.utfall] || g.utfall) + (g.vedtak_maned ? ", " + month(g.vedtak_maned) : "") +
        (g.gjeldende && g.gyldig_til ? ". Gyldig til " + day(g.gyldig_til) : "") + ".";
      var kind = g.gjeldende && g.dekker_koden ? "ok" : "info";
      node.appendChild(el("div", { class: "melding " + kind + " presedens-gruppevedtak" },
        [text, el("p", { class: "liten", text: meta })]));
    });
    var ev = lok.enkeltvedtak;
    if (ev.innvilget || ev.avslatt) {
      node.appendChild(el("p", {}, ["Enkeltpasientvedtak i " + lok.hf_navn + ": ",
        el("strong", { text: String(ev.innvilget) }), " innvilget, ",
        el("strong", { text: String(ev.avslatt) }), " avslått."]));
    } else if (!lok.gruppevedtak.length) {
      node.appendChild(el("p", { text: lok.hf_navn + " har ingen tidligere vedtak for " + drug + " ved " +
        p.icd10_kategori + "." }));
    }
    return { node: node, summary: summary };
  }

  function renderNational(p, drug, oversikt) {
    var nas = p.nasjonalt;
    var node = el("div", { class: "presedens-del" }, [el("h3", { text: "Nasjonalt" })]);
    if (!nas.tilgjengelig) {
      node.appendChild(el("p", { class: "melding advarsel", text: "Nasjonal oversikt er ikke tilgjengelig nå." }));
      return node;
    }
    if (nas.gruppevedtak.length) {
      node.appendChild(el("p", { text: "Gruppevedtak i andre helseforetak:" }));
      node.appendChild(el("ul", { class: "presedens-liste" }, nas.gruppevedtak.map(function (g) {
        var rest = " – " + g.hf_navn + ": " + g.virkestoff + " ved " + g.icd10_kode + " (" + g.icd10_tekst +
          "), " + (UTFALL[g.utfall] || g.utfall).toLowerCase() + (g.vedtak_maned ? ", " + month(g.vedtak_maned) : "");
        var link = el("a", { href: oversikt + "/gruppevedtak/" + encodeURIComponent(g.lopenummer) },
          [el("strong", { text: g.lopenummer })]);
        return el("li", {}, [link, rest]);
      })));
    }
    if (nas.per_hf.length) {
      var limit = nas.prikkegrense || 5;
      var headings = ["Helseforetak", "Innvilget", "Innvilget med vilkår", "Avslått"];
      node.appendChild(el("table", { class: "presedens-tabell" }, [
        el("caption", { text: "Enkeltpasientvedtak per helseforetak, " + drug + " ved " + p.icd10_kategori }),
        el("thead", {}, [el("tr", {}, headings.map(function (h) { return el("th", { scope: "col", text: h }); }))]),
        el("tbody", {}, nas.per_hf.map(function (r) {
          return el("tr", {}, [el("th", { scope: "row", text: r.hf_navn }), el("td", {}, count(r.innvilget)),
            el("td", {}, count(r.innvilget_med_vilkar)), el("td", {}, count(r.avslatt))]);
        }))
      ]));
      node.appendChild(el("p", { class: "liten", text: "Tall fra 1 til " + (limit - 1) + " vises som «<" + limit +
        "», fordi sjeldne diagnoser ellers kan gjøre pasienter gjenkjennelige. " +
        "Spør helseforetaket som eier saken om detaljer." }));
    } else if (!nas.gruppevedtak.length) {
      node.appendChild(el("p", { text: "Ingen helseforetak har meldt vedtak for " + drug + " ved " +
        p.icd10_kategori + " til den nasjonale oversikten." }));
    }
    return node;
  }

  // --- start ---------------------------------------------------------------------------------------------
  document.querySelectorAll("fieldset.oppslag[data-oppslag][data-oppslag-url]").forEach(function (fieldset) {
    new Lookup(fieldset);  // eslint-disable-line no-new
  });
  var section = document.querySelector("#presedens[data-presedens-url]");
  if (section) {
    var precedent = new Precedent(section);
    // Fields typed without the look-up (or filled before this script ran) count too.
    document.addEventListener("input", function (event) {
      var name = event.target && event.target.name;
      if (["innhold.legemiddel.virkestoff", "innhold.legemiddel.atc", "innhold.indikasjon.kode"].indexOf(name) >= 0) {
        precedent.schedule();
      }
    });
    precedent.update();
  }
})();
