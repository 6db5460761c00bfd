"""Notifications: who hears about which change. They are created by consumers of the events (inbox-
idempotent, so a redelivered event notifies nobody twice), never inline in the commands."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.events.contracts import ForankringDelegert, SoknadForankret, SoknadReturnert, SoknadSendt
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.katalog import Katalog
from shared.platform.web.templating import format_date
from soknad import store
from soknad.samarbeid import Forfall, kort
from soknad.store import Soknad
from soknad.store.varsler import (
    GYLDIGHET_UTLOPER,
    ONCE_PER_CASE,
    ONCE_WHERE,
    Varsel,
    count_unread,
    list_for,
    mark_all_read,
)

KIND_LABELS = {
    "sendt": "Ny søknad til forankring",
    "returnert": "Returnert",
    "delegert": "Delegert til din enhet",
    "forankret": "Forankret",
    "tilleggsinfo": "Spørsmål fra vurderingen",
    "behandling": "Saken er videresendt",
    "vedtak": "Vedtak",
    ONCE_PER_CASE: "Evaluering forfaller",
    GYLDIGHET_UTLOPER: "Vedtaket utløper",
}


async def ledere_for_enhet(katalog: Katalog, hf: str, enhet: str) -> list[str]:
    """The leaders who anchor for a unit, from the trust's directory."""
    return (await katalog.org(hf)).ledere(enhet)


def soker_og_medforfattere(soknad: Soknad) -> list[str]:
    return [soknad.soker_id, *soknad.medforfattere]


def varsle(uow: UnitOfWork, soknad: Soknad, mottakere: Iterable[str], *, kind: str, tekst: str) -> None:
    now = uow.now
    for user_id in dict.fromkeys(m for m in mottakere if m):
        uow.session.add(
            Varsel(
                id=str(uuid.uuid4()),
                hf=soknad.hf,
                user_id=user_id,
                soknad_id=soknad.id,
                lopenummer=soknad.lopenummer,
                kind=kind,
                tekst=tekst,
                opprettet_at=now,
            )
        )


async def _soknad(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound(f"Ukjent søknad {soknad_id}")
    return soknad


# --- consumed events: soknad subscribes to its own events, which also makes each of them routable ---


async def on_soknad_sendt(
    uow: UnitOfWork, event: SoknadSendt, envelope: Envelope, *, katalog: Katalog
) -> None:
    soknad = await _soknad(uow, event.soknad_id)
    varsle(
        uow,
        soknad,
        await ledere_for_enhet(katalog, soknad.hf, event.enhet),
        kind="sendt",
        tekst=f"Søknad {event.lopenummer} fra {event.soker_navn} venter på forankring.",
    )


async def on_soknad_returnert(uow: UnitOfWork, event: SoknadReturnert, envelope: Envelope) -> None:
    soknad = await _soknad(uow, event.soknad_id)
    varsle(
        uow,
        soknad,
        soker_og_medforfattere(soknad),
        kind="returnert",
        tekst=(
            f"Søknad {event.lopenummer} er returnert av {event.returnert_av_navn}: «{kort(event.kommentar)}»"
        ),
    )


async def on_forankring_delegert(
    uow: UnitOfWork, event: ForankringDelegert, envelope: Envelope, *, katalog: Katalog
) -> None:
    soknad = await _soknad(uow, event.soknad_id)
    org = await katalog.org(soknad.hf)
    varsle(
        uow,
        soknad,
        org.ledere(event.til_enhet),
        kind="delegert",
        tekst=(
            f"{event.delegert_av_navn} ({org.enhet_navn(event.fra_enhet)}) har delegert forankringen av "
            f"søknad {event.lopenummer} til din enhet: «{kort(event.kommentar)}»"
        ),
    )


async def on_soknad_forankret(uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
    soknad = await _soknad(uow, event.soknad_id)
    varsle(
        uow,
        soknad,
        soker_og_medforfattere(soknad),
        kind="forankret",
        tekst=(
            f"Søknad {event.lopenummer} er forankret av {event.forankring.leder_navn} og sendt til vurdering."
        ),
    )


# --- the person's own notifications --------------------------------------------------------------


async def count_mine(uow: UnitOfWork, p: Principal) -> int:
    return await count_unread(uow.session, hf=p.hf, user_id=p.user_id)


@dataclass(frozen=True)
class Varselliste:
    varsler: list[Varsel]
    uleste: int


@use_case
async def list_mine(uow: UnitOfWork, p: Principal) -> Varselliste:
    """My notifications, newest first, and how many are unread."""
    rows = await list_for(uow.session, hf=p.hf, user_id=p.user_id)
    uow.audit(p, action="les", what="varsler.liste", case_ref=None, purpose="Lese egne varsler")
    return Varselliste(rows, await count_mine(uow, p))


async def _mine(uow: UnitOfWork, p: Principal, varsel_id: str) -> Varsel:
    varsel = await uow.session.get(Varsel, varsel_id)
    if varsel is None or varsel.user_id != p.user_id or varsel.hf != p.hf:
        raise NotFound("Varselet finnes ikke.")
    return varsel


@use_case
async def get_mine(uow: UnitOfWork, p: Principal, varsel_id: str) -> Varsel:
    """One of my notifications, as it is (reading it does not mark it read)."""
    return await _mine(uow, p, varsel_id)


@use_case
async def mark_read(uow: UnitOfWork, p: Principal, varsel_id: str) -> Varsel:
    varsel = await _mine(uow, p, varsel_id)
    if varsel.lest_at is None:
        varsel.lest_at = uow.now
    await uow.session.flush()
    return varsel


@use_case
async def mark_all_mine_read(uow: UnitOfWork, p: Principal) -> int:
    return await mark_all_read(uow.session, hf=p.hf, user_id=p.user_id, at=uow.now)


async def notify_due_once(uow: UnitOfWork, p: Principal, due: list[Forfall]) -> None:
    """Each person gets one `oppfolging_forfaller` per case, however often their pages are loaded;
    two loads at once are settled by the partial unique index (the second insert does nothing)."""
    if not due:
        return
    dialect_insert = pg_insert if uow.db.engine.dialect.name == "postgresql" else sqlite_insert
    now = uow.now
    rows = [
        {
            "id": str(uuid.uuid4()),
            "hf": p.hf,
            "user_id": p.user_id,
            "soknad_id": f.soknad_id,
            "lopenummer": f.lopenummer,
            "kind": ONCE_PER_CASE,
            "tekst": (
                f"Evalueringen av behandlingen i søknad {f.lopenummer} "
                f"{'forfalt' if f.forfalt else 'forfaller'} {format_date(f.evalueringsdato)}. "
                "Registrer oppfølging."
            ),
            "opprettet_at": now,
        }
        for f in due
    ]
    await uow.session.execute(
        dialect_insert(Varsel)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["soknad_id", "kind", "user_id"], index_where=ONCE_WHERE)
    )
