"""Pure rules for working together after sending: delegation, follow-up and its due date, waiting times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeGuard, get_args

from shared.domain.labels import (  # noqa: F401 - the follow-up pages read them from here
    AVSLUTNINGSARSAK_LABELS,
    BIVIRKNINGSGRAD_LABELS,
    EFFEKT_LABELS,
)
from shared.events.common import Avslutningsarsak, Bivirkningsgrad, Effekt
from shared.platform.errors import InvalidTransition, ValidationFailed

INNVILGET = frozenset({"innvilget", "innvilget_med_vilkar"})

REMIND_DAYS_BEFORE = 14
"""The applicant and the leader are reminded this many days before the evaluation date."""


def is_effekt(value: str) -> TypeGuard[Effekt]:
    return value in get_args(Effekt)


def is_avslutningsarsak(value: str) -> TypeGuard[Avslutningsarsak]:
    return value in get_args(Avslutningsarsak)


def is_bivirkningsgrad(value: str) -> TypeGuard[Bivirkningsgrad]:
    return value in get_args(Bivirkningsgrad)


KOMMENTAR_MAX = 5000
SVAR_MAX = 20_000


def check_delegation(*, status: str, fra_enhet: str, til_enhet: str, enheter: set[str]) -> None:
    if status != "til_forankring":
        raise InvalidTransition("Søknaden venter ikke på forankring og kan ikke delegeres.")
    if til_enhet not in enheter:
        raise ValidationFailed("Velg en enhet i helseforetaket.", field="enhet")
    if til_enhet == fra_enhet:
        raise ValidationFailed(
            "Søknaden ligger allerede hos denne enheten. Velg en annen enhet.", field="enhet"
        )


def check_oppfolging_allowed(*, status: str, utfall: str | None) -> None:
    if status != "vedtatt" or utfall not in INNVILGET:
        raise InvalidTransition(
            "Oppfølging kan bare registreres etter at søknaden er innvilget."
            if status != "vedtatt"
            else "Oppfølging registreres bare for innvilgede søknader."
        )


def parse_evalueringsdato(vedtak: dict[str, object] | None) -> date | None:
    value = (vedtak or {}).get("evalueringsdato")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Forfall:
    """An approved case whose evaluation is due (soon or already) without a follow-up for it."""

    soknad_id: str
    lopenummer: str | None
    evalueringsdato: date
    dager_igjen: int

    @property
    def forfalt(self) -> bool:
        return self.dager_igjen < 0

    @property
    def tekst(self) -> str:
        if self.dager_igjen < 0:
            dager = -self.dager_igjen
            return f"Evalueringen forfalt for {dager} {'dag' if dager == 1 else 'dager'} siden."
        if self.dager_igjen == 0:
            return "Evalueringen forfaller i dag."
        return f"Evalueringen forfaller om {self.dager_igjen} {'dag' if self.dager_igjen == 1 else 'dager'}."


def evaluation_due(
    *,
    soknad_id: str,
    lopenummer: str | None,
    status: str,
    utfall: str | None,
    evalueringsdato: date | None,
    siste_oppfolging: date | None,
    idag: date,
) -> Forfall | None:
    """Due when the evaluation date is at most `REMIND_DAYS_BEFORE` days away (or past) and no
    follow-up was registered in that window: an early follow-up does not replace the evaluation."""
    if status != "vedtatt" or utfall not in INNVILGET or evalueringsdato is None:
        return None
    window_start = evalueringsdato - timedelta(days=REMIND_DAYS_BEFORE)
    if idag < window_start:
        return None
    if siste_oppfolging is not None and siste_oppfolging >= window_start:
        return None
    return Forfall(soknad_id, lopenummer, evalueringsdato, (evalueringsdato - idag).days)


def validity_ending(
    *, status: str, utfall: str | None, gyldig_til: date | None, idag: date, varsel_dager: int
) -> int | None:
    """Days left of a granted treatment's validity when at most `varsel_dager` remain (negative once
    it has ended); None when it is not ending (or not granted, or without an end)."""
    if status != "vedtatt" or utfall not in INNVILGET or gyldig_til is None:
        return None
    dager = (gyldig_til - idag).days
    return dager if dager <= varsel_dager else None


def gyldighet_tekst(dager_igjen: int) -> str:
    if dager_igjen < 0:
        return "Vedtaket er ikke lenger gyldig."
    if dager_igjen == 0:
        return "Vedtaket er gyldig ut i dag."
    return f"Vedtaket er gyldig i {dager_igjen} {'dag' if dager_igjen == 1 else 'dager'} til."


def check_oppfolging(
    *,
    effekt: str,
    bivirkninger: bool | None,
    bivirkninger_beskrivelse: str,
    fortsetter: bool | None,
    begrunnelse: str,
    avslutningsarsak: str = "",
    bivirkningsgrad: str = "",
) -> list[tuple[str, str]]:
    """What is missing or wrong in a follow-up, as (field, Norwegian message). The categories are asked
    only when they apply: why it stopped when it stopped, the gravest adverse event when there were any."""
    errors: list[tuple[str, str]] = []
    if not is_effekt(effekt):
        errors.append(("effekt", "Velg hvilken effekt behandlingen har hatt."))
    if bivirkninger is None:
        errors.append(("bivirkninger", "Svar på om det har vært bivirkninger."))
    elif bivirkninger and not bivirkninger_beskrivelse:
        errors.append(("bivirkninger_beskrivelse", "Beskriv bivirkningene."))
    if bivirkningsgrad and not is_bivirkningsgrad(bivirkningsgrad):
        errors.append(("bivirkningsgrad", "Ukjent alvorlighetsgrad. Velg en av gradene."))
    elif bivirkninger and not bivirkningsgrad:
        errors.append(("bivirkningsgrad", "Velg hvor alvorlig den alvorligste bivirkningen var."))
    if fortsetter is None:
        errors.append(("fortsetter", "Svar på om behandlingen fortsetter."))
    elif fortsetter is False and not begrunnelse:
        errors.append(("begrunnelse", "Skriv hvorfor behandlingen er avsluttet."))
    if avslutningsarsak and not is_avslutningsarsak(avslutningsarsak):
        errors.append(("avslutningsarsak", "Ukjent årsak. Velg en av årsakene."))
    elif fortsetter is False and not avslutningsarsak:
        errors.append(("avslutningsarsak", "Velg hvorfor behandlingen ble avsluttet."))
    for field, value, limit in (
        ("bivirkninger_beskrivelse", bivirkninger_beskrivelse, KOMMENTAR_MAX),
        ("begrunnelse", begrunnelse, KOMMENTAR_MAX),
    ):
        if len(value) > limit:
            errors.append((field, f"Teksten er for lang (høyst {limit} tegn)."))
    return errors


def ventetid(fra: datetime | None, na: datetime) -> str:
    """How long something has waited, in plain Norwegian ("3 dager", "under en time")."""
    if fra is None:
        return ""
    seconds = max(0.0, (na - fra).total_seconds())
    hours = int(seconds // 3600)
    if hours < 1:
        return "under en time"
    if hours < 24:
        return f"{hours} {'time' if hours == 1 else 'timer'}"
    days = hours // 24
    return f"{days} {'dag' if days == 1 else 'dager'}"


def kort(tekst: str, limit: int = 300) -> str:
    """A long comment shortened for a notification; the whole text is on the case page."""
    tekst = " ".join(tekst.split())
    return tekst if len(tekst) <= limit else tekst[: limit - 1].rstrip() + "…"
