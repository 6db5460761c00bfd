"""Pure rules of an application: transitions, required fields, field formats."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.errors import InvalidTransition
from soknad.domain import (
    SoknadInnhold,
    Status,
    format_lopenummer,
    missing_for_sending,
    transition,
)


def complete(**overrides: object) -> SoknadInnhold:
    data: dict[str, object] = {
        "pasient_fodselsnummer": "15838500002",
        "pasient_navn": "Test Testesen",
        "legemiddel": {"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01"},
        "indikasjon": {"kode": "G35", "tekst": "Multippel sklerose"},
        "begrunnelse": "Ikke effekt av førstelinjebehandling.",
    }
    data.update(overrides)
    return SoknadInnhold.model_validate(data)


@pytest.mark.parametrize(
    ("current", "action", "target"),
    [
        (Status.UTKAST, "send", Status.TIL_FORANKRING),
        (Status.RETURNERT, "send", Status.TIL_FORANKRING),
        (Status.TIL_FORANKRING, "forankre", Status.TIL_VURDERING),
        (Status.TIL_FORANKRING, "returnere", Status.RETURNERT),
        (Status.TIL_VURDERING, "vedtak", Status.VEDTATT),
        (Status.TILLEGGSINFO_ETTERSPURT, "vedtak", Status.VEDTATT),
        (Status.UTKAST, "trekke", Status.TRUKKET),
        (Status.UNDER_VURDERING, "trekke", Status.TRUKKET),
    ],
)
def test_allowed_transitions(current: Status, action: str, target: Status) -> None:
    assert transition(current, action) is target


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (Status.TIL_FORANKRING, "send"),
        (Status.UTKAST, "forankre"),
        (Status.TIL_VURDERING, "forankre"),
        (Status.UTKAST, "vedtak"),
        (Status.VEDTATT, "vedtak"),
        (Status.VEDTATT, "trekke"),
        (Status.TRUKKET, "trekke"),
    ],
)
def test_refused_transitions_explain_in_norwegian(current: Status, action: str) -> None:
    with pytest.raises(InvalidTransition) as exc:
        transition(current, action)
    assert "Status nå" in exc.value.message


def test_lopenummer_format() -> None:
    assert format_lopenummer("HBE", 2026, 42) == "HBE-2026-000042"


def test_complete_single_patient_application_has_nothing_missing() -> None:
    assert missing_for_sending("enkeltpasient", complete()) == []


def test_empty_draft_lists_every_required_field() -> None:
    fields = [f for f, _ in missing_for_sending("enkeltpasient", SoknadInnhold())]
    assert fields == [
        "innhold.pasient_fodselsnummer",
        "innhold.pasient_navn",
        "innhold.legemiddel.navn",
        "innhold.legemiddel.virkestoff",
        "innhold.indikasjon.kode",
        "innhold.indikasjon.tekst",
        "innhold.begrunnelse",
    ]


def test_group_application_asks_for_the_group_not_the_patient() -> None:
    fields = [
        f for f, _ in missing_for_sending("gruppe", complete(pasient_fodselsnummer="", pasient_navn=""))
    ]
    assert fields == ["innhold.gruppe_beskrivelse", "innhold.gruppe_storrelse"]


def test_icd10_code_is_normalised_and_checked() -> None:
    assert complete(indikasjon={"kode": "g360", "tekst": "NMOSD"}).indikasjon.kode == "G36.0"
    with pytest.raises(ValidationError, match="ICD-10"):
        complete(indikasjon={"kode": "XYZ", "tekst": "?"})


def test_atc_format_is_checked() -> None:
    assert complete(legemiddel={"navn": "x", "virkestoff": "y", "atc": "l01fa01"}).legemiddel.atc == "L01FA01"
    with pytest.raises(ValidationError, match="ATC"):
        complete(legemiddel={"navn": "x", "virkestoff": "y", "atc": "1234"})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        SoknadInnhold.model_validate({"hemmelig": "x"})
