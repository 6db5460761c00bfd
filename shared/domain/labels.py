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
}

KRITERIE_LABELS = {
    "alvorlighet": "Alvorlighet",
    "nytte": "Nytte",
    "ressursbruk": "Ressursbruk",
    "evidenskvalitet": "Kvalitet på dokumentasjonen",
}

NIVA_LABELS = {1: "Lav", 2: "Moderat", 3: "Høy"}

KJONN_LABELS = {"mann": "Mann", "kvinne": "Kvinne"}
