"""What the soknad service subscribes to.

Besides the other services' events, soknad consumes its own: the notifications are made there, and
an event nobody is bound to would be unroutable (the relay publishes with `mandatory`)."""

from shared.events.contracts import (
    ForankringDelegert,
    SoknadForankret,
    SoknadReturnert,
    SoknadSendt,
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.platform.outbox.inbox import Consumes
from soknad import handlers
from soknad.handlers import varsler

CONSUMERS = [
    Consumes(VedtakFattet, handlers.on_vedtak_fattet),
    Consumes(TilleggsinformasjonEtterspurt, handlers.on_tilleggsinformasjon_etterspurt),
    Consumes(SoknadSendt, varsler.on_soknad_sendt),
    Consumes(SoknadReturnert, varsler.on_soknad_returnert),
    Consumes(ForankringDelegert, varsler.on_forankring_delegert),
    Consumes(SoknadForankret, varsler.on_soknad_forankret),
]
