"""What the vurdering service subscribes to."""

from shared.events.contracts import SoknadForankret, SoknadTrukket, TilleggsinformasjonBesvart, VedtakFattet
from shared.platform.outbox.inbox import Consumes
from vurdering import handlers

CONSUMERS = [
    Consumes(SoknadForankret, handlers.on_soknad_forankret),
    Consumes(VedtakFattet, handlers.on_vedtak_fattet),
    Consumes(SoknadTrukket, handlers.on_soknad_trukket),
    Consumes(TilleggsinformasjonBesvart, handlers.on_tilleggsinformasjon_besvart),
]
