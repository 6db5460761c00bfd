"""Continuation: when a granted treatment's validity nears its end the applicant is reminded (once), and
one click drafts a new application prefilled from the old one and its follow-up, linked to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.domain.kalender import oslo_date
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition
from shared.platform.web.templating import format_date
from soknad.domain import Status
from soknad.fortsettelse import Forrige, prefill
from soknad.handlers.common import history, mark_personal_data, read, require_editor
from soknad.samarbeid import validity_ending
from soknad.skjema.register import SkjemaRegister
from soknad.store import Medforfatter, Soknad
from soknad.store.core import fortsettelser_av
from soknad.store.oppfolging import approved_cases, oppfolging_for
from soknad.store.varsler import GYLDIGHET_UTLOPER, GYLDIGHET_WHERE, Varsel
from soknad.vedtak import vedtaksvisning

IKKE_AKTUELL = "Fortsettelse kan søkes når et innvilget vedtak nærmer seg slutten av gyldighetsperioden."


@dataclass(frozen=True)
class Utloper:
    """A granted treatment whose validity ends soon (or has ended) without a continuation applied for."""

    soknad_id: str
    lopenummer: str | None
    gyldig_til: date
    dager_igjen: int


async def _open_continuations(uow: UnitOfWork, soknad_id: str) -> list[Soknad]:
    return [f for f in await fortsettelser_av(uow.session, soknad_id) if f.status != Status.TRUKKET]


async def utloper_for(uow: UnitOfWork, p: Principal, *, varsel_dager: int) -> list[Utloper]:
    """The applicant's granted treatments whose validity ends within `varsel_dager`; the first time
    one shows up, the applicant is notified (computed on read, like due evaluations: no scheduler)."""
    if not p.has(Role.SOKER):
        return []
    idag = oslo_date(uow.now)
    ending: list[Utloper] = []
    for s in await approved_cases(uow.session, hf=p.hf, user_id=p.user_id):
        vedtak = vedtaksvisning(s.vedtak)
        dager = validity_ending(
            status=s.status,
            utfall=s.utfall,
            gyldig_til=vedtak.gyldig_til if vedtak else None,
            idag=idag,
            varsel_dager=varsel_dager,
        )
        if dager is None or vedtak is None or vedtak.gyldig_til is None:
            continue
        if await _open_continuations(uow, s.id):
            continue
        ending.append(Utloper(s.id, s.lopenummer, vedtak.gyldig_til, dager))
    ending.sort(key=lambda u: u.gyldig_til)
    await _notify_once(uow, p, ending)
    return ending


async def _notify_once(uow: UnitOfWork, p: Principal, ending: list[Utloper]) -> None:
    """One reminder per person and case however often the start page loads; two loads at once are
    settled by the partial unique index."""
    if not ending:
        return
    dialect_insert = pg_insert if uow.db.engine.dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "id": str(uuid.uuid4()),
            "hf": p.hf,
            "user_id": p.user_id,
            "soknad_id": u.soknad_id,
            "lopenummer": u.lopenummer,
            "kind": GYLDIGHET_UTLOPER,
            "tekst": (
                f"Vedtaket i søknad {u.lopenummer} "
                f"{'gjaldt' if u.dager_igjen < 0 else 'gjelder'} til {format_date(u.gyldig_til)}. "
                "Skal behandlingen fortsette, kan du søke om fortsettelse med ett klikk."
            ),
            "opprettet_at": uow.now,
        }
        for u in ending
    ]
    await uow.session.execute(
        dialect_insert(Varsel)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["soknad_id", "kind", "user_id"], index_where=GYLDIGHET_WHERE)
    )


@use_case
async def soke_fortsettelse(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    skjemaer: SkjemaRegister,
    allow_synthetic: bool,
    varsel_dager: int,
) -> Soknad:
    """A new draft continuing the granted treatment of `soknad_id`; a second click opens the same draft."""
    gammel = await read.within(uow, p, soknad_id, purpose="Søke om fortsettelse av behandling")
    require_editor(p, gammel)
    p.require(Role.SOKER)
    vedtak = vedtaksvisning(gammel.vedtak)
    now = uow.now
    idag = oslo_date(now)
    if (
        vedtak is None
        or gammel.lopenummer is None
        or validity_ending(
            status=gammel.status,
            utfall=gammel.utfall,
            gyldig_til=vedtak.gyldig_til,
            idag=idag,
            varsel_dager=varsel_dager,
        )
        is None
    ):
        raise InvalidTransition(IKKE_AKTUELL)
    existing = await _open_continuations(uow, gammel.id)
    if existing:
        return existing[0]
    skjema = skjemaer.latest
    lm = (gammel.innhold or {}).get("legemiddel") or {}
    answers = prefill(
        skjema,
        gammel.innhold or {},
        Forrige(
            lopenummer=gammel.lopenummer,
            legemiddel=str(lm.get("navn") or lm.get("virkestoff") or "Legemiddelet"),
            gyldig_fra=vedtak.gyldig_fra,
            gyldig_til=vedtak.gyldig_til,
        ),
        await oppfolging_for(uow.session, gammel.id),
        allow_synthetic=allow_synthetic,
        today=idag,
    )
    mark_personal_data(answers)
    ny = Soknad(
        id=str(uuid.uuid4()),
        hf=gammel.hf,
        type=gammel.type,
        kategori=gammel.kategori,
        status=Status.UTKAST,
        soker_id=p.user_id,
        soker_navn=p.name,
        soker_hpr=p.hpr_number,
        enhet=gammel.enhet,
        medforfattere=[m for m in [gammel.soker_id, *gammel.medforfattere] if m != p.user_id],
        innhold=answers,
        skjema_versjon=skjema.versjon,
        opprettet_at=now,
        endret_at=now,
        endret_av=p.user_id,
        fortsettelse_av=gammel.id,
    )
    ny.sync_search_columns()
    uow.session.add(ny)
    await uow.session.flush()
    for user_id in ny.medforfattere:
        uow.session.add(Medforfatter(soknad_id=ny.id, user_id=user_id))
    history(uow, ny, p, "opprettet", f"Utkast opprettet som fortsettelse av søknad {gammel.lopenummer}")
    history(uow, gammel, p, "fortsettelse", "Søknad om fortsettelse av behandlingen påbegynt")
    # The audit entry names the fields written: the field history is read from it (store.endringer).
    uow.audit(
        p, action="skriv", what="soknad.opprett", case_ref=ny.id, purpose="Skrive søknad", felt=list(answers)
    )
    await uow.session.flush()
    return ny
