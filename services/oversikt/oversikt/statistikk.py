"""The national statistics as tables (for the pages, CSV and JSON), with or without small-cell suppression.

Built from grouped counts only (`store.Tellinger`), never from cases. The public version passes every
table that shares a margin through `prikking` as one set, so a total published in one table cannot
give away a cell suppressed in another."""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable
from dataclasses import dataclass, field

from oversikt.domain import AVSLUTNING_LABELS, EFFEKT_LABELS
from oversikt.prikking import Linje, prikk
from oversikt.store import AVGJORT, TID_INTERVALLER, UKJENT_TID, Tellinger, Tider
from shared.domain.trusts import RHF_NAVN, hf_navn, rhf_for

RESULTAT_LABELS = {
    "innvilget": "Innvilget",
    "innvilget_med_vilkar": "Innvilget med vilkår",
    "avslatt": "Avslått",
    "under_behandling": "Under behandling",
    "trukket": "Trukket",
    "opphevet": "Opphevet",
}
KATEGORI_KORT = {
    "off_label": "Off-label",
    "godkjenningsfritak": "Godkjenningsfritak",
    "unntaksordningen": "Unntaksordningen",
    "tilgangsordningen": "Tilgangsordningen",
}
OPPFOLGING_LABELS = {**EFFEKT_LABELS, **{k: f"Avsluttet: {v.lower()}" for k, v in AVSLUTNING_LABELS.items()}}

Verdi = int | None
"""A published count, or None where it is suppressed."""


@dataclass(frozen=True)
class Rad:
    nokkel: str
    etikett: str
    verdier: list[Verdi]
    total: Verdi
    delsum: bool = False
    """A subtotal row (a region under its trusts)."""


@dataclass(frozen=True)
class Tabell:
    id: str
    tittel: str
    rad_tittel: str
    kolonner: list[tuple[str, str]]
    rader: list[Rad]
    total: Rad | None

    def csv(self) -> str:
        """Semicolons, for Norwegian Excel; a suppressed cell is «:», as on the page and as Statistics
        Norway marks it, and a month is written so Excel keeps it (2025M03, not a date)."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([self.rad_tittel, *(label for _, label in self.kolonner), "Totalt"])
        for rad in [*self.rader, *([self.total] if self.total else [])]:
            writer.writerow([excel_tekst(rad.etikett), *(map(_skjult, rad.verdier)), _skjult(rad.total)])
        return out.getvalue()

    def json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tittel": self.tittel,
            "kolonner": [{"nokkel": k, "etikett": v} for k, v in self.kolonner],
            "rader": [
                {
                    "nokkel": r.nokkel,
                    "etikett": r.etikett,
                    "verdier": dict(zip((k for k, _ in self.kolonner), r.verdier, strict=True)),
                    "totalt": r.total,
                    "delsum": r.delsum,
                }
                for r in [*self.rader, *([self.total] if self.total else [])]
            ],
        }


SKJULT = ":"
"""A suppressed count in the CSV files."""


def _skjult(value: Verdi) -> object:
    return SKJULT if value is None else value


def excel_tekst(value: str) -> str:
    """A month (2025-03) or a band (6-12) as Excel keeps it: it would make a date of either. Months are
    written as Statistics Norway writes them (2025M03), bands with a dash Excel does not read (6–12)."""
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        return f"{value[:4]}M{value[5:]}"
    head, dash, tail = value.partition("-")
    if dash and head.isdigit() and (tail.isdigit() or tail.endswith("+")):
        return f"{head}–{tail}"
    return value


@dataclass(frozen=True)
class TidRad:
    nokkel: str
    etikett: str
    tider: Tider | None
    """None where too few decisions to show quartiles."""
    antall: Verdi
    """Its decisions: with a known processing time (inside the trust); every decision of the region, as
    the outcome table counts them, and suppressed with it (the public page)."""


@dataclass
class Statistikk:
    maneder: list[str]
    tabeller: dict[str, Tabell]
    tider: list[TidRad]
    tider_alle: Tider | None
    antall_alle: Verdi
    """The country's decisions, counted as `TidRad.antall` is."""
    prikket: bool
    antall_skjult: int = 0
    notater: list[str] = field(default_factory=list)

    def json(self) -> dict[str, object]:
        return {
            "prikket": self.prikket,
            "tabeller": [t.json() for t in self.tabeller.values()],
            "behandlingstid": [
                {"nokkel": r.nokkel, "etikett": r.etikett, **_tider_json(r.tider, r.antall)}
                for r in self.tider
            ],
            "behandlingstid_alle": _tider_json(self.tider_alle, self.antall_alle),
        }


