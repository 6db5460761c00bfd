"""Tables of post-registration: the import job, its report, the rows waiting to be imported, and the mark
on every imported case (which also holds the row's stable key, so a re-upload creates no duplicates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.tables import SEQ_TYPE
from shared.platform.db.types import UtcDateTime
from soknad.store.core import Base


class EtterregJobb(Base):
    """One uploaded file on its way through checking and import; the page polls it for progress."""

    __tablename__ = "etterreg_jobb"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    filnavn: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    bare_gyldige: Mapped[bool] = mapped_column(Boolean, default=False)
    rader: Mapped[int] = mapped_column(Integer, default=0)
    """Data rows read so far (all of them once checking is done)."""
    gyldige: Mapped[int] = mapped_column(Integer, default=0)
    feilrader: Mapped[int] = mapped_column(Integer, default=0)
    feil: Mapped[int] = mapped_column(Integer, default=0)
    """Problems found (a row may have several); at most `MAX_FEIL_LAGRET` are stored."""
    importert: Mapped[int] = mapped_column(Integer, default=0)
    hoppet_over: Mapped[int] = mapped_column(Integer, default=0)
    """Valid rows already imported by an earlier upload (same stable key)."""
    melding: Mapped[str | None] = mapped_column(Text)
    """Why the whole file failed (the catalogue did not answer), in Norwegian."""
    opprettet_av: Mapped[str] = mapped_column(String(100))
    opprettet_av_navn: Mapped[str] = mapped_column(String(200))
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ferdig_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EtterregFeil(Base):
    """One line of the report: a bad value in a row."""

    __tablename__ = "etterreg_feil"

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    jobb_id: Mapped[str] = mapped_column(String(36), index=True)
    radnummer: Mapped[int] = mapped_column(Integer)
    kolonne: Mapped[str] = mapped_column(String(60))
    melding: Mapped[str] = mapped_column(Text)


class EtterregRad(Base):
    """A checked row waiting for import (patient data: deleted as it is imported or discarded)."""

    __tablename__ = "etterreg_rad"
    # The import takes the job's rows in id order, batch after batch.
    __table_args__ = (Index("ix_etterreg_rad_jobb_id_id", "jobb_id", "id"),)

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    jobb_id: Mapped[str] = mapped_column(String(36))
    radnummer: Mapped[int] = mapped_column(Integer)
    nokkel: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class EtterregistrertSak(Base):
    """The `etterregistrert` mark on a case, with the stable key of the row it came from."""

    __tablename__ = "etterregistrert_sak"
    __table_args__ = (UniqueConstraint("hf", "nokkel", name="uq_etterregistrert_sak_hf_nokkel"),)

    soknad_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20))
    nokkel: Mapped[str] = mapped_column(String(64))
    """`sha256` of the old case reference, or of the identifying fields when there is none."""
    saksreferanse: Mapped[str | None] = mapped_column(String(100))
    jobb_id: Mapped[str] = mapped_column(String(36), index=True)
    radnummer: Mapped[int] = mapped_column(Integer)
    registrert_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The relay's next rows, `WHERE sent_at IS NULL ORDER BY seq LIMIT n`, in seq order straight from an index.
# `ix_outbox_unsent (sent_at, seq)` does not give that order for `IS NULL`, so after an import has written
# 100,000 unsent rows the relay sorted all of them (on disk) for every batch of 200 it claimed.
_outbox = Base.metadata.tables["outbox"]
Index(
    "ix_outbox_unsent_seq",
    _outbox.c.seq,
    postgresql_where=_outbox.c.sent_at.is_(None),
    sqlite_where=_outbox.c.sent_at.is_(None),
)
