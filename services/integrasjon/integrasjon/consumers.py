"""What the integrasjon service subscribes to."""

from __future__ import annotations

from integrasjon.handlers import NationalTarget, SummaryHandlers
from shared.events.contracts import (
    OppfolgingRegistrert,
    SakEtterregistrert,
    SoknadForankret,
    SoknadTrukket,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.platform.outbox.inbox import Consumes


def consumers(target: NationalTarget) -> list[Consumes]:
    handlers = SummaryHandlers(target)
    return [
        Consumes(SoknadForankret, handlers.on_soknad_forankret),
        Consumes(VedtakFattet, handlers.on_vedtak_fattet),
        Consumes(SoknadTrukket, handlers.on_soknad_trukket),
        Consumes(OppfolgingRegistrert, handlers.on_oppfolging_registrert),
        Consumes(VedtakOpphevet, handlers.on_vedtak_opphevet),
        Consumes(SakEtterregistrert, handlers.on_sak_etterregistrert),
    ]
