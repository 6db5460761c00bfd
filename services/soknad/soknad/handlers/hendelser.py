"""Events consumed from the other services."""

from __future__ import annotations

from typing import Any

from shared.db.uow import UnitOfWork
from shared.errors import NotFound
from shared.events.contracts import (
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from soknad import store
from soknad.domain import Status, transition
from soknad.handlers.common import history
from soknad.store import Soknad


async def _by_id(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound(f"Ukjent søknad {soknad_id}")
    return soknad


async def on_vedtak_fattet(uow: UnitOfWork, event: VedtakFattet, envelope: Envelope) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    if soknad.status == Status.TRUKKET:
        # Withdrawn while the director decided: the withdrawal stands; keep the decision on record.
        history(uow, soknad, None, "vedtak_etter_trekking", event.utfall)
        return
    soknad.status = transition(soknad.status, "vedtak")
    soknad.vedtak = _vedtak_dict(event)
    soknad.vedtatt_at = event.fattet_at
    soknad.utfall = event.utfall
    soknad.endret_at = uow.now
    history(uow, soknad, None, "vedtatt", event.utfall)


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
            "vurderingsflyt",
        },
    )


async def on_tilleggsinformasjon_etterspurt(
    uow: UnitOfWork, event: TilleggsinformasjonEtterspurt, envelope: Envelope
) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    if soknad.status in (Status.TIL_VURDERING, Status.UNDER_VURDERING):
        soknad.status = Status.TILLEGGSINFO_ETTERSPURT
        soknad.endret_at = uow.now
    history(uow, soknad, None, "tilleggsinfo_etterspurt", event.sporsmal)
