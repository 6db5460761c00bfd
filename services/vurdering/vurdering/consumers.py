"""What the vurdering service subscribes to."""

from shared.events.contracts import (
    SakSendtTilKomite,
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurtAvFagdirektor,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.platform.outbox.inbox import Consumes
from vurdering import handlers

CONSUMERS = [
    Consumes(SoknadForankret, handlers.on_soknad_forankret),
    Consumes(SakSendtTilKomite, handlers.on_sak_sendt_til_komite),
    Consumes(VedtakFattet, handlers.on_vedtak_fattet),
    Consumes(VedtakOpphevet, handlers.on_vedtak_opphevet),
    Consumes(SoknadTrukket, handlers.on_soknad_trukket),
    Consumes(
        TilleggsinformasjonEtterspurtAvFagdirektor, handlers.on_tilleggsinformasjon_etterspurt_av_fagdirektor
    ),
    Consumes(TilleggsinformasjonBesvart, handlers.on_tilleggsinformasjon_besvart),
]
