"""What the beslutning use cases share: loading a case within the trust, its history, the page's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from beslutning import store
from beslutning.store import Historikk, Sak, Vedtak
from shared.domain.historikk import record_history
from shared.domain.kalender import oslo_date
from shared.domain.lokal_sak import on_lost_race, require_fresh
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.errors import NotFound

STALE_MESSAGE = (
    "Saken er endret siden du åpnet den (for eksempel har komiteen gitt sin anbefaling). "
    "Se over saken på nytt før du går videre."
)


@dataclass(frozen=True)
class Aktor:
    """Someone in another service who acted on the case (a committee member, the applicant)."""

    user_id: str
    name: str


@dataclass(frozen=True)
class SakVisning:
    """One case with everything its page and its API answer show."""

    sak: Sak
    vedtak: Vedtak | None
    historikk: list[Historikk]
    idag: date
    """Today in Norway: the date rules of the decision form count from it."""
    alle_vedtak: tuple[Vedtak, ...] = ()
    """Every decision of the case, the first first (amendments and revocations follow it)."""


def history(
    uow: UnitOfWork, sak: Sak, actor: Principal | Aktor | None, hendelse: str, detalj: str | None = None
) -> None:
    record_history(uow, Historikk, sak.id, actor=actor, hendelse=hendelse, detalj=detalj)


async def load(uow: UnitOfWork, p: Principal, sak_id: str) -> Sak:
    """The case a command is about; another trust's case does not exist for the caller (404, so its
    existence is not revealed)."""
    sak = await uow.session.get(Sak, sak_id)
    if sak is None or sak.hf != p.hf:
        raise NotFound("Saken finnes ikke.")
    return sak


def fresh(sak: Sak, versjon: int | None) -> None:
    require_fresh(sak, versjon, message=STALE_MESSAGE)


def guard_race(uow: UnitOfWork, sak_id: str, versjon: int | None) -> None:
    on_lost_race(uow, Sak, sak_id, versjon=versjon, message=STALE_MESSAGE)


async def visning(uow: UnitOfWork, sak: Sak) -> SakVisning:
    alle = await store.alle_vedtak_for(uow.session, sak.id)
    return SakVisning(
        sak=sak,
        vedtak=alle[-1] if alle else None,
        historikk=await store.historikk_for(uow.session, sak.id),
        idag=oslo_date(uow.now),
        alle_vedtak=tuple(alle),
    )
