"""Events consumed from the other services."""

from __future__ import annotations

from typing import Any

from shared.events.contracts import (
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from shared.platform.db.uow import UnitOfWork
from shared.platform.errors import NotFound
from soknad import store
from soknad.domain import UTFALL_LABELS, Status, transition
from soknad.handlers.common import history
from soknad.handlers.varsler import soker_og_medforfattere, varsle
from soknad.store import Soknad
from soknad.store.tilleggsinfo import TilleggsinfoSporsmal


async def _by_id(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound(f"Ukjent søknad {soknad_id}")
    return soknad


async def on_vedtak_fattet(uow: UnitOfWork, event: VedtakFattet, envelope: Envelope) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    if soknad.status == Status.TRUKKET:
        # Withdrawn while the director decided: the withdrawal stands; keep the decision on record.
        history(
            uow,
            soknad,
            None,
            "vedtak_etter_trekking",
            f"Vedtak etter at søknaden var trukket: {UTFALL_LABELS[event.utfall]}",
        )
        return
    soknad.status = transition(soknad.status, "vedtak")
    soknad.vedtak = _vedtak_dict(event)
    soknad.vedtatt_at = event.fattet_at
    soknad.utfall = event.utfall
    soknad.endret_at = uow.now
    history(uow, soknad, None, "vedtatt", f"Vedtak: {UTFALL_LABELS[event.utfall]}")
    leder = (soknad.forankring or {}).get("leder_id")
    varsle(
        uow,
        soknad,
        [*soker_og_medforfattere(soknad), leder or ""],
        kind="vedtak",
        tekst=f"Vedtak i søknad {event.lopenummer}: {UTFALL_LABELS[event.utfall].lower()}.",
    )


def _vedtak_dict(event: VedtakFattet) -> dict[str, Any]:
    return event.model_dump(
        mode="json",
        include={
            "utfall",
            "begrunnelse",
            "vilkar",
            "gyldig_til",
            "evalueringsdato",
            "fattet_at",
            "fattet_av",
            "vurderingsflyt",
        },
    )


async def on_tilleggsinformasjon_etterspurt(
    uow: UnitOfWork, event: TilleggsinformasjonEtterspurt, envelope: Envelope
) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    if await uow.session.get(TilleggsinfoSporsmal, event.sporsmal_id) is not None:
        # The same question again under a new event id (an operator's re-publish): nothing new to ask.
        return
    uow.session.add(
        TilleggsinfoSporsmal(
            id=event.sporsmal_id,
            soknad_id=soknad.id,
            hf=soknad.hf,
            sporsmal=event.sporsmal,
            spurt_at=event.spurt_at,
        )
    )
    history(uow, soknad, None, "tilleggsinfo_etterspurt", event.sporsmal)
    if soknad.status in (Status.VEDTATT, Status.TRUKKET):
        # Asked while the case closed: kept on record, but there is nobody to ask any more.
        return
    if soknad.status in (Status.TIL_VURDERING, Status.UNDER_VURDERING):
        soknad.status = Status.TILLEGGSINFO_ETTERSPURT
    soknad.endret_at = uow.now
    varsle(
        uow,
        soknad,
        soker_og_medforfattere(soknad),
        kind="tilleggsinfo",
        tekst=(
            f"Vurderingen ber om mer informasjon i søknad {event.lopenummer}. Svar på spørsmålet i søknaden."
        ),
    )
