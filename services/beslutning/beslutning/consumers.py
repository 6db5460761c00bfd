"""What the beslutning service subscribes to."""

from collections.abc import Callable
from functools import partial, update_wrapper
from typing import Any

from beslutning.domain import Behandlingstider
from beslutning.handlers import hendelser
from shared.events.contracts import (
    AnbefalingAvgitt,
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
)
from shared.platform.outbox.inbox import Consumes


def consumers(tider: Behandlingstider) -> list[Consumes]:
    """A new case's deadline comes from the trust's processing-time targets (settings)."""

    def with_tider(handler: Callable[..., Any]) -> Any:
        # Keeps the handler's name: it names the queue.
        return update_wrapper(partial(handler, tider=tider), handler)

    return [
        Consumes(SoknadForankret, with_tider(hendelser.on_soknad_forankret)),
        Consumes(AnbefalingAvgitt, hendelser.on_anbefaling_avgitt),
        Consumes(SoknadTrukket, hendelser.on_soknad_trukket),
        Consumes(TilleggsinformasjonEtterspurt, hendelser.on_tilleggsinformasjon_etterspurt),
        Consumes(TilleggsinformasjonBesvart, hendelser.on_tilleggsinformasjon_besvart),
    ]


CONSUMERS = consumers(Behandlingstider())
"""With the default targets (the AsyncAPI catalogue and tests that list subscriptions)."""
