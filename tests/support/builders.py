"""Small builders of valid data, with overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.domain.identifiers import synthetic_fodselsnummer

UNNTAK_OG_TILGANG = ("unntaksordningen", "tilgangsordningen")


def complete_innhold(
    type_: str = "enkeltpasient", kategori: str = "off_label", **overrides: Any
) -> dict[str, Any]:
    """A complete application for `type_` × `kategori` that can be sent as it is (form version 1).

    Written out by hand, not derived from the form rules, so tests of those rules compare against an
    independent answer. An override of None removes the answer."""
    innhold: dict[str, Any] = {
        "indikasjon": {"kode": "G36.0", "tekst": "Neuromyelitis optica", "verifisert": True},
        "alvorlighetsgrad": "alvorlig",
        "alvorlighet_beskrivelse": "To attakker siste år med synstap; risiko for varig funksjonstap.",
        "legemiddel": {
            "navn": "MabThera inf kons 10 mg/ml",
            "virkestoff": "rituksimab",
            "atc": "L01FA01",
            "legemiddelform": "Konsentrat til infusjonsvæske",
            "styrke": "10 mg/ml",
            "verifisert": True,
        },
        "dose": "1000 mg",
        "administrasjonsvei": "intravenos",
        "doseringsintervall": "Dag 1 og 15, deretter hver 6. måned",
        "antall_kurer": 3,
        "behandlingsvarighet": "18 måneder",
        "tiltenkt_bruk": "Forebygging av attakker ved NMOSD, som ikke er godkjent indikasjon.",
        "tidligere_behandling": "Azatioprin 150 mg daglig i 12 måneder.",
        "tidligere_behandling_utfall": "To attakker under behandling; manglende effekt.",
        "klinisk_studie": "nei",
        "dokumentasjon": "Observasjonsstudier og nasjonal faglig retningslinje anbefaler rituksimab.",
        "dokumentasjon_niva": "observasjonsstudier",
        "forventet_effekt": "Færre attakker og bevart syn.",
        "estimert_kostnad_nok": 180_000,
        "kostnad_grunnlag": "2 × 1000 mg hver 6. måned, sykehusapotekets pris.",
        "evalueringsplan": "Attakkfrekvens og MR etter 12 måneder, ansvarlig overlege.",
        "evaluering_tidspunkt": "Etter 12 måneder",
        "stoppkriterier": "Nytt attakk tross behandling, eller alvorlige infeksjoner.",
        "bivirkninger_oppfolging": "Immunglobuliner og infeksjoner følges før hver kur.",
        "register_registrering": "nei",
        "begrunnelse": "Alvorlig sykdom uten effekt av førstelinjebehandling; godt dokumentert alternativ.",
    }
    if type_ == "enkeltpasient":
        innhold |= {
            "pasient_fodselsnummer": synthetic_fodselsnummer(date(1979, 4, 12), sex="kvinne"),
            "pasient_navn": "Syntetisk Testpasient",
            "pasient_informert": "ja",
            "skriftlig_samtykke": "ja",
            "samtykke_dato": "2026-01-15",
        }
    else:
        innhold |= {
            "gruppe_beskrivelse": "Voksne med NMOSD ved nevrologisk avdeling.",
            "gruppe_kriterier": "AQP4-positiv NMOSD; ikke graviditet.",
            "gruppe_storrelse": 12,
            "gruppe_informasjon": "Muntlig og skriftlig informasjon ved oppstart, samtykke i journalen.",
        }
    if kategori in ("off_label", *UNNTAK_OG_TILGANG):
        innhold["godkjent_bruk"] = "Non-Hodgkins lymfom, KLL, revmatoid artritt og vaskulitt."
    if kategori == "godkjenningsfritak":
        innhold |= {
            "godkjenningsfritak_begrunnelse": "Styrken finnes ikke som norsk markedsført preparat.",
            "godkjent_i_land": "Sverige",
        }
    if kategori in UNNTAK_OG_TILGANG:
        innhold["nye_metoder_id"] = "ID2023_045"
        if type_ == "enkeltpasient":
            innhold["klinisk_eksepsjonell"] = "Langt alvorligere forløp enn gruppen i metodevurderingen."
    if kategori == "unntaksordningen":
        innhold["markedsforingstillatelse"] = "ja"
    for key, value in overrides.items():
        if value is None:
            innhold.pop(key, None)
        else:
            innhold[key] = value
    return innhold
