"""The national summary is built by an allow-list: no personal data reaches it, bands are right."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from integrasjon.domain import aldersgruppe, kostnadsband
from integrasjon.handlers import apply_vedtak, build_projeksjon
from integrasjon.mapper import til_sammendrag
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer, validate_fodselsnummer
from shared.domain.kalender import oslo_month
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SakSammendrag, SakSammendragV2, SoknadForankret, VedtakFattet

# Every field the national overview may receive. Adding one to the contract fails this test on
# purpose: someone must decide that the new field is safe to share.
ALLOWED_V1 = {
    "lopenummer", "hf", "rhf", "sekvens", "type", "kategori", "legemiddel_navn", "virkestoff", "atc",
    "icd10_kode", "icd10_tekst", "status", "utfall", "vurderingsflyt", "med_vilkar",
    "sendt_maned", "vedtak_maned", "behandlingstid_dager", "aldersgruppe", "kjonn", "gruppe_storrelse",
    "kostnadsband",
}  # fmt: skip
# v2: categories of the follow-up (never its text), amendment and post-registration flags, and the
# text of a granted group decision (checked to be for groups only, below).
ALLOWED = ALLOWED_V1 | {
    "endret", "etterregistrert", "effekt", "fortsetter", "avslutningsarsak", "bivirkningsgrad",
    "gruppevedtak",
}  # fmt: skip

BORN = date(1985, 3, 15)
FNR = synthetic_fodselsnummer(BORN, sex="kvinne", serial=3)
NAVN = "Kari Testesen Nordmann"
BEGRUNNELSE = f"Pasienten {NAVN} ({FNR}) har hatt to attakker siste år på tross av interferon."


def forankret(**overrides: Any) -> SoknadForankret:
    fnr = validate_fodselsnummer(FNR, allow_synthetic=True)
    values: dict[str, Any] = {
        "soknad_id": "5b0d9a0e-0000-4000-8000-000000000001",
        "lopenummer": "HBE-2026-000042",
        "hf": "HBE",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "soker_id": "hbe-soker",
        "soker_navn": "Lege Legesen",
        "pasient": Pasient(fodselsnummer=fnr.value, navn=NAVN, fodselsdato=fnr.birth_date, kjonn=fnr.sex),
        "legemiddel": Legemiddel(
            navn="MabThera konsentrat til infusjonsvæske 10 mg/ml",
            virkestoff="rituksimab",
            atc="L01FA01",
            fest_id="ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF",
            verifisert=True,
        ),
        "indikasjon": Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        "begrunnelse": BEGRUNNELSE,
        "estimert_kostnad_nok": 180_000,
        "sendt_at": datetime(2026, 3, 2, 9, 15, tzinfo=UTC),
        "forankret_at": datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
        "forankring": Forankring(
            leder_id="hbe-leder",
            leder_navn="Per Hansen",
            begrunnelse=f"Enig, {NAVN} bør få behandling.",
            kostnadssted="4100",
        ),
    }
    return SoknadForankret(**{**values, **overrides})


def vedtak(**overrides: Any) -> VedtakFattet:
    values: dict[str, Any] = {
        "vedtak_id": "v-1",
        "soknad_id": "5b0d9a0e-0000-4000-8000-000000000001",
        "lopenummer": "HBE-2026-000042",
        "utfall": "innvilget_med_vilkar",
        "begrunnelse": f"Innvilget for {NAVN}.",
        "vilkar": "Registreres i Norsk MS-register.",
        "vurderingsflyt": "forenklet",
        "fattet_av": "hbe-fagdirektor",
        "fattet_at": datetime(2026, 3, 20, 10, 0, tzinfo=UTC),
    }
    return VedtakFattet(**{**values, **overrides})


def summary_of(event: SoknadForankret, decision: VedtakFattet | None = None) -> SakSammendragV2:
    p = build_projeksjon(event)
    if decision is not None:
        apply_vedtak(p, decision)
    p.sekvens = 1
    return til_sammendrag(p)


def test_contract_holds_only_allow_listed_fields() -> None:
    assert set(SakSammendrag.model_fields) == ALLOWED_V1
    assert set(SakSammendragV2.model_fields) == ALLOWED
    assert set(summary_of(forankret()).model_dump()) == ALLOWED


def test_the_mapper_publishes_v2() -> None:
    s = summary_of(forankret(), vedtak())
    assert type(s) is SakSammendragV2 and s.TYPE.endswith("sak_sammendrag.v2")
    assert (s.endret, s.etterregistrert, s.effekt, s.gruppevedtak) == (False, False, None, None)


def test_summary_carries_no_personal_data() -> None:
    for summary in (summary_of(forankret()), summary_of(forankret(), vedtak())):
        body = summary.model_dump_json()
        assert find_personnummer_like(body) == []
        for secret in (
            FNR,
            f"{FNR[:6]} {FNR[6:]}",
            NAVN,
            "Nordmann",
            "Testesen",
            BORN.isoformat(),
            "15.03.1985",
            "1985",
            "Lege Legesen",
            "Per Hansen",
            "interferon",
            "Norsk MS-register",
            "hbe-soker",
            "5b0d9a0e-0000-4000-8000-000000000001",
            "2026-03-02",
            "2026-03-10",
            "2026-03-20",
        ):
            assert secret not in body, secret


def test_summary_content_for_a_single_patient() -> None:
    s = summary_of(forankret(), vedtak())
    assert s.lopenummer == "HBE-2026-000042" and s.hf == "HBE" and s.rhf == "HV"
    assert s.aldersgruppe == "30-49"  # 40 years old on the anchoring date
    assert s.kjonn == "kvinne"
    assert s.gruppe_storrelse is None
    assert s.kostnadsband == "100-500k"
    assert (s.atc, s.virkestoff, s.icd10_kode) == ("L01FA01", "rituksimab", "G35")
    assert (s.status, s.utfall, s.vurderingsflyt, s.med_vilkar) == (
        "vedtatt",
        "innvilget_med_vilkar",
        "forenklet",
        True,
    )
    assert (s.sendt_maned, s.vedtak_maned, s.behandlingstid_dager) == ("2026-03", "2026-03", 18)


def test_group_summary_has_size_but_no_patient_fields() -> None:
    s = summary_of(
        forankret(
            type="gruppe",
            pasient=None,
            gruppe_beskrivelse="Voksne med RRMS",
            gruppe_storrelse=25,
            estimert_kostnad_nok=2_400_000,
        )
    )
    assert (s.aldersgruppe, s.kjonn, s.gruppe_storrelse, s.kostnadsband) == (None, None, 25, "1-5M")
    assert (s.status, s.utfall, s.vedtak_maned, s.behandlingstid_dager) == ("til_vurdering", None, None, None)


def test_hand_typed_texts_lose_personnummer_shaped_numbers() -> None:
    typed = Legemiddel(navn=f"Rituksimab til {FNR}", virkestoff="rituksimab", verifisert=False)
    s = summary_of(forankret(legemiddel=typed))
    assert FNR not in s.model_dump_json()
    assert s.legemiddel_navn.startswith("Rituksimab til")


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(2008, 3, 11), "13-17"),  # 18th birthday the day after anchoring
        (date(2008, 3, 10), "18-29"),  # 18 on the anchoring day
        (date(2025, 12, 1), "0-5"),
        (date(1940, 1, 1), "80+"),
        (None, None),
    ],
)
def test_age_band_on_the_anchoring_date(born: date | None, expected: str | None) -> None:
    assert aldersgruppe(born, on=date(2026, 3, 10)) == expected


@pytest.mark.parametrize(
    ("nok", "band"),
    [
        (None, None), (0, "<100k"), (99_999, "<100k"), (100_000, "100-500k"), (499_999, "100-500k"),
        (500_000, "500k-1M"), (999_999, "500k-1M"), (1_000_000, "1-5M"), (4_999_999, "1-5M"),
        (5_000_000, ">5M"), (40_000_000, ">5M"),
    ],
)  # fmt: skip
def test_cost_band(nok: int | None, band: str | None) -> None:
    assert kostnadsband(nok) == band


def test_month_is_the_norwegian_calendar_month() -> None:
    assert oslo_month(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)) == "2026-03"
    assert oslo_month(datetime(2026, 7, 31, 21, 59, tzinfo=UTC)) == "2026-07"
