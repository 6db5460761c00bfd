"""The FHIR API's use cases: load the cases, check the reader may read them exactly as the pages do (role and
relation, own trust only), write every read of a case to the audit log, and hand plain facts to the
builders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, and_, cast, false, func, or_, select

from shared.fhir.krav import vedtakshistorikk
from shared.fhir.ressurser import Enhetsfakta, Saksfakta
from shared.platform.auth.principal import Principal, Role, can_read_soknad
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.katalog import Katalog, Organisasjon
from soknad.handlers.common import mark_personal_data
from soknad.store import Medforfatter, Soknad

IKKE_FUNNET = "Ressursen finnes ikke, eller du har ikke tilgang til den."
"""One answer for missing and not readable, as the pages give: a reader learns nothing of others' cases."""

MAX_TREFF = 200
"""Most cases one search returns (the Bundle says how many matched)."""


@dataclass(frozen=True)
class Kriterier:
    """What a search asks for, already parsed: every field narrows the cases (None: no condition)."""

    soknad_ids: Sequence[str] | None = None
    lopenumre: Sequence[str] | None = None
    fodselsnummer: str | None = None
    statuser: Sequence[str] | None = None
    vedtak_id: str | None = None


@dataclass(frozen=True)
class Treff:
    saker: list[Saksfakta]
    totalt: int


def enhetsfakta(org: Organisasjon, kode: str) -> Enhetsfakta:
    enhet = org.enhet(kode)
    if enhet is None:
        return Enhetsfakta(kode=kode, navn=kode)
    return Enhetsfakta(kode=kode, navn=enhet.navn, resh_id=enhet.resh_id)


def saksfakta(soknad: Soknad, org: Organisasjon) -> Saksfakta:
    return Saksfakta(
        soknad_id=soknad.id,
        hf=soknad.hf,
        lopenummer=soknad.lopenummer,
        type=soknad.type,
        kategori=soknad.kategori,
        status=soknad.status,
        soker_id=soknad.soker_id,
        soker_navn=soknad.soker_navn,
        soker_hpr=soknad.soker_hpr,
        enhet=enhetsfakta(org, soknad.enhet),
        innhold=dict(soknad.innhold or {}),
        skjema_versjon=soknad.skjema_versjon,
        opprettet_at=soknad.opprettet_at,
        endret_at=soknad.endret_at,
        sendt_at=soknad.sendt_at,
        vedtak=dict(soknad.vedtak) if soknad.vedtak else None,
    )


def _may_read(p: Principal, soknad: Soknad) -> bool:
    return can_read_soknad(
        p,
        hf=soknad.hf,
        soker_id=soknad.soker_id,
        medforfattere=soknad.medforfattere,
        enhet=soknad.enhet,
        sendt=soknad.sendt_at is not None,
    )


def _readable(p: Principal) -> ColumnElement[bool]:
    """`can_read_soknad` as SQL, so a search counts and limits only what the reader may see (the rule
    is checked once more per row in Python)."""
    conditions: list[ColumnElement[bool]] = []
    if p.has(Role.SOKER):
        coauthored = select(Medforfatter.soknad_id).where(Medforfatter.user_id == p.user_id)
        conditions.append(or_(Soknad.soker_id == p.user_id, Soknad.id.in_(coauthored)))
    if p.has(Role.KOMITE, Role.FAGDIREKTOR):
        conditions.append(Soknad.sendt_at.is_not(None))
    elif p.has(Role.LEDER) and p.enhet:
        conditions.append(and_(Soknad.sendt_at.is_not(None), Soknad.enhet == p.enhet))
    return and_(Soknad.hf == p.hf, or_(*conditions) if conditions else false())


def _audit(uow: UnitOfWork, p: Principal, soknad: Soknad, purpose: str) -> None:
    mark_personal_data(soknad.innhold or {})
    uow.audit(p, action="les", what="soknad.vis", case_ref=soknad.lopenummer or soknad.id, purpose=purpose)


@use_case
async def les_sak(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, katalog: Katalog, purpose: str
) -> Saksfakta:
    """One case the reader may read, audited; anything else is the same 404."""
    soknad = await uow.session.get(Soknad, soknad_id)
    if soknad is None or not _may_read(p, soknad):
        raise NotFound(IKKE_FUNNET)
    _audit(uow, p, soknad, purpose)
    return saksfakta(soknad, await katalog.org(soknad.hf))


def _where(kriterier: Kriterier) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if kriterier.soknad_ids is not None:
        where.append(Soknad.id.in_(list(kriterier.soknad_ids)))
    if kriterier.lopenumre is not None:
        where.append(Soknad.lopenummer.in_(list(kriterier.lopenumre)))
    if kriterier.fodselsnummer is not None:
        # The form stores a valid number normalised (11 digits), so equality finds it.
        where.append(Soknad.innhold["pasient_fodselsnummer"].as_string() == kriterier.fodselsnummer)
    if kriterier.statuser is not None:
        where.append(Soknad.status.in_(list(kriterier.statuser)))
    if kriterier.vedtak_id is not None:
        # Replaced decisions live in the JSON's list of earlier ones; the ids are checked exactly by
        # the caller. A FHIR id has no LIKE wildcards (`[A-Za-z0-9.-]`).
        where.append(cast(Soknad.vedtak, Text).contains(kriterier.vedtak_id))
    return where


@use_case
async def sok_saker(
    uow: UnitOfWork,
    p: Principal,
    kriterier: Kriterier,
    *,
    katalog: Katalog,
    purpose: str,
    antall: int,
    behold: Callable[[Saksfakta], bool] | None = None,
) -> Treff:
    """The cases matching every criterion that the reader may read, newest first. `behold`: a condition
    SQL cannot ask (on the built resources); a case it drops is neither returned nor audited. Each case
    returned is audited."""
    where = [_readable(p), *_where(kriterier)]
    totalt = int(await uow.session.scalar(select(func.count()).select_from(Soknad).where(*where)) or 0)
    query = select(Soknad).where(*where).order_by(Soknad.opprettet_at.desc(), Soknad.id)
    rows = [s for s in await uow.session.scalars(query.limit(min(antall, MAX_TREFF))) if _may_read(p, s)]
    org = await katalog.org(p.hf)
    saker: list[Saksfakta] = []
    for soknad in rows:
        sak = saksfakta(soknad, org)
        if behold is None or behold(sak):
            _audit(uow, p, soknad, purpose)
            saker.append(sak)
    return Treff(saker, totalt)


@use_case
async def sak_for_vedtak(
    uow: UnitOfWork, p: Principal, vedtak_id: str, *, katalog: Katalog, purpose: str
) -> Saksfakta:
    """The case a decision (current or replaced) belongs to, if the reader may read it."""
    query = select(Soknad).where(_readable(p), *_where(Kriterier(vedtak_id=vedtak_id))).limit(20)
    for soknad in await uow.session.scalars(query):
        sak = saksfakta(soknad, await katalog.org(soknad.hf))
        if vedtak_id in _vedtak_ids(sak) and _may_read(p, soknad):
            _audit(uow, p, soknad, purpose)
            return sak
    raise NotFound(IKKE_FUNNET)


def _vedtak_ids(sak: Saksfakta) -> set[str]:
    return {str(v.get("vedtak_id")) for v in vedtakshistorikk(sak.vedtak) if v.get("vedtak_id")}
