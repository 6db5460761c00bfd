"""The medical director's triage to the complete flow, published as beslutning publishes it, for tests
whose beslutning does not triage yet (or that test vurdering without it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from shared.events.common import Komitemedlem
from shared.events.contracts import SakSendtTilKomite
from shared.events.envelope import Envelope
from shared.platform.bus.base import Bus


async def send_til_komite(
    bus: Bus,
    *,
    soknad_id: str,
    lopenummer: str,
    hf: str = "HBE",
    medlemmer: Sequence[tuple[str, str]] = (("hbe-komite", "Ingrid Berg"),),
    frist: date | None = None,
) -> SakSendtTilKomite:
    sendt = SakSendtTilKomite(
        soknad_id=soknad_id,
        lopenummer=lopenummer,
        medlemmer=[Komitemedlem(id=i, navn=n) for i, n in medlemmer],
        frist=frist or date.today() + timedelta(days=14),
        sendt_av=f"{hf.lower()}-fagdirektor",
        sendt_av_navn="Fagdirektøren",
        sendt_at=datetime.now(UTC),
    )
    envelope = Envelope(
        source=f"/hf/{hf}/beslutning",
        type=sendt.TYPE,
        hf=hf,
        subject=lopenummer,
        correlationid="t",
        data=sendt.model_dump(mode="json"),
    )
    await bus.publish(envelope, exchange="beslutning.events")
    return sendt
