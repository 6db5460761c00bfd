"""The decision case's pure rules: status transitions, the flow, and what a decision must contain."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from beslutning.domain import (
    Status,
    VedtakInput,
    check_vedtak,
    transition,
    vedtak_problems,
    vurderingsflyt_for,
)
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
