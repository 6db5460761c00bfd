"""Pure rules of the form: which sections and questions apply to a type × kategori × answers, what is
missing or invalid before sending, and how complete each section is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Literal

from soknad.skjema.modell import Betingelse, Seksjon, Skjema, Sporsmal
from soknad.skjema.validering import DELER, Feil, is_empty, validate_answer

MSG_PAKREVD = "Må fylles ut før søknaden kan sendes."
MSG_PAKREVD_VALG = "Må besvares før søknaden kan sendes."

Status = Literal["komplett", "mangler", "ikke_startet"]

STATUS_LABELS: dict[str, str] = {
    "komplett": "Fullført",
    "mangler": "Mangler svar",
    "ikke_startet": "Ikke påbegynt",
}


def holds(betingelse: Betingelse | None, *, type_: str, kategori: str, svar: Mapping[str, Any]) -> bool:
    if betingelse is None:
        return True
    if betingelse.type is not None and type_ not in betingelse.type:
        return False
    if betingelse.kategori is not None and kategori not in betingelse.kategori:
        return False
    for test in betingelse.svar:
        value = svar.get(test.sporsmal)
        if test.besvart is not None:
            if is_empty(value) == test.besvart:
                return False
        elif value not in (test.er or []):
            return False
    return True


def is_answered(sp: Sporsmal, value: Any) -> bool:
    if sp.kompositt:
        return isinstance(value, dict) and all(
            not is_empty(value.get(part)) for part, d in DELER[sp.type].items() if d.pakrevd
        )
    return not is_empty(value)


@dataclass(frozen=True)
class Sporsmalstatus:
    sporsmal: Sporsmal
    seksjon_id: str
    pakrevd: bool
    besvart: bool
    har_innhold: bool
    feil: tuple[Feil, ...]


@dataclass(frozen=True)
class Fullforing:
    besvart: int
    pakrevd: int
    komplett: bool
    status: Status

    def as_dict(self) -> dict[str, Any]:
        return {
            "besvart": self.besvart,
            "pakrevd": self.pakrevd,
            "komplett": self.komplett,
            "status": self.status,
        }


@dataclass(frozen=True)
class Vurdering:
    seksjoner: tuple[Seksjon, ...]
    sporsmal: tuple[Sporsmalstatus, ...]

    @property
    def feil(self) -> list[Feil]:
        """Every missing or invalid answer, in the order of the form."""
        return [f for status in self.sporsmal for f in status.feil]

    @property
    def synlige(self) -> list[str]:
        return [s.sporsmal.id for s in self.sporsmal]

    def i_seksjon(self, seksjon_id: str) -> list[Sporsmalstatus]:
        return self._per_seksjon.get(seksjon_id, [])

    @cached_property
    def _per_seksjon(self) -> dict[str, list[Sporsmalstatus]]:
        grouped: dict[str, list[Sporsmalstatus]] = {}
        for status in self.sporsmal:
            grouped.setdefault(status.seksjon_id, []).append(status)
        return grouped

    def fullforing(self) -> dict[str, Fullforing]:
        return dict(self._fullforing)

    @cached_property
    def _fullforing(self) -> dict[str, Fullforing]:
        # Every autosave answers with it: computed once per Vurdering, in one pass per section.
        result: dict[str, Fullforing] = {}
        for seksjon in self.seksjoner:
            required = answered = 0
            complete = True
            started = False
            for s in self._per_seksjon.get(seksjon.id, ()):
                if s.feil:
                    complete = False
                if s.pakrevd:
                    required += 1
                    if s.besvart and not s.feil:
                        answered += 1
                started = started or s.har_innhold
            state: Status = (
                "komplett"
                if complete and (started or not required)
                else ("mangler" if started else "ikke_startet")
            )
            result[seksjon.id] = Fullforing(
                besvart=answered, pakrevd=required, komplett=complete, status=state
            )
        return result


def vurder(
    skjema: Skjema,
    *,
    type_: str,
    kategori: str,
    innhold: Mapping[str, Any],
    allow_synthetic: bool,
    today: date,
) -> Vurdering:
    """One pass in form order. Answers to hidden questions are kept in storage but count for nothing:
    not in conditions, not required, not validated."""
    visible_answers: dict[str, Any] = {}
    sections: list[Seksjon] = []
    statuses: list[Sporsmalstatus] = []
    for seksjon in skjema.seksjoner:
        if not holds(seksjon.vis_nar, type_=type_, kategori=kategori, svar=visible_answers):
            continue
        section_statuses: list[Sporsmalstatus] = []
        for sp in seksjon.sporsmal:
            if not holds(sp.vis_nar, type_=type_, kategori=kategori, svar=visible_answers):
                continue
            raw = innhold.get(sp.id)
            value, problems = (
                (None, [])
                if raw is None
                else validate_answer(sp, raw, allow_synthetic=allow_synthetic, today=today)
            )
            visible_answers[sp.id] = value
            required = sp.pakrevd or (
                sp.pakrevd_nar is not None
                and holds(sp.pakrevd_nar, type_=type_, kategori=kategori, svar=visible_answers)
            )
            answered = not problems and is_answered(sp, value)
            if not problems and not is_empty(value):
                problems = [
                    (f"innhold.{sp.id}", rule.melding)
                    for rule in sp.ma_vaere
                    if holds(rule.nar, type_=type_, kategori=kategori, svar=visible_answers)
                    and value != rule.verdi
                ]
            if required and not answered and not problems:
                problems = _missing(sp, value)
            section_statuses.append(
                Sporsmalstatus(
                    sporsmal=sp,
                    seksjon_id=seksjon.id,
                    pakrevd=required,
                    besvart=answered,
                    har_innhold=raw is not None and not is_empty(raw),
                    feil=tuple(problems),
                )
            )
        if section_statuses:
            sections.append(seksjon)
            statuses.extend(section_statuses)
    return Vurdering(seksjoner=tuple(sections), sporsmal=tuple(statuses))


def _missing(sp: Sporsmal, value: Any) -> list[Feil]:
    if sp.kompositt:
        given = value if isinstance(value, dict) else {}
        return [
            (f"innhold.{sp.id}.{part}", MSG_PAKREVD)
            for part, d in DELER[sp.type].items()
            if d.pakrevd and is_empty(given.get(part))
        ]
    return [(f"innhold.{sp.id}", MSG_PAKREVD_VALG if sp.type in ("valg", "ja_nei") else MSG_PAKREVD)]


def missing_for_sending(
    skjema: Skjema,
    *,
    type_: str,
    kategori: str,
    innhold: Mapping[str, Any],
    allow_synthetic: bool,
    today: date,
) -> list[Feil]:
    return vurder(
        skjema, type_=type_, kategori=kategori, innhold=innhold, allow_synthetic=allow_synthetic, today=today
    ).feil
