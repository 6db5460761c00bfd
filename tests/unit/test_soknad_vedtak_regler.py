"""Pure rules behind the applicant's decision page, revocation, the read-only answers and continuation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.platform.errors import InvalidTransition
from soknad.domain import Status, transition
from soknad.fortsettelse import Forrige, prefill
from soknad.handlers.statistikk import resultat
from soknad.skjema.register import SkjemaRegister
from soknad.skjema.visning import svartekst
from soknad.store.oppfolging import Oppfolging
from soknad.vedtak import brev_lenker, vedtaksvisning
from tests.support.builders import complete_innhold

SKJEMA = SkjemaRegister.load().latest


def test_a_decision_can_be_revoked_once_and_a_revoked_case_cannot_be_withdrawn() -> None:
    assert transition("vedtatt", "oppheve") is Status.OPPHEVET
    for status in ("til_vurdering", "opphevet", "trukket"):
        with pytest.raises(InvalidTransition):
            transition(status, "oppheve")
    with pytest.raises(InvalidTransition):
        transition("opphevet", "trekke")
    # A revoked decision still counts as what was decided.
    assert resultat("opphevet", "innvilget") == "innvilget"


def test_a_decision_stored_before_the_scope_travelled_still_reads() -> None:
    old = vedtaksvisning(
        {
            "utfall": "innvilget",
            "begrunnelse": "Ok.",
            "gyldig_til": "2027-01-31",
            "fattet_at": "2026-01-30T10:00:00+00:00",
        }
    )
    assert old is not None
    assert old.gyldig_til == date(2027, 1, 31) and old.fattet_av_navn is None and old.omfang is None
    assert old.innvilget and not old.endret and old.vilkar_liste == []
    assert brev_lenker("/beslutning", old) == {"brev_url": "", "brev_pdf_url": ""}
    assert vedtaksvisning(None) is None


def test_the_letter_links_follow_the_configured_base() -> None:
    v = vedtaksvisning({"vedtak_id": "v-1", "utfall": "avslatt", "opphevet": {"gjelder_fra": "2026-04-01"}})
    assert v is not None and not v.innvilget and v.opphevet_fra == date(2026, 4, 1)
    assert brev_lenker("https://hf.example/beslutning/", v) == {
        "brev_url": "https://hf.example/beslutning/vedtak/v-1/brev",
        "brev_pdf_url": "https://hf.example/beslutning/vedtak/v-1/brev.pdf",
    }


def test_one_formatter_for_the_page_and_the_event() -> None:
    legemiddel = SKJEMA.finn("legemiddel")
    assert legemiddel is not None
    typed = svartekst(legemiddel, {"navn": "Melatonin", "virkestoff": "melatonin", "verifisert": False}, {})
    assert typed is not None
    assert typed.hel == "Melatonin – melatonin (ikke kontrollert mot legemiddelregisteret)"
    kostnad = SKJEMA.finn("estimert_kostnad_nok")
    assert kostnad is not None and svartekst(kostnad, None, {}) is None


def test_continuation_prefills_the_treatment_so_far_and_its_effect() -> None:
    innhold = complete_innhold("enkeltpasient", "off_label")
    o = Oppfolging(
        effekt="delvis",
        bivirkninger=True,
        bivirkninger_beskrivelse="Utslett.",
        bivirkningsgrad="lett",
        fortsetter=True,
        begrunnelse=None,
        avslutningsarsak=None,
        registrert_at=datetime(2026, 6, 1, 10, tzinfo=UTC),
    )
    answers = prefill(
        SKJEMA,
        {**innhold, "ukjent_gammelt_sporsmal": "x"},
        Forrige("HBE-2026-000001", "MabThera", date(2026, 2, 1), date(2027, 1, 31)),
        [o],
        allow_synthetic=True,
        today=date(2027, 1, 10),
    )
    assert "ukjent_gammelt_sporsmal" not in answers and "samtykke_dato" not in answers
    assert answers["tidligere_behandling"] == (
        "MabThera etter vedtak HBE-2026-000001 (1. februar 2026–31. januar 2027).\n\n"
        + innhold["tidligere_behandling"]
    )
    assert answers["tidligere_behandling_utfall"].startswith(
        "Effekt av behandlingen så langt:\nOppfølging 1. juni 2026: delvis effekt, "
        "bivirkninger (lett (grad 1)): Utslett., behandlingen fortsetter."
    )
    assert answers["dose"] == innhold["dose"]
