"""The case's data on its way from the application to the national overview: one name, one normal
form and one length per concept, applied once by the producer (soknad's snapshot), so every consumer
(vurdering, beslutning, integrasjon's projection, oversikt) can store what it receives as it is.

Names used from producer to the national overview: `icd10_kode` and `icd10_tekst` for the indication
(inside the snapshot's `indikasjon` object: `kode` and `tekst`, beside `system: "icd10"`),
`legemiddel_navn`, `virkestoff`, `atc`, and `<what>_maned` (YYYY-MM, Norwegian calendar) for months:
`sendt_maned`, `vedtak_maned`. A search *parameter* for a code (or the start of one) is `icd10` in every
service's query string."""

from __future__ import annotations

import re
from typing import Final

LEGEMIDDEL_NAVN_MAKS: Final = 200
VIRKESTOFF_MAKS: Final = 200
ATC_MAKS: Final = 7
ICD10_KODE_MAKS: Final = 10
ICD10_TEKST_MAKS: Final = 300

_ICD10_UTEN_PUNKTUM = re.compile(r"([A-Z]\d{2})(\d{1,2})")


def kort_tekst(value: object, maks: int) -> str:
    """Trimmed text cut to `maks` characters; anything that is not text is empty."""
    return value.strip()[:maks].strip() if isinstance(value, str) else ""


def icd10_kode(value: object) -> str:
    """The ICD-10 code as the catalogue writes it: upper case, with the dot (G360 → G36.0)."""
    kode = kort_tekst(value, ICD10_KODE_MAKS).upper().replace(" ", "")
    match = _ICD10_UTEN_PUNKTUM.fullmatch(kode)
    return f"{match[1]}.{match[2]}" if match else kode


def atc_kode(value: object) -> str | None:
    return kort_tekst(value, ATC_MAKS).upper() or None
