"""A case's history: what happened to it, when and by whom, as the case services show it on the case
page. The table is the same in every case service; `record_history` is the one way to write it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.platform.db.tables import SEQ_TYPE
from shared.platform.db.types import UtcDateTime
from shared.platform.db.uow import UnitOfWork

SYSTEM_ACTOR_ID = "system"
SYSTEM_ACTOR_NAVN = "Søknadsportalen"


class Person(Protocol):
    @property
    def user_id(self) -> str: ...
    @property
    def name(self) -> str: ...


class HistorikkMixin:
    """Columns of the `historikk` table; the service's model is `class Historikk(HistorikkMixin, Base)`
    and its case table must be called `sak`."""

    __tablename__ = "historikk"

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_navn: Mapped[str] = mapped_column(String(200))
    hendelse: Mapped[str] = mapped_column(String(60))
    detalj: Mapped[str | None] = mapped_column(Text)

    if TYPE_CHECKING:

        def __init__(self, **columns: Any) -> None: ...

    @declared_attr
    @classmethod
    def sak_id(cls) -> Mapped[str]:
        # A foreign key on a mixin must be built per class.
        return mapped_column(ForeignKey("sak.id"), index=True)


def record_history(
    uow: UnitOfWork,
    model: type[HistorikkMixin],
    sak_id: str,
    *,
    actor: Person | None,
    hendelse: str,
    detalj: str | None = None,
) -> None:
    """Add one line to the case's history in this unit of work; `actor` None is the system itself (an
    event from another service)."""
    uow.session.add(
        model(
            sak_id=sak_id,
            at=uow.now,
            actor_id=actor.user_id if actor else SYSTEM_ACTOR_ID,
            actor_navn=actor.name if actor else SYSTEM_ACTOR_NAVN,
            hendelse=hendelse,
            detalj=detalj,
        )
    )
