"""Consumed events that feed the integrators: keep each case's patient, and send every decision out on
both integrator exchanges and to the subscribed webhooks, in the consuming transaction."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from integrasjon.integratorer import mapper, routing
from integrasjon.integratorer.aktor import Systemaktor
from integrasjon.integratorer.routing import Hendelse
from integrasjon.integratorer.tables import IntegratorSak, get_sak
from integrasjon.webhooks import fhir
from integrasjon.webhooks import handlers as webhooks
from shared.events.base import EventContract
from shared.events.common import Pasient
from shared.events.contracts import SakEtterregistrert, SoknadForankret, VedtakFattet, VedtakOpphevet
from shared.events.envelope import Envelope
from shared.platform.db.uow import UnitOfWork
from shared.platform.errors import NotYetReceived


@dataclass(frozen=True)
class IntegratorHandlers:
    user_id: str | None
    """The AMQP `user-id` stamped on integrator messages (the service's own broker user, which the
    broker verifies), so an integrator can tell them from anything else; None on the in-process bus."""

    async def lagre_integrator_sak(self, uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
        await self._keep(
            uow,
            lopenummer=event.lopenummer,
            hf=event.hf,
            type=event.type,
            kategori=event.kategori,
            enhet=event.enhet,
            pasient=event.pasient if event.type == "enkeltpasient" else None,
        )

    async def lagre_etterregistrert_sak(
        self, uow: UnitOfWork, event: SakEtterregistrert, envelope: Envelope
    ) -> None:
        await self._keep(
            uow,
            lopenummer=event.lopenummer,
            hf=envelope.hf,
            type=event.type,
            kategori=event.kategori,
            enhet=event.enhet,
            pasient=event.pasient if event.type == "enkeltpasient" else None,
        )

    async def _keep(
        self, uow: UnitOfWork, *, lopenummer: str, pasient: Pasient | None, **fields: str
    ) -> None:
        sak = await get_sak(uow.session, lopenummer)
        if sak is None:
            sak = IntegratorSak(lopenummer=lopenummer, sendte_vedtak=[])
            uow.session.add(sak)
        for name, value in fields.items():
            setattr(sak, name, value)
        sak.fodselsnummer = pasient.fodselsnummer if pasient else None
        sak.pasient_navn = pasient.navn if pasient else None
        sak.endret_at = uow.now

    async def send_vedtak_til_integratorer(
        self, uow: UnitOfWork, event: VedtakFattet, envelope: Envelope
    ) -> None:
        sak = await get_sak(uow.session, event.lopenummer)
        if sak is None and event.soknad_type != "gruppe":
            # The identity-bearing message cannot be built without the patient: wait for the anchoring.
            raise NotYetReceived(f"no integrator case yet for {event.lopenummer}")
        if event.erstatter_vedtak_id is not None:
            _require_sent(sak, event.erstatter_vedtak_id)
        anonym, med_pasient = mapper.vedtak_fattet(event, sak, hf=envelope.hf)
        if sak is None:
            # A group decision whose anchoring never reached us: the decision itself says enough.
            sak = IntegratorSak(
                lopenummer=event.lopenummer,
                hf=envelope.hf,
                type="gruppe",
                kategori=anonym.kategori or routing.UNKNOWN,
                enhet=anonym.enhet or routing.UNKNOWN,
                fodselsnummer=None,
                pasient_navn=None,
                endret_at=uow.now,
            )
            uow.session.add(sak)
        sak.sendte_vedtak = [*(sak.sendte_vedtak or []), event.vedtak_id]
        claim_response = fhir.vedtak_fattet(event, sak, hf=envelope.hf)
        # A new dict, not changed in place: the JSON column is not tracked for mutation.
        sak.vedtak = {**(sak.vedtak or {}), event.vedtak_id: fhir.vedtak_fakta(event)}
        await self._send(
            uow,
            anonym,
            med_pasient,
            hf=envelope.hf,
            lopenummer=event.lopenummer,
            hendelse=mapper.hendelse_of(event),
            kategori=anonym.kategori,
            enhet=anonym.enhet,
            utfall=event.utfall,
            fhir_body=fhir.body(claim_response),
        )

    async def send_opphevelse_til_integratorer(
        self, uow: UnitOfWork, event: VedtakOpphevet, envelope: Envelope
    ) -> None:
        sak = _require_sent(await get_sak(uow.session, event.lopenummer), event.opphever_vedtak_id)
        anonym, med_pasient = mapper.vedtak_opphevet(event, sak, hf=envelope.hf)
        claim_response = fhir.vedtak_opphevet(event, sak, hf=envelope.hf)
        kept = sak.vedtak or {}
        if event.opphever_vedtak_id in kept:
            opphevet = fhir.med_opphevelse(kept[event.opphever_vedtak_id], event)
            sak.vedtak = {**kept, event.opphever_vedtak_id: opphevet}
        await self._send(
            uow,
            anonym,
            med_pasient,
            hf=envelope.hf,
            lopenummer=event.lopenummer,
            hendelse="opphevet",
            kategori=anonym.kategori,
            enhet=anonym.enhet,
            utfall="opphevet",
            fhir_body=fhir.body(claim_response) if claim_response is not None else None,
        )

    async def _send(
        self,
        uow: UnitOfWork,
        anonym: EventContract,
        med_pasient: EventContract,
        *,
        hf: str,
        lopenummer: str,
        hendelse: Hendelse,
        kategori: str | None,
        enhet: str | None,
        utfall: str,
        fhir_body: str | None,
    ) -> None:
        key = routing.routing_key(hf=hf, hendelse=hendelse, kategori=kategori, enhet=enhet, utfall=utfall)
        uten = uow.publish(
            anonym,
            hf=hf,
            subject=lopenummer,
            exchange=routing.EXCHANGE,
            routing_key=key,
            user_id=self.user_id,
        )
        med = uow.publish(
            med_pasient,
            hf=hf,
            subject=lopenummer,
            exchange=routing.EXCHANGE_PASIENT,
            routing_key=key,
            user_id=self.user_id,
        )
        if getattr(med_pasient, "pasient", None) is not None:
            # The identity leaves the trust's services for entitled integrators: a disclosure to log.
            uow.audit(
                Systemaktor(hf),
                action="les",
                what="integrator.utlevering",
                case_ref=lopenummer,
                purpose="Vedtak til integratorer med rett til pasientens identitet",
            )
        await webhooks.stage_deliveries(
            uow, hf=hf, hendelse=hendelse, lopenummer=lopenummer, uten=uten, med=med, fhir=fhir_body
        )


def _require_sent(sak: IntegratorSak | None, vedtak_id: str) -> IntegratorSak:
    """Integrators must see a decision before what amends or revokes it; until then, the bus retries."""
    if sak is None or vedtak_id not in (sak.sendte_vedtak or []):
        raise NotYetReceived(f"decision {vedtak_id} not sent to integrators yet")
    return sak


def publishing_user(bus_url: str) -> str | None:
    """The broker user in the service's bus URL: RabbitMQ only accepts our own user as `user-id`."""
    parts = urlsplit(bus_url)
    if parts.scheme.lower() not in ("amqp", "amqps") or not parts.username:
        return None
    return unquote(parts.username)
