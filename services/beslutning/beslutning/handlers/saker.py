"""Reading cases: the director's inbox (earliest deadline first, overdue flagged), one case in full
(audited), and the notifications in the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from beslutning import store
from beslutning.domain import HOLDER_LABELS, OPEN, STATUS_LABELS, Status
from beslutning.handlers.common import SakVisning, load, visning
from beslutning.handlers.hendelser import varsle
from beslutning.store import Sak, Varsel, Vedtak
from shared.domain.kalender import oslo_date
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.observability.logging import mark_sensitive

PAGE_SIZE = 50


@use_case
async def read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> SakVisning:
    """One case in full; the snapshot holds personal data, so every read is audited."""
    p.require(Role.FAGDIREKTOR)
    sak = await load(uow, p, sak_id)
    pasient = sak.snapshot.get("pasient") or {}
    mark_sensitive(pasient.get("navn"), pasient.get("fodselsnummer"))
    uow.audit(p, action="les", what="beslutning.vis", case_ref=sak.lopenummer, purpose=purpose)
    return await visning(uow, sak)


@dataclass(frozen=True)
class Saksliste:
    saker: list[Sak]
    vedtak: dict[str, Vedtak]


@use_case
async def list_saker(uow: UnitOfWork, p: Principal) -> Saksliste:
    p.require(Role.FAGDIREKTOR)
    saker = await store.list_for_hf(uow.session, hf=p.hf)
    return Saksliste(saker=saker, vedtak=await store.vedtak_for_saker(uow.session, [s.id for s in saker]))


@dataclass(frozen=True)
class Innboksrad:
    id: str
    lopenummer: str
    type: str
    kategori: str
    status: str
    status_tekst: str
    enhet: str
    legemiddel: str
    indikasjon: str
    frist: date
    forankret_at: datetime
    alder_dager: int
    """Days since the anchoring."""
    forfalt: bool
    hos: str
    """Who holds the case now."""
    vurderingsflyt: str | None


@dataclass(frozen=True)
class Innboks:
    rader: list[Innboksrad]
    totalt: int
    side: int
    sider: int
    antall: dict[str, int]
    varsler: list[Varsel]
    idag: date


async def notice_overdue(uow: UnitOfWork, *, hf: str | None) -> int:
    """One notification per open case that has passed its deadline (once per deadline: a new deadline
    from triage may notify again); how many were created. `hf` None: every trust's."""
    today = oslo_date(uow.now)
    created = 0
    # Fifty at a time, bounded: a backlog after a long stop is worked off over a few checks.
    for _ in range(20):
        overdue = await store.overdue_unnotified(uow.session, hf=hf, today=today)
        if not overdue:
            break
        await store.mark_overdue_notified(uow.session, [row.id for row in overdue])
        for row in overdue:
            varsle(
                uow,
                row.hf,
                row.id,
                "forfalt",
                f"Sak {row.lopenummer} har passert fristen ({row.frist:%d.%m.%Y}).",
            )
        created += len(overdue)
    return created


@use_case
async def varsle_forfalte(uow: UnitOfWork) -> int:
    """The periodic check (the service's lifespan): a case is noticed when it becomes overdue, whether
    or not anyone opens a page."""
    return await notice_overdue(uow, hf=None)


@use_case
async def topplinje(uow: UnitOfWork, p: Principal) -> int:
    """The director's unread notifications for the bell in the header. Overdue cases are noticed by the
    periodic check (and the inbox), not here: every page pays for this count."""
    p.require(Role.FAGDIREKTOR)
    return await store.antall_uleste(uow.session, hf=p.hf)


@use_case
async def innboks(uow: UnitOfWork, p: Principal, *, side: int = 1, status: str | None = None) -> Innboks:
    """The open cases, earliest deadline first, one page at a time. Loading it is also when overdue
    cases are noticed: each gets one notification."""
    p.require(Role.FAGDIREKTOR)
    today = oslo_date(uow.now)
    await notice_overdue(uow, hf=p.hf)
    statuses = frozenset({Status(status)}) if status in set(Status) else OPEN
    side = max(side, 1)
    antall = await store.count_by_status(uow.session, hf=p.hf)
    total = (
        sum(n for s, n in antall.items() if s in statuses)
        if statuses <= OPEN
        else await store.count_in(uow.session, hf=p.hf, statuses=statuses)
    )
    rows = await store.inbox(
        uow.session, hf=p.hf, statuses=statuses, limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE
    )
    rader = [
        Innboksrad(
            id=r.id,
            lopenummer=r.lopenummer,
            type=r.type,
            kategori=r.kategori,
            status=str(r.status),
            status_tekst=STATUS_LABELS[Status(r.status)],
            enhet=r.enhet,
            legemiddel=r.legemiddel or "",
            indikasjon=f"{r.icd10_kode or ''} {r.icd10_tekst or ''}".strip(),
            frist=r.frist,
            forankret_at=r.forankret_at,
            alder_dager=(today - oslo_date(r.forankret_at)).days,
            forfalt=r.frist < today,
            hos=HOLDER_LABELS.get(Status(r.status), ""),
            vurderingsflyt=r.vurderingsflyt,
        )
        for r in rows
    ]
    return Innboks(
        rader=rader,
        totalt=total,
        side=side,
        sider=max(1, -(-total // PAGE_SIZE)),
        antall=antall,
        varsler=await store.uleste_varsler(uow.session, hf=p.hf),
        idag=today,
    )


@use_case
async def uleste_varsler(uow: UnitOfWork, p: Principal) -> list[Varsel]:
    p.require(Role.FAGDIREKTOR)
    return await store.uleste_varsler(uow.session, hf=p.hf)


@use_case
async def apne_varsel(uow: UnitOfWork, p: Principal, varsel_id: str) -> str:
    """Mark a notification read; its case's id, to go to."""
    p.require(Role.FAGDIREKTOR)
    varsel = await uow.session.get(Varsel, varsel_id)
    if varsel is None or varsel.hf != p.hf:
        raise NotFound("Varselet finnes ikke.")
    varsel.lest_at = varsel.lest_at or uow.now
    return varsel.sak_id
