"""Plain case facts for the FHIR builders' tests and the checked-in examples (synthetic people only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.contracts import VedtakOpphevet
from shared.fhir.ressurser import Enhetsfakta, Saksfakta
from soknad.vedtak import opphevet_dict, vedtak_dict
from tests.support.builders import complete_innhold
from tests.support.soknad_flyt import vedtak

SOKNAD_ID = "5b0c6a58-4ad5-4b7e-9a4e-2f7a1b1b6c01"
LOPENUMMER = "HBE-2026-000042"
FEST_ID = "ID_2ABAC272-0BCF-43F0-84BE-984074D92E15"
"""A FEST `Id` in its published shape (the LMDI examples' merkevare id)."""
FNR = synthetic_fodselsnummer(date(1979, 4, 12), sex="kvinne")
NEVRO = Enhetsfakta("HBE-NEVRO", "Nevrologisk avdeling, Haukeland", "900101")


def _weights_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    k = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if k == 11 else (None if k == 10 else k)


def synthetic_d_nummer(born: date) -> str:
    """A synthetic (Tenor, month + 80) D-nummer (day + 40) with valid check digits."""
    prefix = f"{born.day + 40:02d}{born.month + 80:02d}{born.year % 100:02d}"
    for individnummer in range(500):  # 000–499: born 1900–1999
        nine = f"{prefix}{individnummer:03d}"
        k1 = _weights_digit(nine, (3, 7, 6, 1, 8, 9, 4, 5, 2))
        if k1 is None:
            continue
        k2 = _weights_digit(f"{nine}{k1}", (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
        if k2 is not None:
            return f"{nine}{k1}{k2}"
    raise ValueError("no D-nummer")


def sak(**changes: Any) -> Saksfakta:
    innhold = complete_innhold()
    innhold["legemiddel"] = {**innhold["legemiddel"], "fest_id": FEST_ID}
    base = Saksfakta(
        soknad_id=SOKNAD_ID,
        hf="HBE",
        lopenummer=LOPENUMMER,
        type="enkeltpasient",
        kategori="off_label",
        status="vedtatt",
        soker_id="hbe-soker",
        soker_navn="Kari Nordmann",
        soker_hpr="9144889",
        enhet=NEVRO,
        innhold=innhold,
        skjema_versjon=1,
        opprettet_at=datetime(2026, 1, 10, 9, tzinfo=UTC),
        endret_at=datetime(2026, 1, 30, 10, tzinfo=UTC),
        sendt_at=datetime(2026, 1, 11, 8, 30, tzinfo=UTC),
        vedtak=vedtak_dict(vedtak(SOKNAD_ID, LOPENUMMER, vedtak_id="0f6c1f5e-2f1b-4a51-9d55-6c1d2d8b7a10")),
    )
    return replace(base, **changes)


def endret_og_opphevet() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A decision, its amendment (which the case keeps with the first under `tidligere`), and the
    amendment once revoked, as `handlers.hendelser` stores them."""
    first = vedtak_dict(vedtak(SOKNAD_ID, LOPENUMMER, vedtak_id="0f6c1f5e-2f1b-4a51-9d55-6c1d2d8b7a10"))
    first["fattet_av_navn"] = "Lars Haugen"
    amended = vedtak_dict(
        vedtak(
            SOKNAD_ID,
            LOPENUMMER,
            utfall="innvilget",
            vedtak_id="7d3e2b11-9c4f-4f0e-8b1a-3e5f6a7b8c92",
            art="endring",
            erstatter_vedtak_id=first["vedtak_id"],
            fattet_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            gyldig_til=date(2027, 6, 30),
        )
    )
    endret = {**amended, "tidligere": [first]}
    revoked = VedtakOpphevet(
        vedtak_id="c2a9d4e6-1b7f-4c3a-a5e8-9f0b1c2d3e44",
        opphever_vedtak_id=amended["vedtak_id"],
        soknad_id=SOKNAD_ID,
        lopenummer=LOPENUMMER,
        begrunnelse="Alvorlig bivirkning.",
        gjelder_fra=date(2026, 5, 1),
        opphevet_av="hbe-fagdirektor",
        opphevet_av_navn="Lars Haugen",
        opphevet_at=datetime(2026, 4, 28, 14, tzinfo=UTC),
    )
    opphevet = {**endret, "opphevet": opphevet_dict(revoked)}
    return first, endret, opphevet
