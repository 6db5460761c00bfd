"""The director's triage as soknad keeps and shows it (pure rules of `soknad.behandling`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from soknad.behandling import (
    FORENKLET,
    INTERREGIONAL,
    KOMPLETT,
    behandling_dict,
    behandlingsvisning,
    historikktekst,
    same_choice,
)

AT = datetime(2026, 1, 21, 8, 30, tzinfo=UTC)


def valg(flyt: str = INTERREGIONAL, **changes: object) -> dict[str, object]:
    return {
        **behandling_dict(flyt, frist=date(2026, 4, 21), av="hbe-fd", av_navn="Lars Haugen", at=AT),
        **changes,
    }


def test_the_flow_shows_while_the_case_is_open_and_not_after() -> None:
    for status in ("til_vurdering", "under_vurdering", "tilleggsinfo_etterspurt"):
        shown = behandlingsvisning(valg(), status)
        assert shown is not None and shown.flyt == INTERREGIONAL
        assert (
            shown.frist == date(2026, 4, 21) and shown.valgt_at == AT and shown.valgt_av_navn == "Lars Haugen"
        )
    for status in ("vedtatt", "opphevet", "trukket", "til_forankring"):
        assert behandlingsvisning(valg(), status) is None
    assert behandlingsvisning(None, "under_vurdering") is None


def test_a_damaged_record_shows_without_what_is_damaged() -> None:
    assert behandlingsvisning(valg(flyt="ukjent"), "under_vurdering") is None
    shown = behandlingsvisning(valg(frist="ikke en dato", valgt_av_navn=None), "under_vurdering")
    assert shown is not None and shown.frist is None and shown.valgt_av_navn == "Fagdirektøren"


def test_the_same_choice_again_is_recognised_and_a_new_one_is_not() -> None:
    assert same_choice(valg(), valg())
    assert not same_choice(None, valg())
    assert not same_choice(valg(), valg(FORENKLET))
    assert not same_choice(valg(), valg(valgt_at=datetime(2026, 1, 22, tzinfo=UTC).isoformat()))


def test_the_history_lines_say_what_was_chosen() -> None:
    frist = date(2027, 1, 12)
    assert historikktekst(KOMPLETT, frist) == "Sendt til vurderingskomiteen, frist 12. januar 2027"
    assert historikktekst(FORENKLET, frist) == (
        "Fagdirektøren behandler saken selv (forenklet behandling), frist for vedtak 12. januar 2027"
    )
    assert historikktekst(INTERREGIONAL, frist) == (
        "Videresendt til den interregionale vurderingskomiteen (tilgangsordningen), "
        "forventet avgjort innen 12. januar 2027"
    )
