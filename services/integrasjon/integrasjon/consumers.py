"""What the integrasjon service subscribes to."""

from __future__ import annotations

from integrasjon.handlers import NationalTarget, SummaryHandlers
from integrasjon.integratorer.handlers import IntegratorHandlers
from shared.events.contracts import (
    OppfolgingRegistrert,
    SakEtterregistrert,
    SoknadForankret,
    SoknadTrukket,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.platform.outbox.inbox import Consumes


def consumers(target: NationalTarget, integratorer: IntegratorHandlers | None = None) -> list[Consumes]:
    handlers = SummaryHandlers(target)
    utgaende = integratorer or IntegratorHandlers(user_id=None)
    return [
        Consumes(SoknadForankret, handlers.on_soknad_forankret),
        Consumes(VedtakFattet, handlers.on_vedtak_fattet),
        Consumes(SoknadTrukket, handlers.on_soknad_trukket),
        Consumes(OppfolgingRegistrert, handlers.on_oppfolging_registrert),
        Consumes(VedtakOpphevet, handlers.on_vedtak_opphevet),
        Consumes(SakEtterregistrert, handlers.on_sak_etterregistrert),
        # Decisions out to integrators (AMQP and webhooks); their queues are apart from the summary's.
        Consumes(SoknadForankret, utgaende.lagre_integrator_sak),
        Consumes(SakEtterregistrert, utgaende.lagre_etterregistrert_sak),
        Consumes(VedtakFattet, utgaende.send_vedtak_til_integratorer),
        Consumes(VedtakOpphevet, utgaende.send_opphevelse_til_integratorer),
    ]
