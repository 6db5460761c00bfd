"""What the beslutning service subscribes to."""

from beslutning import handlers
from shared.events.contracts import AnbefalingAvgitt, SoknadForankret, SoknadTrukket
from shared.platform.outbox.inbox import Consumes

CONSUMERS = [
    Consumes(SoknadForankret, handlers.on_soknad_forankret),
    Consumes(AnbefalingAvgitt, handlers.on_anbefaling_avgitt),
    Consumes(SoknadTrukket, handlers.on_soknad_trukket),
]
