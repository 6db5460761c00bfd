"""What the soknad service subscribes to.

Besides the other services' events, soknad consumes its own: the notifications are made there, and
an event nobody is bound to would be unroutable (the relay publishes with `mandatory`)."""

from collections.abc import Callable
from functools import partial, update_wrapper
from typing import Any

from shared.events.contracts import (
    AnbefalingAvgitt,
    ForankringDelegert,
    SakSendtTilKomite,
    SakTilForenkletBehandling,
    SakVideresendtInterregionalt,
    SoknadForankret,
    SoknadReturnert,
    SoknadSendt,
    TilleggsinformasjonEtterspurt,
    TilleggsinformasjonEtterspurtAvFagdirektor,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.platform.katalog import Katalog
from shared.platform.outbox.inbox import Consumes
from soknad import handlers
from soknad.handlers import hendelser, varsler


def consumers(katalog: Katalog) -> list[Consumes]:
    """The notifications of a unit's leaders come from the directory."""

    def with_katalog(handler: Callable[..., Any]) -> Any:
        # Keeps the handler's name: it names the queue.
        return update_wrapper(partial(handler, katalog=katalog), handler)

    return [
        Consumes(VedtakFattet, with_katalog(handlers.on_vedtak_fattet)),
        Consumes(VedtakOpphevet, hendelser.on_vedtak_opphevet),
        Consumes(TilleggsinformasjonEtterspurt, handlers.on_tilleggsinformasjon_etterspurt),
        Consumes(TilleggsinformasjonEtterspurtAvFagdirektor, handlers.on_tilleggsinformasjon_etterspurt),
        Consumes(SakSendtTilKomite, hendelser.on_sak_sendt_til_komite),
        Consumes(SakTilForenkletBehandling, hendelser.on_sak_til_forenklet_behandling),
        Consumes(SakVideresendtInterregionalt, hendelser.on_sak_videresendt_interregionalt),
        Consumes(AnbefalingAvgitt, with_katalog(hendelser.on_anbefaling_avgitt)),
        Consumes(SoknadSendt, with_katalog(varsler.on_soknad_sendt)),
        Consumes(SoknadReturnert, varsler.on_soknad_returnert),
        Consumes(ForankringDelegert, with_katalog(varsler.on_forankring_delegert)),
        Consumes(SoknadForankret, varsler.on_soknad_forankret),
    ]
