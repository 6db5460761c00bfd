"""The local case a case service (vurdering, beslutning) keeps of an anchored application: its common
columns, its creation from the `SoknadForankret` snapshot, how the events that follow find it, and how a
command loads it and guards its version."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.events.common import Kategori, SoknadType
from shared.events.contracts import SoknadForankret
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal
from shared.platform.db.types import UtcDateTime
from shared.platform.db.uow import UnitOfWork
from shared.platform.errors import DomainError, NotFound, NotYetReceived, StaleVersion

log = structlog.get_logger(__name__)


class SakMixin:
    """The columns every local case has; the service adds its `status` (its own enum) and the rest.

    The case is versioned: two people acting on it at once cannot both win."""

    __tablename__ = "sak"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    soknad_id: Mapped[str] = mapped_column(String(36), unique=True)
    lopenummer: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[SoknadType] = mapped_column(String(20))
    kategori: Mapped[Kategori] = mapped_column(String(30))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The application exactly as anchored (the `SoknadForankret` payload)."""
    versjon: Mapped[int] = mapped_column(Integer, nullable=False)
    forankret_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)
    anbefalt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def legemiddel_navn(self) -> str:
        """The drug's name as anchored, for lists."""
        return str((self.snapshot.get("legemiddel") or {}).get("navn", ""))

    @property
    def indikasjon_visning(self) -> str:
        """The indication as lists show it: code and text (`G35 Multippel sklerose`)."""
        indikasjon = self.snapshot.get("indikasjon") or {}
        return f"{indikasjon.get('kode', '')} {indikasjon.get('tekst', '')}".strip()

    if TYPE_CHECKING:
        # The mapped class's constructor (from its declarative base) takes the columns as keywords.
        def __init__(self, **columns: Any) -> None: ...

    @declared_attr.directive
    @classmethod
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.versjon}


SakT = TypeVar("SakT", bound=SakMixin)


async def case_for_soknad(uow: UnitOfWork, model: type[SakT], soknad_id: str) -> SakT | None:
    result: SakT | None = await uow.session.scalar(select(model).where(model.soknad_id == soknad_id))
    return result


async def require_case_for_soknad(uow: UnitOfWork, model: type[SakT], soknad_id: str) -> SakT:
    """The case an event is about; until its anchoring has arrived the event is retried, not refused."""
    sak = await case_for_soknad(uow, model, soknad_id)
    if sak is None:
        raise NotYetReceived(f"no {model.__tablename__} for soknad {soknad_id} yet")
    return sak


async def receive_case(
    uow: UnitOfWork,
    model: type[SakT],
    event: SoknadForankret,
    envelope: Envelope,
    **service_columns: Any,
) -> SakT | None:
    """Create the local case from the anchoring snapshot; None when the application already has one
    (a second anchoring event with a new id, e.g. an operator's re-publish: one case per application).

    `service_columns` are the service's own, at least its starting `status`."""
    existing = await case_for_soknad(uow, model, event.soknad_id)
    if existing is not None:
        log.info("soknad_forankret_already_known", sak_id=existing.id, event_id=envelope.id)
        return None
    now = uow.now
    sak = model(
        id=str(uuid.uuid4()),
        hf=event.hf,
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        type=event.type,
        kategori=event.kategori,
        snapshot=event.model_dump(mode="json"),
        forankret_at=event.forankret_at,
        opprettet_at=now,
        endret_at=now,
        **service_columns,
    )
    uow.session.add(sak)
    # The history row refers to the case: write the case first.
    await uow.session.flush()
    return sak


async def load_case(uow: UnitOfWork, model: type[SakT], p: Principal, sak_id: str) -> SakT:
    """The case a command is about. Another trust's case is answered like one that does not exist (404):
    a 403 would tell a reader of trust A that trust B has a case with this id."""
    sak = await uow.session.get(model, sak_id)
    if sak is None or sak.hf != p.hf:
        raise NotFound("Saken finnes ikke.")
    return sak


def require_fresh(sak: SakMixin, versjon: int | None, *, message: str) -> None:
    """The version the user read (None: not given) must still be the case's."""
    if versjon is not None and versjon != sak.versjon:
        raise StaleVersion(message, extra={"din_versjon": versjon, "lagret_versjon": sak.versjon})


def on_lost_race(
    uow: UnitOfWork, model: type[SakT], sak_id: str, *, versjon: int | None, message: str
) -> None:
    """Someone else changed the case between this use case's read and its write: the unit of work
    answers with a 409 carrying both versions (the one read, the one saved)."""

    async def conflict(uow: UnitOfWork) -> DomainError:
        saved = await uow.session.get(model, sak_id)
        return StaleVersion(
            message, extra={"din_versjon": versjon, "lagret_versjon": saved.versjon if saved else None}
        )

    uow.on_stale(conflict)
