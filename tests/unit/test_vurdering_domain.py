"""The assessment case's pure rules: status transitions and what a recommendation must contain."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.platform.errors import InvalidTransition
from vurdering.domain import (
    FLYT_FORENKLET,
    FLYT_KOMPLETT,
    KRITERIER,
    NIVA_LABELS,
    VURDERINGSFELT,
    AnbefalingInput,
    IkkeMedlem,
    Inhabil,
    Status,
    Vurderingsutkast,
    er_medlem,
    etter_sporsmal,
    etter_svar,
    krev_habil,
    krev_kan_anbefale,
    krev_komitesteg,
    krev_medlem,
    mangler_for_levering,
    til_komiteen,
    transition,
)


def anbefaling(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "anbefaling": "innvilge_med_vilkar",
        "begrunnelse": "Alvorlig sykdom uten godkjent alternativ.",
        "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 1},
        "vilkar": "Evaluering etter seks måneder.",
    }
    data.update(overrides)
    return data


def test_recommending_moves_a_case_under_assessment_to_anbefalt() -> None:
    assert transition(Status.TIL_VURDERING, "anbefale") == Status.ANBEFALT


@pytest.mark.parametrize("status", [Status.ANBEFALT, Status.AVSLUTTET, Status.TRUKKET])
def test_recommending_twice_or_on_a_closed_case_is_refused_in_norwegian(status: Status) -> None:
    with pytest.raises(InvalidTransition) as exc:
        transition(status, "anbefale")
    assert exc.value.status == 409
    assert "ikke lenger til vurdering" in exc.value.message


def test_asking_for_more_information_makes_the_case_wait_for_the_answer() -> None:
    assert transition(Status.TIL_VURDERING, "ettersporre") == Status.VENTER_PA_SVAR
    # A second question while waiting keeps it waiting.
    assert transition(Status.VENTER_PA_SVAR, "ettersporre") == Status.VENTER_PA_SVAR
    with pytest.raises(InvalidTransition):
        transition(Status.ANBEFALT, "ettersporre")


def test_no_recommendation_while_a_question_is_open() -> None:
    with pytest.raises(InvalidTransition) as exc:
        krev_kan_anbefale(Status.VENTER_PA_SVAR)
    assert exc.value.status == 409
    assert "venter på svar fra søker" in exc.value.message
    assert krev_kan_anbefale(Status.TIL_VURDERING) == Status.ANBEFALT
    with pytest.raises(InvalidTransition, match="ikke lenger til vurdering"):
        krev_kan_anbefale(Status.ANBEFALT)


def test_the_answer_resumes_the_case_only_when_no_question_is_left_open() -> None:
    assert etter_svar(Status.VENTER_PA_SVAR, apne_sporsmal=0) == Status.TIL_VURDERING
    assert etter_svar(Status.VENTER_PA_SVAR, apne_sporsmal=1) == Status.VENTER_PA_SVAR
    # An answer on a case that was not waiting (recommended, closed, not yet triaged) moves nothing.
    for status in (Status.ANBEFALT, Status.AVSLUTTET, Status.VENTER_PA_TRIAGE, Status.TIL_VURDERING):
        assert etter_svar(status, apne_sporsmal=0) == status


def test_the_directors_question_makes_only_a_case_with_the_committee_wait() -> None:
    assert etter_sporsmal(Status.TIL_VURDERING) == Status.VENTER_PA_SVAR
    for status in (Status.VENTER_PA_TRIAGE, Status.ANBEFALT, Status.AVSLUTTET, Status.TRUKKET):
        assert etter_sporsmal(status) == status
    # Sent to the committee with the director's question still open: it waits from the start.
    assert til_komiteen(Status.VENTER_PA_TRIAGE, apne_sporsmal=1) == Status.VENTER_PA_SVAR
    assert til_komiteen(Status.VENTER_PA_TRIAGE, apne_sporsmal=0) == Status.TIL_VURDERING


@pytest.mark.parametrize(("action", "after"), [("vedta", Status.AVSLUTTET), ("trekke", Status.TRUKKET)])
def test_a_waiting_case_can_still_be_decided_or_withdrawn(action: str, after: Status) -> None:
    assert transition(Status.VENTER_PA_SVAR, action) == after


def test_the_committee_keeps_working_while_the_case_waits() -> None:
    krev_komitesteg(Status.VENTER_PA_SVAR, FLYT_KOMPLETT)


def test_only_a_named_member_takes_a_committee_step() -> None:
    medlemmer = [{"id": "hbe-komite", "navn": "Ingrid Berg"}]
    krev_medlem("hbe-komite", medlemmer)
    assert er_medlem("hbe-komite", medlemmer) and not er_medlem("hbe-andre", medlemmer)
    for user_id, named in (("hbe-andre", medlemmer), ("hbe-komite", []), ("hbe-komite", None)):
        with pytest.raises(IkkeMedlem) as exc:
            krev_medlem(user_id, named)
        assert exc.value.status == 403 and "ikke oppnevnt som medlem" in exc.value.message


@pytest.mark.parametrize("status", [Status.TIL_VURDERING, Status.ANBEFALT])
def test_a_decision_closes_the_case_with_or_without_a_recommendation(status: Status) -> None:
    assert transition(status, "vedta") == Status.AVSLUTTET


@pytest.mark.parametrize("status", [Status.AVSLUTTET, Status.TRUKKET])
def test_a_closed_case_cannot_be_closed_again(status: Status) -> None:
    with pytest.raises(InvalidTransition):
        transition(status, "vedta")


@pytest.mark.parametrize("status", [Status.TIL_VURDERING, Status.ANBEFALT, Status.AVSLUTTET])
def test_withdrawal_wins_from_every_state(status: Status) -> None:
    assert transition(status, "trekke") == Status.TRUKKET


def test_a_withdrawn_case_cannot_be_withdrawn_again() -> None:
    with pytest.raises(InvalidTransition, match="allerede trukket"):
        transition(Status.TRUKKET, "trekke")


def test_a_complete_recommendation_is_accepted_and_trimmed() -> None:
    value = AnbefalingInput.model_validate(anbefaling(begrunnelse="  God dokumentasjon.  "))
    assert value.begrunnelse == "God dokumentasjon."
    assert value.kriterier.alvorlighet == 3


@pytest.mark.parametrize("begrunnelse", ["", "   "])
def test_a_recommendation_needs_reasons(begrunnelse: str) -> None:
    with pytest.raises(ValidationError) as exc:
        AnbefalingInput.model_validate(anbefaling(begrunnelse=begrunnelse))
    assert [e["loc"] for e in exc.value.errors()] == [("begrunnelse",)]


@pytest.mark.parametrize("score", [0, 4])
def test_criteria_are_scored_from_one_to_three(score: int) -> None:
    kriterier = {"alvorlighet": 2, "nytte": score, "ressursbruk": 2, "evidenskvalitet": 2}
    with pytest.raises(ValidationError) as exc:
        AnbefalingInput.model_validate(anbefaling(kriterier=kriterier))
    assert [e["loc"] for e in exc.value.errors()] == [("kriterier", "nytte")]


def test_every_criterion_must_be_scored() -> None:
    with pytest.raises(ValidationError) as exc:
        AnbefalingInput.model_validate(anbefaling(kriterier={"alvorlighet": 2}))
    assert {e["loc"][-1] for e in exc.value.errors()} == {"nytte", "ressursbruk", "evidenskvalitet"}


def test_unknown_recommendations_are_refused() -> None:
    with pytest.raises(ValidationError):
        AnbefalingInput.model_validate(anbefaling(anbefaling="kanskje"))


def test_the_form_explains_every_criterion_in_norwegian() -> None:
    assert [k.navn for k in KRITERIER] == ["alvorlighet", "nytte", "ressursbruk", "evidenskvalitet"]
    assert all(k.hjelp for k in KRITERIER)
    assert NIVA_LABELS == {1: "Lav", 2: "Moderat", 3: "Høy"}


# --- the director's triage and the committee's steps ------------------------------------------------


def test_a_new_case_waits_for_the_directors_triage_and_sending_it_opens_the_committees_work() -> None:
    assert transition(Status.VENTER_PA_TRIAGE, "sende") == Status.TIL_VURDERING
    with pytest.raises(InvalidTransition):
        transition(Status.TIL_VURDERING, "sende")


def test_no_committee_step_before_the_case_is_sent_to_the_committee() -> None:
    with pytest.raises(InvalidTransition) as exc:
        krev_komitesteg(Status.VENTER_PA_TRIAGE, None)
    assert "ikke sendt saken til komiteen" in exc.value.message
    with pytest.raises(InvalidTransition):
        transition(Status.VENTER_PA_TRIAGE, "anbefale")


@pytest.mark.parametrize("status", list(Status))
def test_no_committee_step_in_the_simplified_flow(status: Status) -> None:
    with pytest.raises(InvalidTransition) as exc:
        krev_komitesteg(status, FLYT_FORENKLET)
    assert "forenklet" in exc.value.message


@pytest.mark.parametrize("status", [Status.AVSLUTTET, Status.TRUKKET])
def test_no_committee_step_on_a_closed_case(status: Status) -> None:
    with pytest.raises(InvalidTransition):
        krev_komitesteg(status, FLYT_KOMPLETT)


def test_the_committee_works_on_a_case_sent_to_it() -> None:
    krev_komitesteg(Status.TIL_VURDERING, FLYT_KOMPLETT)
    krev_komitesteg(Status.ANBEFALT, FLYT_KOMPLETT)


def test_the_director_can_decide_a_case_the_committee_never_saw() -> None:
    assert transition(Status.VENTER_PA_TRIAGE, "vedta") == Status.AVSLUTTET


def test_a_member_with_a_declared_conflict_cannot_assess_or_recommend() -> None:
    krev_habil("hbe-komite", {"hbe-controller"})
    with pytest.raises(Inhabil) as exc:
        krev_habil("hbe-komite", {"hbe-komite"})
    assert exc.value.status == 403
    assert "inhabil" in exc.value.message


def test_a_recommendation_with_conditions_needs_the_conditions() -> None:
    with pytest.raises(ValidationError) as exc:
        AnbefalingInput.model_validate(anbefaling(vilkar="  "))
    assert [e["loc"] for e in exc.value.errors()] == [("vilkar",)]
    assert AnbefalingInput.model_validate(anbefaling(anbefaling="avsla", vilkar="")).vilkar is None


def test_a_refusal_needs_reasons_too() -> None:
    with pytest.raises(ValidationError) as exc:
        AnbefalingInput.model_validate(anbefaling(anbefaling="avsla", begrunnelse=" "))
    assert ("begrunnelse",) in [e["loc"] for e in exc.value.errors()]


# --- the member's structured assessment -------------------------------------------------------------


def test_an_assessment_is_submitted_only_with_every_score_its_justification_and_a_view() -> None:
    missing = {e["field"] for e in mangler_for_levering({"alvorlighet": 3, "alvorlighet_begrunnelse": "  "})}
    assert missing == {
        "innhold.nytte",
        "innhold.ressursbruk",
        "innhold.evidenskvalitet",
        "innhold.alvorlighet_begrunnelse",
        "innhold.nytte_begrunnelse",
        "innhold.ressursbruk_begrunnelse",
        "innhold.anbefaling",
    }
    complete = {
        **{k.navn: 2 for k in KRITERIER},
        **{f"{k}_begrunnelse": "Fordi." for k in ("alvorlighet", "nytte", "ressursbruk")},
        "anbefaling": "avsla",
    }
    assert mangler_for_levering(complete) == []


def test_a_draft_takes_any_subset_and_blank_clears_a_field() -> None:
    utkast = Vurderingsutkast.model_validate({"nytte": "2", "sikkerhet": "  "})
    assert utkast.nytte == 2 and utkast.sikkerhet is None
    with pytest.raises(ValidationError):
        Vurderingsutkast.model_validate({"nytte": "4"})
    with pytest.raises(ValidationError):
        Vurderingsutkast.model_validate({"ukjent": "x"})


def test_every_assessment_field_has_norwegian_help() -> None:
    assert {k.navn for k in KRITERIER} == {"alvorlighet", "nytte", "ressursbruk", "evidenskvalitet"}
    for k in KRITERIER:
        assert k.hjelp and k.label
    for f in VURDERINGSFELT:
        assert f.hjelp and f.label
