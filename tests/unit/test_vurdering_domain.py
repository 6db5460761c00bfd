"""The assessment case's pure rules: status transitions and what a recommendation must contain."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.platform.errors import InvalidTransition
from vurdering.domain import KRITERIER, NIVA_LABELS, AnbefalingInput, Status, transition


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


def test_asking_for_more_information_keeps_the_case_under_assessment() -> None:
    assert transition(Status.TIL_VURDERING, "ettersporre") == Status.TIL_VURDERING
    with pytest.raises(InvalidTransition):
        transition(Status.ANBEFALT, "ettersporre")


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