def _tider_json(t: Tider | None, antall: Verdi) -> dict[str, object]:
    if t is None:
        return {"antall": antall, "q1": None, "median": None, "q3": None}
    return {"antall": antall, "q1": t.q1, "median": t.median, "q3": t.q3}


MIN_TIDER = 5
"""Fewest decisions behind published quartiles of processing time (the public page)."""


MAKS_MANEDER = 240
"""Longest run of months filled in (20 years); a longer period lists only the months with cases."""


def maneder_i(med_data: set[str], fra: str = "", til: str = "") -> list[str]:
    """Every month from `fra` (or the first with cases) to `til` (or the last), those without cases
    too, so a chart's axis and a table never skip a month silently."""
    start, slutt = fra or min(med_data, default=""), til or max(med_data, default="")
    if not start or not slutt or start > slutt:
        return sorted(med_data)
    (ar, mnd), (siste_ar, siste_mnd) = (map(int, m.split("-")) for m in (start, slutt))
    antall = (siste_ar - ar) * 12 + siste_mnd - mnd + 1
    if antall > MAKS_MANEDER:
        return sorted(med_data)
    return [f"{ar + (mnd - 1 + i) // 12:04d}-{(mnd - 1 + i) % 12 + 1:02d}" for i in range(antall)]


def bygg(t: Tellinger, *, prikk_sma: bool, fra: str = "", til: str = "") -> Statistikk:
    """The tables of one release; `prikk_sma` suppresses small cells (the public page). The months run
    from `fra` to `til` (YYYY-MM) where given."""
    maneder = maneder_i({m for m, _ in t.maned_kategori} | {m for m, _ in t.maned_resultat}, fra, til)
    hfs = sorted({hf for hf, _ in t.hf_resultat}, key=lambda h: (rhf_for(h), hf_navn(h)))
    rhfs = [r for r in RHF_NAVN if any(rhf_for(h) == r for h in hfs)] + sorted(
        {rhf_for(h) for h in hfs} - set(RHF_NAVN)
    )
    kategorier = list(KATEGORI_KORT)
    resultater = list(RESULTAT_LABELS)
    intervaller = [label for label, _, _ in TID_INTERVALLER]

    verdier: dict[Hashable, int] = {}
    linjer: list[Linje] = []

    def add(key: Hashable, value: int) -> None:
        verdier[key] = verdier.get(key, 0) + value

    # The cells, and the totals every table of cases shares: month, category, outcome, trust, region, all.
    for m in maneder:
        for k in kategorier:
            add(("mk", m, k), t.maned_kategori.get((m, k), 0))
        for r in resultater:
            add(("mr", m, r), t.maned_resultat.get((m, r), 0))
    for hf in hfs:
        for r in resultater:
            add(("hr", hf, r), t.hf_resultat.get((hf, r), 0))
    for m in maneder:
        add(("m", m), sum(verdier[("mk", m, k)] for k in kategorier))
        linjer.append(Linje(("m", m), tuple(("mk", m, k) for k in kategorier)))
        linjer.append(Linje(("m", m), tuple(("mr", m, r) for r in resultater)))
    for k in kategorier:
        add(("k", k), sum(verdier[("mk", m, k)] for m in maneder))
        linjer.append(Linje(("k", k), tuple(("mk", m, k) for m in maneder)))
    for r in resultater:
        add(("r", r), sum(verdier[("hr", hf, r)] for hf in hfs))
        linjer.append(Linje(("r", r), tuple(("mr", m, r) for m in maneder)))
        linjer.append(Linje(("r", r), tuple(("rr", rhf, r) for rhf in rhfs)))
        # The country's row sums the trusts' rows as well as the regions' (the table shows both).
        linjer.append(Linje(("r", r), tuple(("hr", hf, r) for hf in hfs)))
    for hf in hfs:
        add(("h", hf), sum(verdier[("hr", hf, r)] for r in resultater))
        linjer.append(Linje(("h", hf), tuple(("hr", hf, r) for r in resultater)))
    for rhf in rhfs:
        members = [hf for hf in hfs if rhf_for(hf) == rhf]
        for r in resultater:
            add(("rr", rhf, r), sum(verdier[("hr", hf, r)] for hf in members))
            linjer.append(Linje(("rr", rhf, r), tuple(("hr", hf, r) for hf in members)))
        add(("R", rhf), sum(verdier[("h", hf)] for hf in members))
        linjer.append(Linje(("R", rhf), tuple(("rr", rhf, r) for r in resultater)))
        linjer.append(Linje(("R", rhf), tuple(("h", hf) for hf in members)))
    add(("alle",), sum(verdier[("m", m)] for m in maneder))
    for deler in (
        [("m", m) for m in maneder],
        [("k", k) for k in kategorier],
        [("r", r) for r in resultater],
        [("R", rhf) for rhf in rhfs],
        [("h", hf) for hf in hfs],
    ):
        linjer.append(Linje(("alle",), tuple(deler)))

    # The decided cases, per region and in all: the processing-time table counts them (each region's
    # decisions, and the intervals, whose total is every decision). Their lines tie those counts to the
    # outcome cells, or a decision count would give a suppressed outcome away by subtraction.
    # Its cases are the decided ones and the rest: «region minus its decisions» is a sum of the rest.
    uavgjort = [r for r in resultater if r not in AVGJORT]
    for rhf in rhfs:
        add(("Rb", rhf), sum(verdier[("rr", rhf, r)] for r in AVGJORT))
        linjer.append(Linje(("Rb", rhf), tuple(("rr", rhf, r) for r in AVGJORT)))
        linjer.append(Linje(("R", rhf), (("Rb", rhf), *(("rr", rhf, r) for r in uavgjort))))
    add(("b",), sum(verdier[("r", r)] for r in AVGJORT))
    linjer.append(Linje(("b",), tuple(("r", r) for r in AVGJORT)))
    linjer.append(Linje(("b",), tuple(("Rb", rhf) for rhf in rhfs)))
    linjer.append(Linje(("alle",), (("b",), *(("r", r) for r in uavgjort))))
    if t.tid_intervall.get(UKJENT_TID):
        intervaller.append(UKJENT_TID)
    for label in intervaller:
        add(("ti", label), t.tid_intervall.get(label, 0))
    linjer.append(Linje(("b",), tuple(("ti", label) for label in intervaller)))

    # Follow-up per substance and indication: its own two-way table.
    par = sorted({(v, k) for v, k, _ in t.oppfolging})
    utfall = list(OPPFOLGING_LABELS)
    for v, k, u in t.oppfolging:
        add(("of", v, k, u), t.oppfolging[(v, k, u)])
    for v, k in par:
        for u in utfall:
            verdier.setdefault(("of", v, k, u), 0)
        add(("ofr", v, k), sum(verdier[("of", v, k, u)] for u in utfall))
        linjer.append(Linje(("ofr", v, k), tuple(("of", v, k, u) for u in utfall)))
    for u in utfall:
        add(("ofk", u), sum(verdier[("of", v, k, u)] for v, k in par))
        linjer.append(Linje(("ofk", u), tuple(("of", v, k, u) for v, k in par)))
    add(("of_alle",), sum(verdier[("ofr", v, k)] for v, k in par))
    linjer.append(Linje(("of_alle",), tuple(("ofr", v, k) for v, k in par)))
    linjer.append(Linje(("of_alle",), tuple(("ofk", u) for u in utfall)))

    skjult = prikk(verdier, linjer) if prikk_sma else set()

    def val(key: Hashable) -> Verdi:
        return None if key in skjult else verdier.get(key, 0)

    tabeller = {
        "maned_kategori": Tabell(
            "maned_kategori",
            "Søknader per måned etter ordning",
            "Måned",
            [(k, KATEGORI_KORT[k]) for k in kategorier],
            [Rad(m, m, [val(("mk", m, k)) for k in kategorier], val(("m", m))) for m in maneder],
            Rad("totalt", "Totalt", [val(("k", k)) for k in kategorier], val(("alle",))),
        ),
        "maned_resultat": Tabell(
            "maned_resultat",
            "Søknader per måned etter utfall",
            "Måned",
            [(r, RESULTAT_LABELS[r]) for r in resultater],
            [Rad(m, m, [val(("mr", m, r)) for r in resultater], val(("m", m))) for m in maneder],
            Rad("totalt", "Totalt", [val(("r", r)) for r in resultater], val(("alle",))),
        ),
        "helseforetak": Tabell(
            "helseforetak",
            "Søknader per helseforetak og region etter utfall",
            "Helseforetak",
            [(r, RESULTAT_LABELS[r]) for r in resultater],
            [
                rad
                for rhf in rhfs
                for rad in [
                    *(
                        Rad(hf, hf_navn(hf), [val(("hr", hf, r)) for r in resultater], val(("h", hf)))
                        for hf in hfs
                        if rhf_for(hf) == rhf
                    ),
                    Rad(
                        rhf,
                        RHF_NAVN.get(rhf, rhf),
                        [val(("rr", rhf, r)) for r in resultater],
                        val(("R", rhf)),
                        delsum=True,
                    ),
                ]
            ],
            Rad("totalt", "Hele landet", [val(("r", r)) for r in resultater], val(("alle",))),
        ),
        "behandlingstid_intervall": Tabell(
            "behandlingstid_intervall",
            "Vedtak etter behandlingstid",
            "Behandlingstid",
            [("vedtak", "Vedtak")],
            [Rad(label, label, [val(("ti", label))], val(("ti", label))) for label in intervaller],
            Rad("totalt", "Totalt", [val(("b",))], val(("b",))),
        ),
        "oppfolging": Tabell(
            "oppfolging",
            "Oppfølging av innvilget behandling per legemiddel og indikasjon",
            "Virkestoff og indikasjon",
            [(u, OPPFOLGING_LABELS[u]) for u in utfall],
            [
                Rad(f"{vs}|{k}", f"{vs} – {k}", [val(("of", vs, k, u)) for u in utfall], val(("ofr", vs, k)))
                for vs, k in par
            ],
            Rad("totalt", "Totalt", [val(("ofk", u)) for u in utfall], val(("of_alle",))),
        ),
    }

    def vis_tider(x: Tider | None) -> Tider | None:
        if x is None or x.antall == 0:
            return None
        return x if (not prikk_sma or x.antall >= MIN_TIDER) else None

    if prikk_sma:
        # Per region only: a trust's quartiles can rest on very few decisions. The counts are the
        # suppressed decision counts, not the quartiles' own: those are outside the suppression's lines.
        tider = [
            TidRad(rhf, RHF_NAVN.get(rhf, rhf), vis_tider(t.tider_rhf.get(rhf)), val(("Rb", rhf)))
            for rhf in rhfs
        ]
        antall_alle = val(("b",))
    else:
        tider = [
            TidRad(hf, hf_navn(hf), vis_tider(x := t.tider_hf.get(hf)), x.antall if x else 0) for hf in hfs
        ]
        antall_alle = t.tider_alle.antall
    return Statistikk(
        maneder=maneder,
        tabeller=tabeller,
        tider=tider,
        tider_alle=vis_tider(t.tider_alle),
        antall_alle=antall_alle,
        prikket=prikk_sma,
        antall_skjult=len(skjult),
    )
