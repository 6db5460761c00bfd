"""What the soknad service subscribes to."""

from shared.events.contracts import TilleggsinformasjonEtterspurt, VedtakFattet
from shared.outbox.inbox import Consumes
from soknad import handlers

CONSUMERS = [
    Consumes(VedtakFattet, handlers.on_vedtak_fattet),
    Consumes(TilleggsinformasjonEtterspurt, handlers.on_tilleggsinformasjon_etterspurt),
]
