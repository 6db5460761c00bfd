"""Tables of the webhooks: registered endpoints, one delivery per (endpoint, event), and every attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integrasjon.store import Base
from shared.platform.db.tables import SEQ_TYPE
from shared.platform.db.types import UtcDateTime


class WebhookEndepunkt(Base):
    __tablename__ = "webhook_endepunkt"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    navn: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    hendelser: Mapped[list[str]] = mapped_column(JSON)
    identitet: Mapped[bool] = mapped_column(Boolean)
    """May receive the patient's identity (the same entitlement as on the broker)."""
    format: Mapped[str] = mapped_column(String(10), server_default="json")
    """`json` (the CloudEvent) or `fhir` (the decision's ClaimResponse; only with `identitet`)."""
    hemmelighet: Mapped[str] = mapped_column(String(100))
    """`whsec_…`: needed to sign every delivery, so kept; shown once, never logged."""
    aktiv: Mapped[bool] = mapped_column(Boolean)
    feil_pa_rad: Mapped[int] = mapped_column(Integer)
    """Failed attempts since the last success (any delivery): shown, not what disables it."""
    feilet_siden: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """The first failed attempt since the last success (None while it succeeds): what disables it."""
    deaktivert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deaktivert_grunn: Mapped[str | None] = mapped_column(String(300))
    opprettet_av: Mapped[str] = mapped_column(String(100))
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    versjon: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": versjon}  # noqa: RUF012 - SQLAlchemy's declarative form


class WebhookLevering(Base):
    """One event to one endpoint; `status` `venter` until delivered (`levert`) or given up (`feilet`)."""

    __tablename__ = "webhook_levering"
    __table_args__ = (
        UniqueConstraint("endepunkt_id", "event_id", name="uq_webhook_levering_event"),
        Index("ix_webhook_levering_due", "status", "neste_forsok_at"),
    )

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    endepunkt_id: Mapped[str] = mapped_column(ForeignKey("webhook_endepunkt.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    """Also the `webhook-id`: the same on every attempt, so the receiver can drop duplicates."""
    hendelse: Mapped[str] = mapped_column(String(40))
    lopenummer: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(10), server_default="json")
    """The body's format when it was staged: an endpoint's later choice does not rewrite it."""
    status: Mapped[str] = mapped_column(String(10))
    forsok: Mapped[int] = mapped_column(Integer)
    neste_forsok_at: Mapped[datetime] = mapped_column(UtcDateTime)
    frist_at: Mapped[datetime] = mapped_column(UtcDateTime)
    """After this the delivery is given up (dead-lettered) at its next failure."""
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    levert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    siste_feil: Mapped[str | None] = mapped_column(String(300))


class WebhookForsok(Base):
    """The delivery log: one row per HTTP attempt."""

    __tablename__ = "webhook_forsok"

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    levering_id: Mapped[int] = mapped_column(ForeignKey("webhook_levering.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    statuskode: Mapped[int | None] = mapped_column(Integer)
    feil: Mapped[str | None] = mapped_column(String(300))
    varighet_ms: Mapped[int] = mapped_column(Integer)
