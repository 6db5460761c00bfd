"""The decision's pure parts: the row and the `VedtakFattet` built from the director's input, the
interregional letter, loading a case that does not exist, who may read a letter, the phrase library's
field errors, the controller's monthly cost and the exports' formula guard."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from beslutning.brev import build as build_letter
from beslutning.brev import text_lines
from beslutning.domain import VedtakInput
from beslutning.fraser import FraseInput
from beslutning.handlers.brev import may_read
from beslutning.handlers.common import load
from beslutning.handlers.fakturering import Faktureringslinje, kostnad_per_maned
from beslutning.handlers.vedtak import decide, vedtak_fattet_event, vedtak_row
from beslutning.store import Sak
from beslutning.views.fakturering import celle
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.errors import NotFound
from shared.platform.katalog.katalog import Organisasjon

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
FAGDIREKTOR = DEMO_USERS["hbe-fagdirektor"]

SNAPSHOT: dict[str, Any] = {
    "soker_id": "hbe-soker",
    "soker_navn": "Kari Nordmann",
    "enhet": "HBE-NEVRO",
    "forankring": {"leder_id": "hbe-leder", "leder_navn": "Per Hansen", "kostnadssted": "HBE-4100"},
    "pasient": {"navn": "Testa Testesen", "fodselsnummer": "15838500002"},
    "legemiddel": {
        "navn": "MabThera",
        "virkestoff": "rituksimab",
        "atc": "L01FA01",
        "fest_id": "ID_FEST_1",
        "verifisert": True,
    },
    "indikasjon": {"kode": "G36.0", "tekst": "Neuromyelitis optica", "verifisert": True},
    "estimert_kostnad_nok": 180_000,
}


def sak(**overrides: Any) -> Sak:
    data: dict[str, Any] = {
        "id": "sak-1",
        "hf": "HBE",
        "soknad_id": "soknad-1",
        "lopenummer": "HBE-2026-000042",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "snapshot": SNAPSHOT,
        "interregional": None,
    }
    data.update(overrides)
    return Sak(**data)


GRANT = VedtakInput.model_validate(
    {
        "utfall": "innvilget_med_vilkar",
        "begrunnelse": "Alvorlig tilstand.",
        "dosering": "1000 mg dag 1 og 15",
        "antall_kurer": 3,
        "gyldig_fra": "2026-03-10",
        "gyldig_til": "2027-03-09",
        "evalueringsdato": "2026-09-10",
        "vilkar_evaluering": "MR etter seks måneder.",
        "vilkar_stoppregel": "Stopp ved nytt attakk.",
        "resept_merknad": "Sykehusfinansiert, se vedtak.",
        "faktureringsrutine": "Sykehusapoteket fakturerer enheten.",
    }
)


def row(case: Sak, vedtak: VedtakInput = GRANT, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "vedtak_id": "v-2",
        "fattet_av": "hbe-fagdirektor",
        "fattet_av_navn": "Lars Haugen",
        "flyt": "forenklet",
        "now": NOW,
        "enhet_navn": "Nevrologisk avdeling",
    }
    args.update(kw)
    return vedtak_row(case, vedtak, **args)


def test_the_event_carries_the_scope_the_conditions_and_who_pays() -> None:
    case = sak()
    event = vedtak_fattet_event(case, row(case))
    assert (event.vedtak_id, event.soknad_id, event.lopenummer) == ("v-2", "soknad-1", "HBE-2026-000042")
    assert event.art == "vedtak" and event.erstatter_vedtak_id is None
    assert event.omfang is not None
    assert event.omfang.legemiddel.fest_id == "ID_FEST_1" and event.omfang.legemiddel.atc == "L01FA01"
    assert event.omfang.indikasjon.kode == "G36.0"
    assert (event.omfang.dosering, event.omfang.antall_kurer) == ("1000 mg dag 1 og 15", 3)
    assert event.omfang.gyldig_til == date(2027, 3, 9) and event.omfang.enhet_navn == "Nevrologisk avdeling"
    assert [(v.type, v.dato) for v in event.vilkar_liste] == [
        ("evaluering", date(2026, 9, 10)),
        ("stoppregel", None),
    ]
    assert event.vilkar == "MR etter seks måneder.\nStopp ved nytt attakk."
    assert event.kostnadssted == "HBE-4100" and event.gyldig_fra == date(2026, 3, 10)
    assert event.resept_merknad == "Sykehusfinansiert, se vedtak."
    assert event.faktureringsrutine == "Sykehusapoteket fakturerer enheten."
    assert (event.kategori, event.soknad_type, event.enhet) == ("off_label", "enkeltpasient", "HBE-NEVRO")
    assert (event.fattet_av, event.fattet_av_navn, event.fattet_at) == ("hbe-fagdirektor", "Lars Haugen", NOW)
    # Not an interregional decision: no date of one, even if given.
    assert (
        vedtak_fattet_event(
            case, row(case), interregional_vedtaksdato=date(2026, 3, 1)
        ).interregional_vedtaksdato
        is None
    )


def test_an_amendment_links_to_the_decision_it_replaces() -> None:
    case = sak()
    amended = row(case, art="endring", erstatter_vedtak_id="v-1")
    assert amended.forste_for_sak is None
    event = vedtak_fattet_event(case, amended)
    assert event.art == "endring" and event.erstatter_vedtak_id == "v-1"
    assert row(case).forste_for_sak == "sak-1"


def test_a_refusal_approves_nothing_and_sets_no_prescription_remark_or_billing() -> None:
    case = sak()
    refusal = VedtakInput.model_validate(
        {
            "utfall": "avslatt",
            "begrunnelse": "Ikke dokumentert.",
            "resept_merknad": "x",
            "faktureringsrutine": "y",
        }
    )
    event = vedtak_fattet_event(case, row(case, refusal))
    assert event.omfang is None and event.vilkar_liste == [] and event.kostnadssted is None
    assert event.resept_merknad is None and event.faktureringsrutine is None


def test_the_interregional_committees_reference_and_date_travel() -> None:
    case = sak(kategori="tilgangsordningen")
    registered = row(case, flyt="interregional", interregional_referanse="IRK-2026-17")
    event = vedtak_fattet_event(case, registered, interregional_vedtaksdato=date(2026, 3, 2))
    assert event.vurderingsflyt == "interregional"
    assert (event.interregional_referanse, event.interregional_vedtaksdato) == (
        "IRK-2026-17",
        date(2026, 3, 2),
    )


def test_the_interregional_letter_is_the_committees_decision_registered_by_the_director() -> None:
    case = sak(kategori="tilgangsordningen")
    registered = row(case, flyt="interregional", interregional_referanse="IRK-2026-17")
    brev = build_letter(
        sak={
            "snapshot": SNAPSHOT,
            "lopenummer": case.lopenummer,
            "hf": "HBE",
            "kategori": "tilgangsordningen",
            "interregional": {"referanse": "IRK-2026-17", "vedtaksdato": "2026-03-02"},
        },
        vedtak=registered,
        erstattet=None,
        enhet_navn="Nevrologisk avdeling",
    )
    text = "\n".join(text_lines(brev))
    assert "Vedtaket er fattet av: Den interregionale vurderingskomiteen" in text
    assert "Komiteens referanse: IRK-2026-17" in text and "Komiteens vedtaksdato: 2. mars 2026" in text
    assert "Registrert av: Lars Haugen, fagdirektør, 10. mars 2026" in text
    assert brev.underskrift.startswith("Den interregionale vurderingskomiteens vedtak IRK-2026-17")
    assert "registrert av Lars Haugen" in brev.underskrift
    assert "fattet i Søknadsportalen" not in text


class _Session:
    async def get(self, model: type, key: str) -> None:
        return None


class _Uow:
    """Just enough of a unit of work for a command that stops at loading its case."""

    session = _Session()
    now = NOW

    def on_duplicate(self, message: str) -> None: ...

    def on_stale(self, conflict: Any) -> None: ...


def test_no_decision_without_a_case() -> None:
    uow: Any = _Uow()
    with pytest.raises(NotFound) as exc:
        asyncio.run(load(uow, FAGDIREKTOR, "finnes-ikke"))
    assert exc.value.status == 404 and exc.value.message == "Saken finnes ikke."
    with pytest.raises(NotFound):
        asyncio.run(decide.within(uow, FAGDIREKTOR, "finnes-ikke", vedtak=GRANT))


ORG = Organisasjon(hf="HBE", alle_enheter=(), komite=())


@pytest.mark.parametrize(
    ("user", "snapshot", "allowed"),
    [
        ("hbe-soker", {}, True),
        ("hbe-soker2", {}, False),
        ("hbe-soker2", {"medforfattere": ["hbe-soker2"]}, True),
        # A co-author id held by someone without the applicant role reads nothing through it.
        ("hbe-controller", {"medforfattere": ["hbe-controller"]}, False),
        ("hbe-leder2", {}, False),
        ("hbe-leder2", {"forankring": {"leder_id": "hbe-leder2"}}, True),
        ("ous-soker", {"medforfattere": ["ous-soker"]}, False),
    ],
)
def test_co_authors_and_the_anchoring_leader_may_read_the_letter(
    user: str, snapshot: dict[str, Any], allowed: bool
) -> None:
    case = sak(snapshot={**SNAPSHOT, **snapshot})
    assert may_read(DEMO_USERS[user], case, ORG) is allowed


def _errors(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as exc:
        FraseInput.model_validate(data)
    return [e["loc"] for e in exc.value.errors()]


def test_phrase_errors_name_their_field() -> None:
    assert _errors({"felt": "begrunnelse", "tittel": "t", "tekst": "{pasient_navn}"}) == [("tekst",)]
    assert _errors({"felt": "lenke", "tittel": "t", "tekst": "x", "url": "http://lovdata.no"}) == [("url",)]
    assert _errors({"felt": "lenke", "tittel": "t", "tekst": "x"}) == [("url",)]
    assert (
        FraseInput.model_validate({"felt": "begrunnelse", "tittel": "t", "tekst": "{lopenummer}"}).url is None
    )


def linje(enhet: str, kostnad: int | None, fra: date | None, til: date | None) -> Faktureringslinje:
    return Faktureringslinje(
        vedtak_id="v", lopenummer="HBE-2026-000001", enhet=enhet, legemiddel="L", virkestoff="v", atc=None,
        estimert_kostnad_nok=kostnad, kostnadssted="4100", faktureringsrutine=None, utfall="innvilget",
        gyldig_fra=fra, gyldig_til=til, vedtatt_at=datetime(2026, 1, 10, 9, tzinfo=UTC), fakturert_at=None,
    )  # fmt: skip


def test_the_yearly_estimate_is_spread_over_the_days_of_the_validity_per_month() -> None:
    linjer = [
        linje("NEVRO", 365_000, date(2026, 1, 15), date(2026, 3, 14)),
        linje("NEVRO", 36_500, date(2026, 2, 1), date(2026, 2, 28)),
        linje("REVMA", None, date(2026, 1, 1), date(2026, 1, 31)),
    ]
    kost = {(k.enhet, k.maned): (k.antall, k.estimert_kostnad_nok) for k in kostnad_per_maned(linjer)}
    assert kost == {
        ("NEVRO", "2026-01"): (1, 17_000),
        ("NEVRO", "2026-02"): (2, 28_000 + 2_800),
        ("NEVRO", "2026-03"): (1, 14_000),
        ("REVMA", "2026-01"): (1, 0),
    }
    # A chosen period counts only its days.
    clipped = kostnad_per_maned(linjer[:1], fra=date(2026, 2, 10), til=date(2026, 2, 19))
    assert [(k.maned, k.estimert_kostnad_nok) for k in clipped] == [("2026-02", 10_000)]


def test_without_dates_the_period_is_a_year_from_the_decision() -> None:
    kost = kostnad_per_maned([linje("NEVRO", 365_000, None, None)])
    assert kost[0].maned == "2026-01" and kost[-1].maned == "2027-01"
    assert sum(k.estimert_kostnad_nok for k in kost) == 365_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("https://x")', '\'=HYPERLINK("https://x")'),
        ("+47 1234", "'+47 1234"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Sykehusapoteket fakturerer", "Sykehusapoteket fakturerer"),
        ("2026-03-10", "2026-03-10"),
        (-5, -5),
        (180_000, 180_000),
    ],
)
def test_export_cells_never_start_a_formula(value: object, expected: object) -> None:
    assert celle(value) == expected


def test_integrators_get_the_interregional_decision_date_remark_and_billing_routine() -> None:
    from integrasjon.integratorer.mapper import vedtak_fattet

    case = sak(kategori="tilgangsordningen")
    registered = row(case, flyt="interregional", interregional_referanse="IRK-2026-17")
    event = vedtak_fattet_event(case, registered, interregional_vedtaksdato=date(2026, 3, 2))
    anonym, med_pasient = vedtak_fattet(event, None, hf="HBE")
    for message in (anonym, med_pasient):
        assert message.interregional_referanse == "IRK-2026-17"
        assert message.interregional_vedtaksdato == date(2026, 3, 2)
    # The remark and the billing routine are free text: only for receivers entitled to the identity.
    assert med_pasient.resept_merknad == "Sykehusfinansiert, se vedtak."
    assert med_pasient.faktureringsrutine == "Sykehusapoteket fakturerer enheten."
    assert "resept_merknad" not in anonym.model_dump() and "faktureringsrutine" not in anonym.model_dump()
