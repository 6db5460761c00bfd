"""Use cases of the webhooks: register and re-enable endpoints, read their log, replay a delivery, and
the delivery worker's two steps (claim what is due, record how it went, disabling an endpoint that has
failed for too long)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update

from integrasjon.integratorer.aktor import Systemaktor
from integrasjon.webhooks import domain
from integrasjon.webhooks.domain import CONTENT_TYPES, FEILET, FHIR, JSON, LEVERT, VENTER, EndepunktInput
from integrasjon.webhooks.signing import new_secret
from integrasjon.webhooks.tables import WebhookEndepunkt, WebhookForsok, WebhookLevering
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.engine import is_postgres
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound

log = structlog.get_logger(__name__)

DELIVERY_WINDOW = timedelta(days=1)
LOG_LENGTH = 100


async def stage_deliveries(
    uow: UnitOfWork,
    *,
    hf: str,
    hendelse: str,
    lopenummer: str,
    uten: Envelope,
    med: Envelope,
    fhir: str | None,
) -> None:
    """One delivery per endpoint of the trust that wants this event, in the consuming transaction: the
    variant with the patient only to endpoints entitled to it, and `fhir` (the decision's ClaimResponse,
    which names the patient) only to entitled endpoints that chose FHIR.

    Disabled endpoints too: the worker does not send to them (`claim_due`), and re-enabling one
    (`aktiver`) delivers what was decided meanwhile instead of losing it."""
    wanted = domain.hendelsestype(hendelse)
    endepunkter = await uow.session.scalars(select(WebhookEndepunkt).where(WebhookEndepunkt.hf == hf))
    for e in endepunkter:
        if wanted not in e.hendelser:
            continue
        # The identity-bearing event's id is also the FHIR delivery's `webhook-id`: one per event.
        envelope = med if e.identitet else uten
        body = envelope.model_dump_json()
        if e.format == FHIR:
            if not e.identitet:
                continue
            if fhir is None:
                # A revocation of a decision sent before integrasjon kept decisions for FHIR.
                log.warning("webhook_fhir_not_built", endepunkt_id=e.id, lopenummer=lopenummer)
                continue
            body = fhir
        uow.session.add(
            WebhookLevering(
                endepunkt_id=e.id,
                event_id=envelope.id,
                hendelse=wanted,
                lopenummer=lopenummer,
                body=body,
                format=FHIR if e.format == FHIR else JSON,
                status=VENTER,
                forsok=0,
                neste_forsok_at=uow.now,
                frist_at=uow.now + DELIVERY_WINDOW,
                opprettet_at=uow.now,
                levert_at=None,
                siste_feil=None,
            )
        )


@dataclass(frozen=True)
class NyttEndepunkt:
    endepunkt: WebhookEndepunkt
    hemmelighet: str
    """Shown once, in the answer to the registration."""


@use_case
async def registrer(uow: UnitOfWork, p: Principal, data: EndepunktInput) -> NyttEndepunkt:
    p.require(Role.ADMIN)
    hemmelighet = new_secret()
    e = WebhookEndepunkt(
        id=str(uuid.uuid4()),
        hf=p.hf,
        navn=data.navn,
        url=data.url,
        hendelser=data.hendelser,
        identitet=data.identitet,
        format=data.format,
        hemmelighet=hemmelighet,
        aktiv=True,
        feil_pa_rad=0,
        feilet_siden=None,
        deaktivert_at=None,
        deaktivert_grunn=None,
        opprettet_av=p.user_id,
        opprettet_at=uow.now,
    )
    uow.session.add(e)
    uow.audit(
        p,
        action="skriv",
        what="webhook.registrer",
        case_ref=None,
        purpose="Registrere webhook",
        felt=["navn", "url", "hendelser", "identitet", "format"],
    )
    return NyttEndepunkt(e, hemmelighet)


@use_case
async def list_endepunkter(uow: UnitOfWork, p: Principal) -> list[WebhookEndepunkt]:
    p.require(Role.ADMIN)
    rows = await uow.session.scalars(
        select(WebhookEndepunkt).where(WebhookEndepunkt.hf == p.hf).order_by(WebhookEndepunkt.opprettet_at)
    )
    return list(rows)


async def _endepunkt(uow: UnitOfWork, p: Principal, endepunkt_id: str) -> WebhookEndepunkt:
    p.require(Role.ADMIN)
    e = await uow.session.get(WebhookEndepunkt, endepunkt_id)
    if e is None or e.hf != p.hf:
        raise NotFound("Fant ikke webhooken.")
    return e


@dataclass(frozen=True)
class Logg:
    endepunkt: WebhookEndepunkt
    leveringer: list[WebhookLevering]
    forsok: dict[int, list[WebhookForsok]]


@use_case
async def logg(uow: UnitOfWork, p: Principal, endepunkt_id: str) -> Logg:
    e = await _endepunkt(uow, p, endepunkt_id)
    leveringer = list(
        await uow.session.scalars(
            select(WebhookLevering)
            .where(WebhookLevering.endepunkt_id == e.id)
            .order_by(WebhookLevering.id.desc())
            .limit(LOG_LENGTH)
        )
    )
    forsok: dict[int, list[WebhookForsok]] = {levering.id: [] for levering in leveringer}
    if leveringer:
        for f in await uow.session.scalars(
            select(WebhookForsok).where(WebhookForsok.levering_id.in_(forsok)).order_by(WebhookForsok.id)
        ):
            forsok[f.levering_id].append(f)
    # The log names cases (løpenumre) and when they were decided, not who the patients are.
    uow.audit(p, action="les", what="webhook.logg", case_ref=None, purpose="Se leveringslogg")
    return Logg(e, leveringer, forsok)


@use_case
async def spill_av_pa_nytt(uow: UnitOfWork, p: Principal, endepunkt_id: str, levering_id: int) -> None:
    """Manual replay: the delivery is due now, with a fresh day of retries (same `webhook-id`)."""
    e = await _endepunkt(uow, p, endepunkt_id)
    levering = await uow.session.get(WebhookLevering, levering_id)
    if levering is None or levering.endepunkt_id != e.id:
        raise NotFound("Fant ikke leveringen.")
    levering.status = VENTER
    levering.neste_forsok_at = uow.now
    levering.frist_at = uow.now + DELIVERY_WINDOW
    uow.audit(
        p, action="skriv", what="webhook.spill_av", case_ref=levering.lopenummer, purpose="Sende på nytt"
    )


@use_case
async def aktiver(uow: UnitOfWork, p: Principal, endepunkt_id: str) -> None:
    """Enable a disabled endpoint: what waited meanwhile is due now, with a fresh day of retries (a long
    disable must not dead-letter it at its first failure)."""
    e = await _endepunkt(uow, p, endepunkt_id)
    if not e.aktiv:
        await uow.session.execute(
            update(WebhookLevering)
            .where(WebhookLevering.endepunkt_id == e.id, WebhookLevering.status == VENTER)
            .values(neste_forsok_at=uow.now, frist_at=uow.now + DELIVERY_WINDOW)
        )
    e.aktiv = True
    e.feil_pa_rad = 0
    e.feilet_siden = None
    e.deaktivert_at = None
    e.deaktivert_grunn = None
    uow.audit(p, action="skriv", what="webhook.aktiver", case_ref=None, purpose="Aktivere webhook")


@dataclass(frozen=True)
class Utsending:
    """One delivery to attempt, with what signing it needs."""

    levering_id: int
    endepunkt_id: str
    url: str
    hemmelighet: str
    webhook_id: str
    body: str
    content_type: str
    forsok: int


@use_case
async def claim_due(uow: UnitOfWork, *, now: datetime, limit: int, lease: timedelta) -> list[Utsending]:
    """The deliveries due now, to active endpoints, leased for `lease`: another worker (a second
    instance) skips them until then, and if this one dies they come due again."""
    query = (
        select(WebhookLevering, WebhookEndepunkt)
        .join(WebhookEndepunkt, WebhookEndepunkt.id == WebhookLevering.endepunkt_id)
        .where(
            WebhookLevering.status == VENTER,
            WebhookLevering.neste_forsok_at <= now,
            WebhookEndepunkt.aktiv.is_(True),
        )
        .order_by(WebhookLevering.neste_forsok_at, WebhookLevering.id)
        .limit(limit)
    )
    if is_postgres(uow.db.engine):
        query = query.with_for_update(of=WebhookLevering, skip_locked=True)
    due = []
    for levering, e in (await uow.session.execute(query)).all():
        levering.neste_forsok_at = now + lease
        due.append(
            Utsending(
                levering.id,
                e.id,
                e.url,
                e.hemmelighet,
                levering.event_id,
                levering.body,
                CONTENT_TYPES.get(levering.format, CONTENT_TYPES[JSON]),
                levering.forsok + 1,
            )
        )
    return due


@dataclass(frozen=True)
class Resultat:
    at: datetime
    statuskode: int | None
    feil: str | None
    varighet_ms: int

    @property
    def ok(self) -> bool:
        return self.statuskode is not None and 200 <= self.statuskode < 300


@dataclass(frozen=True)
class Deaktivering:
    """An endpoint `record` disabled, for the warning in the log (no secret, no query string)."""

    endepunkt_id: str
    hf: str
    navn: str
    url: str
    grunn: str


@use_case
async def record(
    uow: UnitOfWork, utsending: Utsending, resultat: Resultat, *, neste: timedelta, deaktiver_etter: timedelta
) -> Deaktivering | None:
    """Log the attempt; on failure retry after `neste`, or give up when the day is over. An endpoint
    whose every attempt has failed for `deaktiver_etter` is disabled (audited; the admin pages say so):
    the endpoint it disables is returned.

    Time, not a count, decides: failed attempts are counted across all of an endpoint's deliveries, so
    any count is reached sooner the more decisions queue up (50 queued deliveries and a one-minute
    outage would be 50 failures), while a receiver that has answered nothing for hours is down whatever
    the traffic. While a delivery waits, attempts come at least hourly (the backoff's cap), so
    `feilet_siden` is continuous evidence, and a success of any delivery clears it."""
    levering = await uow.session.get(WebhookLevering, utsending.levering_id)
    assert levering is not None
    uow.session.add(
        WebhookForsok(
            levering_id=levering.id,
            at=resultat.at,
            statuskode=resultat.statuskode,
            feil=resultat.feil,
            varighet_ms=resultat.varighet_ms,
        )
    )
    levering.forsok += 1
    # The endpoint's counter in SQL, not read-modify-write: deliveries to one endpoint are recorded
    # concurrently.
    endepunkt = update(WebhookEndepunkt).where(WebhookEndepunkt.id == utsending.endepunkt_id)
    if resultat.ok:
        levering.status = LEVERT
        levering.levert_at = resultat.at
        levering.siste_feil = None
        await uow.session.execute(endepunkt.values(feil_pa_rad=0, feilet_siden=None))
        return None
    levering.siste_feil = resultat.feil or f"HTTP {resultat.statuskode}"
    if resultat.at >= levering.frist_at:
        levering.status = FEILET
    else:
        levering.neste_forsok_at = min(resultat.at + neste, levering.frist_at)
    await uow.session.execute(endepunkt.values(feil_pa_rad=WebhookEndepunkt.feil_pa_rad + 1))
    await uow.session.execute(
        endepunkt.where(WebhookEndepunkt.feilet_siden.is_(None)).values(feilet_siden=resultat.at)
    )
    grunn = f"Alle leveringer har feilet i {domain.varighet(deaktiver_etter)} (sist: {levering.siste_feil})"
    disabled = (
        await uow.session.execute(
            endepunkt.where(
                WebhookEndepunkt.aktiv.is_(True),
                WebhookEndepunkt.feilet_siden <= resultat.at - deaktiver_etter,
            )
            .values(aktiv=False, deaktivert_at=resultat.at, deaktivert_grunn=grunn[:300])
            .returning(WebhookEndepunkt.hf, WebhookEndepunkt.navn, WebhookEndepunkt.url)
        )
    ).first()
    if disabled is None:
        return None
    hf, navn, url = disabled
    uow.audit(
        Systemaktor(hf),
        action="skriv",
        what="webhook.deaktiver",
        case_ref=None,
        purpose="Webhook deaktivert etter vedvarende feil",
        felt=["aktiv"],
    )
    return Deaktivering(utsending.endepunkt_id, hf, navn, domain.url_uten_sporring(url), grunn[:300])
