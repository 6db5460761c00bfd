"""The privacy officer's access log: who read or changed a case, or a patient's cases, across every service
of the trust, merged into one timeline.

soknad reads its own log and asks vurdering, beslutning and integrasjon for theirs with the officer's own
credentials, so each service checks and audits the look itself. The fødselsnummer stays here: the other
services are asked by løpenummer only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from shared.domain.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.platform.auth.principal import Principal
from shared.platform.db.revisjonslogg import MAX_ROWS, Revisjonsrad, rows_for_cases
from shared.platform.db.uow import Database, UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import ValidationFailed
from shared.platform.observability.logging import mark_sensitive
from shared.platform.web.revisjonslogg import (
    Fjernlogg,
    Formal,
    RevisjonsloggKilde,
    RevisjonsradRead,
    hent_alle,
    record_look,
    require_own_cases,
    require_personvern,
)
from soknad.domain import LOPENUMMER_PATTERN
from soknad.handlers.common import mark_personal_data
from soknad.store import Soknad

OWN_PAGES = 5
"""Pages of `MAX_ROWS` read from soknad's own log per look; beyond that the page says it is cut short."""


@dataclass(frozen=True)
class Sak:
    soknad_id: str
    lopenummer: str | None
    status: str
    skjema_versjon: int
    legemiddel_navn: str | None

    @property
    def ref(self) -> str:
        """How the case is named in the log after it was sent; before, by the application's id."""
        return self.lopenummer or self.soknad_id


@dataclass(frozen=True)
class Linje:
    """One row of the merged timeline."""

    at: datetime
    tjeneste: str
    actor_id: str
    actor_navn: str | None
    actor_role: str
    action: str
    what: str
    purpose: str
    felt: list[str]
    sak: Sak | None
    case_ref: str | None


@dataclass(frozen=True)
class Tilgangslogg:
    saker: list[Sak]
    linjer: list[Linje]
    """Oldest first."""
    utilgjengelige: list[str]
    """Services that did not answer: their part is missing."""
    avkortet: list[str]
    """Services whose log was longer than one look reads."""


@dataclass(frozen=True)
class _Egen:
    saker: list[Sak]
    rader: list[Revisjonsrad]
    avkortet: bool


def _sak(soknad: Soknad) -> Sak:
    return Sak(
        soknad_id=soknad.id,
        lopenummer=soknad.lopenummer,
        status=soknad.status,
        skjema_versjon=soknad.skjema_versjon,
        legemiddel_navn=soknad.legemiddel_navn,
    )


def parse_lopenummer(raw: str) -> str:
    lopenummer = raw.strip().upper()
    if not LOPENUMMER_PATTERN.fullmatch(lopenummer):
        raise ValidationFailed(
            "Skriv løpenummeret slik det står på saken, for eksempel HBE-2026-000042.", field="lopenummer"
        )
    return lopenummer


async def _own_rows(uow: UnitOfWork, p: Principal, saker: Sequence[Sak]) -> tuple[list[Revisjonsrad], bool]:
    refs = [ref for sak in saker for ref in (sak.soknad_id, sak.lopenummer) if ref]
    rader: list[Revisjonsrad] = []
    etter: int | None = None
    for _ in range(OWN_PAGES):
        utdrag = await rows_for_cases(uow, hf=p.hf, case_refs=refs, etter=etter, antall=MAX_ROWS)
        rader.extend(utdrag.rader)
        if utdrag.neste is None:
            return rader, False
        etter = utdrag.neste
    return rader, True


@use_case
async def _sak_egen(uow: UnitOfWork, p: Principal, *, lopenummer: str) -> _Egen:
    require_personvern(p)
    require_own_cases(p, [lopenummer])
    soknad = await uow.session.scalar(
        select(Soknad).where(Soknad.hf == p.hf, Soknad.lopenummer == lopenummer)
    )
    saker = [_sak(soknad)] if soknad is not None else []
    rader, avkortet = await _own_rows(uow, p, saker)
    record_look(uow, p, [lopenummer], Formal.SAK)
    return _Egen(saker, rader, avkortet)


