"""Pure rules of the national overview: who may publish a trust's summaries, which summary wins,
and the search filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from oversikt.icd10 import KAPITTEL_NAVN
from shared.domain.presedens import Presedenssok  # noqa: F401 - the query of the precedent endpoint
from shared.domain.trusts import HELSEFORETAK, RHF_NAVN

STATUS_LABELS = {
    "til_vurdering": "Til vurdering",
    "vedtatt": "Vedtatt",
    "trukket": "Trukket",
    "opphevet": "Opphevet",
}
TYPE_LABELS = {"enkeltpasient": "Enkeltpasient", "gruppe": "Pasientgruppe"}
KATEGORI_LABELS = {
    "off_label": "Utenfor godkjent indikasjon (off-label)",
    "godkjenningsfritak": "Godkjenningsfritak",
    "unntaksordningen": "Unntaksordningen",
    "tilgangsordningen": "Tilgangsordningen",
}
UTFALL_LABELS = {
    "innvilget": "Innvilget",
    "innvilget_med_vilkar": "Innvilget med vilkår",
    "avslatt": "Avslått",
}
FLYT_LABELS = {
    "forenklet": "Forenklet (fagdirektør)",
    "komplett": "Komplett (komité og fagdirektør)",
    "interregional": "Interregional vurderingskomité",
}
EFFEKT_LABELS = {"god": "God effekt", "delvis": "Delvis effekt", "ingen": "Ingen effekt"}
AVSLUTNING_LABELS = {
    "manglende_effekt": "Manglende effekt",
    "bivirkninger": "Bivirkninger",
    "pasientens_onske": "Pasientens ønske",
    "behandling_fullfort": "Behandlingen er fullført",
    "dod": "Død",
    "annet": "Annet",
}
BIVIRKNING_LABELS = {
    "lett": "Lett",
    "moderat": "Moderat",
    "alvorlig": "Alvorlig",
    "livstruende": "Livstruende",
    "dodelig": "Dødelig",
}
KJONN_LABELS = {"mann": "Mann", "kvinne": "Kvinne"}

MAX_SIDE = 10_000
"""The last page number the search accepts (deeper pages are a query, not a browse)."""

_ICD10 = re.compile(r"[A-Z][0-9]{0,2}(\.?[0-9]{0,2})?")
_ATC = re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?")
_MANED = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def publisher_refusal(
    *,
    envelope_hf: str,
    payload_hf: object,
    user_id: str | None,
    expected_user: str,
    known_hf: Mapping[str, object],
    require_user_id: bool,
) -> str | None:
    """Why a summary must be refused, or None when its publisher may speak for the trust it names.

    The broker guarantees `user_id` is the publishing connection's user, and each trust's integrasjon
    has its own user: so a trust can only ever write summaries under its own code."""
    if envelope_hf not in known_hf:
        return "unknown trust"
    if payload_hf != envelope_hf:
        return "payload hf differs from envelope hf"
    if user_id is None:
        return "no user-id" if require_user_id else None
    if user_id != expected_user:
        return "user-id is not the trust's publisher"
    return None


def is_newer(*, stored_sekvens: int | None, incoming_sekvens: int) -> bool:
    """Summaries of one case may arrive out of order or twice; only a higher sequence replaces."""
    return stored_sekvens is None or incoming_sekvens > stored_sekvens


def known_trusts(expected_publishers: Mapping[str, str]) -> dict[str, object]:
    return {**HELSEFORETAK, **expected_publishers}


_VALG: dict[str, tuple[Mapping[str, object], str]] = {
    "hf": (HELSEFORETAK, "Velg et helseforetak fra listen."),
    "rhf": (RHF_NAVN, "Velg et regionalt helseforetak fra listen."),
    "kategori": (KATEGORI_LABELS, "Velg en ordning fra listen."),
    "type": (TYPE_LABELS, "Velg enkeltpasient eller pasientgruppe."),
    "status": (STATUS_LABELS, "Velg en status fra listen."),
    "utfall": (UTFALL_LABELS, "Velg et vedtak fra listen."),
    "vurderingsflyt": (FLYT_LABELS, "Velg et beslutningsnivå fra listen."),
}
"""The codes each list filter offers (the page shows their labels), and what to say of any other."""


class Sokefilter(BaseModel):
    """The national search's filters; none of them can hold personal data, so they may sit in the URL."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    hf: str = Field(default="", max_length=20, description="Trust code.")
    rhf: str = Field(default="", max_length=10, description="Regional health authority (HSO, HV, HMN, HN).")
    kategori: str = Field(default="", max_length=30, description="Scheme.")
    type: str = Field(default="", max_length=20, description="`enkeltpasient` or `gruppe`.")
    status: str = Field(default="", max_length=20, description="Case status.")
    utfall: str = Field(default="", max_length=30, description="Decision outcome.")
    vurderingsflyt: str = Field(default="", max_length=20, description="Decision level.")
    virkestoff: str = Field(default="", max_length=200, description="Active substance (exact, any case).")
    atc: str = Field(default="", max_length=7, description="ATC code at any level: matches its start.")
    legemiddel: str = Field(
        default="", max_length=100, description="ATC code (prefix), substance or drug name (free text)."
    )
    icd10: str = Field(
        default="", max_length=10, description="ICD-10 code or its start, with or without dot."
    )
    kapittel: str = Field(default="", max_length=5, description="ICD-10 chapter as a Roman numeral, e.g. VI.")
    fra: str = Field(default="", max_length=7, description="First month sent, YYYY-MM.")
    til: str = Field(default="", max_length=7, description="Last month sent, YYYY-MM.")

    @field_validator("hf", "rhf", "icd10", "atc", "kapittel")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("virkestoff")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("icd10")
    @classmethod
    def _code(cls, value: str) -> str:
        if value and not _ICD10.fullmatch(value):
            raise ValueError("Skriv en ICD-10-kode, for eksempel G35 eller M33.1.")
        # Stored with the dot (G36.0): a code typed without it gets it, so the start matches.
        bare = value.replace(".", "")
        return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"

    @field_validator("atc")
    @classmethod
    def _atc(cls, value: str) -> str:
        if value and not _ATC.fullmatch(value):
            raise ValueError("Skriv en ATC-kode eller starten av den, for eksempel L04 eller L01FA01.")
        return value

    @field_validator("kapittel")
    @classmethod
    def _kapittel(cls, value: str) -> str:
        if value and value not in KAPITTEL_NAVN:
            raise ValueError("Velg et ICD-10-kapittel (romertall fra I til XXII).")
        return value

    @field_validator(*_VALG)
    @classmethod
    def _fra_listen(cls, value: str, info: ValidationInfo) -> str:
        # A value the page's own list does not offer matches nothing: say so, rather than show no cases.
        koder, melding = _VALG[str(info.field_name)]
        if value and value not in koder:
            raise ValueError(melding)
        return value

    @field_validator("fra", "til")
    @classmethod
    def _maned(cls, value: str) -> str:
        if value and not _MANED.fullmatch(value):
            raise ValueError("Skriv måneden som ÅÅÅÅ-MM, for eksempel 2026-03.")
        return value

    @field_validator("til")
    @classmethod
    def _etter_fra(cls, value: str, info: ValidationInfo) -> str:
        fra = info.data.get("fra")
        if value and fra and value < fra:
            raise ValueError("Til-måneden kan ikke være før fra-måneden.")
        return value

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())

    def query_string(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


def prefix_end(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix` (for an indexable range)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# Counts of 1–4 single-patient decisions are shown as "<5": a rare diagnosis in a small trust can
# otherwise point at one person (DOMAIN.md 4.5, "suppress small cells").
SMALL_CELL_LIMIT = 5
SUPPRESSED: Literal["<5"] = "<5"


def suppress_small(count: int) -> int | Literal["<5"]:
    return SUPPRESSED if 0 < count < SMALL_CELL_LIMIT else count
