"""The decision case's pure rules: status transitions, the flow, and what a decision must contain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from beslutning.brev import build as build_letter
from beslutning.brev import text_lines
from beslutning.domain import (
    Behandlingstider,
    InterregionaltVedtakInput,
    Status,
    TriageInput,
    VedtakInput,
    check_interregional,
    check_may_grant,
    check_triage,
    check_vedtak,
    transition,
    triage_problems,
    vedtak_problems,
    vurderingsflyt_for,
)
from beslutning.fraser import FraseInput, fyll_ut
from beslutning.utkast import prefill, varighet_dager
from shared.platform.errors import InvalidTransition, ValidationFailed

TODAY = date(2026, 3, 10)


def vedtak(**overrides: Any) -> VedtakInput:
    data: dict[str, Any] = {"utfall": "innvilget", "begrunnelse": "Oppfyller kriteriene."}
    data.update(overrides)
    return VedtakInput.model_validate(data)


def fields(value: VedtakInput) -> list[str]:
    return [p["field"] for p in vedtak_problems(value, today=TODAY)]


def test_a_recommendation_makes_the_case_ready_for_decision() -> None:
    assert transition(Status.VENTER_PA_ANBEFALING, "anbefale") == Status.KLAR_FOR_VEDTAK


def test_a_second_recommendation_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        transition(Status.KLAR_FOR_VEDTAK, "anbefale")


@pytest.mark.parametrize(
    ("status", "flyt"),
    [(Status.TIL_TRIAGE, "forenklet"), (Status.KLAR_FOR_VEDTAK, "komplett")],
)
def test_the_director_decides_with_or_without_the_committee(status: Status, flyt: str) -> None:
    assert transition(status, "vedta") == Status.VEDTATT
    assert vurderingsflyt_for(status) == flyt


@pytest.mark.parametrize("status", [Status.VEDTATT, Status.TRUKKET])
def test_deciding_twice_or_after_withdrawal_is_refused_in_norwegian(status: Status) -> None:
    with pytest.raises(InvalidTransition) as exc:
        transition(status, "vedta")
    assert exc.value.status == 409
    assert "kan ikke få et nytt vedtak" in exc.value.message


@pytest.mark.parametrize("status", [Status.VENTER_PA_ANBEFALING, Status.KLAR_FOR_VEDTAK, Status.VEDTATT])
def test_withdrawal_wins_from_every_state(status: Status) -> None:
    assert transition(status, "trekke") == Status.TRUKKET


def test_a_plain_grant_needs_only_outcome_and_reasons() -> None:
    assert fields(vedtak()) == []


def test_reasons_are_required() -> None:
    with pytest.raises(ValidationError) as exc:
        vedtak(begrunnelse="  ")
    assert [e["loc"] for e in exc.value.errors()] == [("begrunnelse",)]


def test_unknown_outcomes_are_refused() -> None:
    with pytest.raises(ValidationError):
        vedtak(utfall="kanskje")


def test_blank_optional_fields_from_a_form_count_as_empty() -> None:
    value = vedtak(vilkar=" ", gyldig_til="", evalueringsdato="")
    assert (value.vilkar, value.gyldig_til, value.evalueringsdato) == (None, None, None)


def test_conditions_are_required_when_granted_with_conditions() -> None:
    assert fields(vedtak(utfall="innvilget_med_vilkar")) == ["vilkar"]
    assert fields(vedtak(utfall="innvilget_med_vilkar", vilkar="Evaluer etter tre måneder.")) == []


@pytest.mark.parametrize("utfall", ["innvilget", "avslatt"])
def test_conditions_belong_only_to_a_conditional_grant(utfall: str) -> None:
    assert "vilkar" in fields(vedtak(utfall=utfall, vilkar="Noe"))


def test_the_evaluation_date_may_be_today_but_not_in_the_past() -> None:
    assert fields(vedtak(evalueringsdato=TODAY)) == []
    assert fields(vedtak(evalueringsdato=TODAY - timedelta(days=1))) == ["evalueringsdato"]


def test_the_validity_period_must_end_after_today() -> None:
    assert fields(vedtak(gyldig_til=TODAY)) == ["gyldig_til"]
    assert fields(vedtak(gyldig_til=TODAY + timedelta(days=1))) == []


def test_evaluation_must_happen_within_the_validity_period() -> None:
    value = vedtak(gyldig_til=TODAY + timedelta(days=30), evalueringsdato=TODAY + timedelta(days=60))
    assert fields(value) == ["evalueringsdato"]


def test_a_refusal_has_no_validity_period_or_evaluation() -> None:
    value = vedtak(utfall="avslatt", gyldig_til=TODAY + timedelta(days=5), evalueringsdato=TODAY)
    assert fields(value) == ["gyldig_til", "evalueringsdato"]


def test_check_vedtak_names_every_field_in_norwegian() -> None:
    value = vedtak(utfall="innvilget_med_vilkar", evalueringsdato=TODAY - timedelta(days=1))
    with pytest.raises(ValidationFailed) as exc:
        check_vedtak(value, today=TODAY)
    assert exc.value.status == 422
    assert [e["field"] for e in exc.value.extra["errors"]] == ["vilkar", "evalueringsdato"]
    assert "tilbake i tid" in exc.value.message


# --- triage, scope and conditions, tilgangsordningen (December 2026) ----------------------------


def triage(**overrides: Any) -> TriageInput:
    return TriageInput.model_validate({"flyt": "komplett", "medlemmer": ["k1"], "frist": TODAY, **overrides})


def test_no_committee_step_in_the_simplified_flow() -> None:
    problems = triage_problems(
        triage(flyt="forenklet", medlemmer=["k1"]), kategori="off_label", komite={"k1"}, today=TODAY
    )
    assert [p["field"] for p in problems] == ["medlemmer"]
    # Once the committee has the case, the director waits for its recommendation.
    with pytest.raises(InvalidTransition):
        transition(Status.VENTER_PA_ANBEFALING, "vedta")


def test_the_complete_flow_needs_members_of_the_trusts_committee_and_a_deadline() -> None:
    assert triage_problems(triage(), kategori="off_label", komite={"k1"}, today=TODAY) == []
    fields_ = [
        p["field"]
        for p in triage_problems(
            triage(medlemmer=[], frist=None), kategori="off_label", komite={"k1"}, today=TODAY
        )
    ]
    assert fields_ == ["medlemmer", "frist"]
    assert [
        p["field"]
        for p in triage_problems(triage(medlemmer=["x"]), kategori="off_label", komite={"k1"}, today=TODAY)
    ] == ["medlemmer"]
    past = triage(frist=TODAY - timedelta(days=1))
    assert [p["field"] for p in triage_problems(past, kategori="off_label", komite={"k1"}, today=TODAY)] == [
        "frist"
    ]


def test_the_flow_is_chosen_once() -> None:
    with pytest.raises(InvalidTransition):
        check_triage(
            triage(), status=Status.KLAR_FOR_VEDTAK, kategori="off_label", komite={"k1"}, today=TODAY
        )


def test_tilgangsordningen_is_never_triaged_and_never_granted_by_the_trust() -> None:
    assert [
        p["field"]
        for p in triage_problems(triage(), kategori="tilgangsordningen", komite={"k1"}, today=TODAY)
    ] == ["flyt"]
    with pytest.raises(ValidationFailed):
        check_may_grant("tilgangsordningen", "innvilget", interregional=False)
    check_may_grant("tilgangsordningen", "avslatt", interregional=False)
    check_may_grant("tilgangsordningen", "innvilget", interregional=True)


def test_the_interregional_decision_needs_its_reference_and_a_past_date() -> None:
    base = {"utfall": "innvilget", "begrunnelse": "Klinisk eksepsjonell.", "referanse": "IRK-1"}
    with pytest.raises(ValidationError):
        InterregionaltVedtakInput.model_validate({**base, "referanse": " ", "vedtaksdato": TODAY})
    with pytest.raises(ValidationFailed) as exc:
        check_interregional(
            InterregionaltVedtakInput.model_validate({**base, "vedtaksdato": TODAY + timedelta(days=1)}),
            today=TODAY,
        )
    assert exc.value.extra["errors"][0]["field"] == "vedtaksdato"


def test_reasons_are_required_on_a_refusal() -> None:
    with pytest.raises(ValidationError):
        vedtak(utfall="avslatt", begrunnelse="")


def test_structured_conditions_satisfy_a_conditional_grant_and_keep_their_order() -> None:
    value = vedtak(
        utfall="innvilget_med_vilkar",
        vilkar_evaluering="MR etter seks måneder.",
        evalueringsdato=TODAY + timedelta(days=180),
        vilkar_stoppregel="Stopp ved nytt attakk.",
        vilkar_registrering="Norsk MS-register.",
    )
    assert fields(value) == []
    liste = value.vilkar_liste()
    assert [v.type for v in liste] == ["evaluering", "stoppregel", "registrering"]
    assert liste[0].dato == TODAY + timedelta(days=180)
    assert value.vilkar_tekst() == "MR etter seks måneder.\nStopp ved nytt attakk.\nNorsk MS-register."
    # A plain grant or a refusal carries no conditions.
    assert vedtak(vilkar_stoppregel="Stopp.").vilkar_liste() == []


def test_the_period_must_begin_before_it_ends() -> None:
    value = vedtak(gyldig_fra=TODAY + timedelta(days=10), gyldig_til=TODAY + timedelta(days=5))
    assert fields(value) == ["gyldig_fra"]


def test_deadlines_follow_the_flow() -> None:
    tider = Behandlingstider(forenklet=10, komplett=30, interregional=60)
    assert tider.frist(TODAY, None) == TODAY + timedelta(days=10)
    assert tider.frist(TODAY, "komplett") == TODAY + timedelta(days=30)
    assert tider.frist(TODAY, "interregional") == TODAY + timedelta(days=60)


def test_the_form_is_prefilled_from_the_application() -> None:
    snapshot = {
        "type": "enkeltpasient",
        "svar": {
            "dose": "1000 mg",
            "doseringsintervall": "hver 6. måned",
            "antall_kurer": 3,
            "behandlingsvarighet": "18 måneder",
            "evalueringsplan": "MR.",
            "evaluering_tidspunkt": "Etter 12 måneder",
            "stoppkriterier": "Nytt attakk.",
            "register_registrering": "ja",
            "register_navn": "Norsk MS-register",
        },
    }
    values = prefill(snapshot, today=TODAY)
    assert values["dosering"] == "1000 mg, hver 6. måned" and values["antall_kurer"] == "3"
    assert values["gyldig_til"] == (TODAY + timedelta(days=540)).isoformat()
    assert values["evalueringsdato"] == (TODAY + timedelta(days=360)).isoformat()
    assert (
        values["vilkar_stoppregel"] == "Nytt attakk." and "Norsk MS-register" in values["vilkar_registrering"]
    )
    assert varighet_dager("to år") is None and varighet_dager("2 år") == 730


def test_phrases_fill_known_placeholders_and_refuse_unknown_ones() -> None:
    assert fyll_ut("Vedtak {lopenummer} til {gyldig_til}", {"lopenummer": "HBE-2026-000001"}) == (
        "Vedtak HBE-2026-000001 til {gyldig_til}"
    )
    with pytest.raises(ValidationError) as exc:
        FraseInput.model_validate({"felt": "begrunnelse", "tittel": "t", "tekst": "{pasient_navn}"})
    assert "Ukjent plassholder" in str(exc.value)
    with pytest.raises(ValidationError):
        FraseInput.model_validate({"felt": "lenke", "tittel": "t", "tekst": "x", "url": "http://lovdata.no"})


class _Vedtak:
    def __init__(self, **kw: Any) -> None:
        defaults: dict[str, Any] = {
            "id": "v1", "art": "vedtak", "utfall": "avslatt", "begrunnelse": "Ikke dokumentert effekt.",
            "vilkar": None, "vilkar_liste": [], "omfang": None, "gyldig_fra": None, "gyldig_til": None,
            "kostnadssted": None, "resept_merknad": None, "faktureringsrutine": None,
            "vurderingsflyt": "forenklet", "interregional_referanse": None, "fattet_av_navn": "Lars Haugen",
            "fattet_at": datetime(2026, 3, 10, 12, tzinfo=UTC),
        }  # fmt: skip
        self.__dict__.update({**defaults, **kw})


SNAPSHOT = {
    "soker_navn": "Kari Nordmann",
    "forankring": {"leder_navn": "Per Hansen", "kostnadssted": "4100"},
    "pasient": {"navn": "Testa Testesen", "fodselsnummer": "15838500002"},
    "legemiddel": {"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01"},
    "indikasjon": {"kode": "G35", "tekst": "Multippel sklerose"},
    "estimert_kostnad_nok": 120_000,
}


def _letter(**kw: Any) -> str:
    brev = build_letter(
        sak={
            "snapshot": SNAPSHOT,
            "lopenummer": "HBE-2026-000042",
            "hf": "HBE",
            "kategori": "unntaksordningen",
        },
        vedtak=_Vedtak(**kw),
        erstattet=None,
        enhet_navn="Nevrologisk avdeling",
    )
    return "\n".join(text_lines(brev))


def test_a_refusal_letter_never_mentions_a_prescription_and_says_what_next() -> None:
    text = _letter()
    assert "resept" not in text.lower()
    assert "Du kan sende en ny søknad" in text and "kan ikke påklages" in text


def test_a_grant_letter_states_scope_conditions_payer_and_the_prescription_remark() -> None:
    text = _letter(
        utfall="innvilget_med_vilkar",
        omfang={
            "legemiddel": SNAPSHOT["legemiddel"], "indikasjon": SNAPSHOT["indikasjon"], "dosering": "1000 mg",
            "antall_kurer": 2, "gyldig_fra": "2026-03-10", "gyldig_til": "2027-03-09", "enhet": "HBE-NEVRO",
        },
        vilkar_liste=[{"type": "stoppregel", "tekst": "Stopp ved nytt attakk.", "dato": None}],
        kostnadssted="4100",
    )  # fmt: skip
    assert (
        "Dosering: 1000 mg" in text
        and "Antall kurer: 2" in text
        and "Stoppregel: Stopp ved nytt attakk." in text
    )
    assert "Kostnadssted: 4100" in text and "Skriv løpenummeret HBE-2026-000042" in text


def test_the_open_cases_index_covers_exactly_the_open_statuses() -> None:
    from beslutning.domain import OPEN
    from beslutning.store import APNE_SQL

    listed = {part.strip(" '()") for part in APNE_SQL.removeprefix("status IN ").split(",")}
    assert listed == set(OPEN)