@use_case
async def _pasient_egen(
    uow: UnitOfWork, p: Principal, *, fodselsnummer: str, allow_synthetic: bool, formal: Formal
) -> _Egen:
    require_personvern(p)
    mark_sensitive(fodselsnummer.strip())
    try:
        nummer = validate_fodselsnummer(fodselsnummer, allow_synthetic=allow_synthetic)
    except InvalidPersonnummer as exc:
        raise ValidationFailed(exc.message_nb, field="fodselsnummer") from exc
    mark_sensitive(nummer.value)
    # The answers are JSON; the form stores a valid number normalised (11 digits), so equality finds it.
    soknader = list(
        await uow.session.scalars(
            select(Soknad)
            .where(Soknad.hf == p.hf, Soknad.innhold["pasient_fodselsnummer"].as_string() == nummer.value)
            .order_by(Soknad.opprettet_at)
        )
    )
    for soknad in soknader:
        mark_personal_data(soknad.innhold)
    saker = [_sak(soknad) for soknad in soknader]
    rader, avkortet = await _own_rows(uow, p, saker)
    if saker:
        record_look(uow, p, [sak.ref for sak in saker], formal)
    else:
        # A search that found nothing is a look too.
        record_look(uow, p, [None], formal)
    return _Egen(saker, rader, avkortet)


def merge(egen: _Egen, fjerne: Sequence[Fjernlogg]) -> Tilgangslogg:
    by_ref: dict[str, Sak] = {}
    for sak in egen.saker:
        by_ref[sak.soknad_id] = sak
        if sak.lopenummer:
            by_ref[sak.lopenummer] = sak
    kilder: list[tuple[str, Sequence[Revisjonsrad | RevisjonsradRead]]] = [("soknad", egen.rader)]
    kilder.extend((logg.tjeneste, logg.rader) for logg in fjerne)
    linjer = [
        Linje(
            at=rad.at,
            tjeneste=tjeneste,
            actor_id=rad.actor_id,
            actor_navn=rad.actor_navn,
            actor_role=rad.actor_role,
            action=rad.action,
            what=rad.what,
            purpose=rad.purpose,
            felt=list(rad.felt or []),
            sak=by_ref.get(rad.case_ref or ""),
            case_ref=rad.case_ref,
        )
        for tjeneste, rader in kilder
        for rad in rader
    ]
    linjer.sort(key=lambda linje: linje.at)
    return Tilgangslogg(
        saker=egen.saker,
        linjer=linjer,
        utilgjengelige=[logg.tjeneste for logg in fjerne if not logg.tilgjengelig],
        avkortet=(["soknad"] if egen.avkortet else []) + [logg.tjeneste for logg in fjerne if logg.avkortet],
    )


async def logg_for_sak(
    db: Database,
    p: Principal,
    *,
    lopenummer: str,
    kilder: Sequence[RevisjonsloggKilde],
    credentials: dict[str, str],
) -> Tilgangslogg:
    """Who read or changed the case, and when, in every service of the trust. The look is audited in each."""
    egen = await _sak_egen(db, p, lopenummer=parse_lopenummer(lopenummer))
    fjerne = await hent_alle(
        kilder,
        [sak.lopenummer for sak in egen.saker if sak.lopenummer],
        formal=Formal.SAK,
        credentials=credentials,
    )
    return merge(egen, fjerne)


async def logg_for_pasient(
    db: Database,
    p: Principal,
    *,
    fodselsnummer: str,
    allow_synthetic: bool,
    eksport: bool,
    kilder: Sequence[RevisjonsloggKilde],
    credentials: dict[str, str],
) -> Tilgangslogg:
    """The patient's access log: every case of the patient in the trust, and who looked at each."""
    formal = Formal.EKSPORT if eksport else Formal.PASIENT
    egen = await _pasient_egen(
        db, p, fodselsnummer=fodselsnummer, allow_synthetic=allow_synthetic, formal=formal
    )
    fjerne = await hent_alle(
        kilder,
        [sak.lopenummer for sak in egen.saker if sak.lopenummer],
        formal=formal,
        credentials=credentials,
    )
    return merge(egen, fjerne)
