"""Norwegian labels of the shared vocabulary (the values in `shared.events.common`), for every page."""

from __future__ import annotations

TYPE_LABELS = {"enkeltpasient": "Enkeltpasient", "gruppe": "Pasientgruppe"}

KATEGORI_LABELS = {
    "off_label": "Utenfor godkjent indikasjon (off-label)",
    "godkjenningsfritak": "Godkjenningsfritak (uten markedsføringstillatelse)",
    "unntaksordningen": "Unntaksordningen (Nye metoder)",
    "tilgangsordningen": "Tilgangsordningen (Nye metoder)",
}

UTFALL_LABELS = {
    "innvilget": "Innvilget",
    "innvilget_med_vilkar": "Innvilget med vilkår",
    "avslatt": "Avslått",
}

ANBEFALING_LABELS = {
    "innvilge": "Innvilge",
    "innvilge_med_vilkar": "Innvilge med vilkår",
    "avsla": "Avslå",
}

VURDERINGSFLYT_LABELS = {
    "forenklet": "Forenklet (fagdirektøren avgjør direkte)",
    "komplett": "Komplett (etter vurdering i komiteen)",
    "interregional": "Interregional (den interregionale vurderingskomiteen avgjorde)",
}

KRITERIE_LABELS = {
    "alvorlighet": "Alvorlighet",
    "nytte": "Nytte",
    "ressursbruk": "Ressursbruk",
    "evidenskvalitet": "Kvalitet på dokumentasjonen",
}

NIVA_LABELS = {1: "Lav", 2: "Moderat", 3: "Høy"}

KJONN_LABELS = {"mann": "Mann", "kvinne": "Kvinne"}

EFFEKT_LABELS = {"ingen": "Ingen effekt", "delvis": "Delvis effekt", "god": "God effekt"}

AVSLUTNINGSARSAK_LABELS = {
    "manglende_effekt": "Manglende effekt",
    "bivirkninger": "Bivirkninger",
    "pasientens_onske": "Pasientens ønske",
    "behandling_fullfort": "Behandlingen er fullført",
    "dod": "Pasienten er død",
    "annet": "Annet",
}

BIVIRKNINGSGRAD_LABELS = {
    "lett": "Lett (grad 1)",
    "moderat": "Moderat (grad 2)",
    "alvorlig": "Alvorlig (grad 3)",
    "livstruende": "Livstruende (grad 4)",
    "dodelig": "Dødelig (grad 5)",
}

VILKARSTYPE_LABELS = {
    "evaluering": "Evaluering",
    "stoppregel": "Stoppregel",
    "registrering": "Registrering",
    "pasientinformasjon": "Pasientinformasjon",
    "annet": "Annet",
}
