"""Tables of the integrasjon service: the privacy-minimised projection of each case, and its queries; the
imported registries (FEST, ICD-10), whose queries are in `integrasjon.register.lager`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, Text, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.events.common import (
    Avslutningsarsak,
    Bivirkningsgrad,
    Effekt,
    Kategori,
    Kjonn,
    NasjonalStatus,
    SoknadType,
    Utfall,
    Vurderingsflyt,
)
from shared.platform.db.base import service_metadata
from shared.platform.db.str_enum import StrEnumType
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.types import UtcDateTime
from shared.platform.db.uow import NATIONAL


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)


class SakProjeksjon(Base):
    """What integrasjon keeps of a case: only what the national summary is built from, plus the sent
    date and the applied decision's time (trust-internal: processing time, order of amendments). Never
    fødselsnummer, names or birth date; free text only for a granted group decision (`gruppe_*`,
    `gruppevedtak_*`), which is published and names a group, never a patient."""

    __tablename__ = "sak_projeksjon"

    lopenummer: Mapped[str] = mapped_column(String(40), primary_key=True)
    soknad_id: Mapped[str] = mapped_column(String(36), index=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    type: Mapped[SoknadType] = mapped_column(String(20))
    kategori: Mapped[Kategori] = mapped_column(String(30))
    legemiddel_navn: Mapped[str] = mapped_column(String(300))
    virkestoff: Mapped[str] = mapped_column(String(200))
    atc: Mapped[str | None] = mapped_column(String(20))
    icd10_kode: Mapped[str] = mapped_column(String(20))
    icd10_tekst: Mapped[str] = mapped_column(String(300))
    sendt_maned: Mapped[str] = mapped_column(String(7))
    sendt_dato: Mapped[date] = mapped_column(Date)
    aldersgruppe: Mapped[str | None] = mapped_column(String(10))
    kjonn: Mapped[Kjonn | None] = mapped_column(String(10))
    gruppe_storrelse: Mapped[int | None] = mapped_column(Integer)
    kostnadsband: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[NasjonalStatus] = mapped_column(StrEnumType(NasjonalStatus, 20))
    utfall: Mapped[Utfall | None] = mapped_column(String(30))
    vurderingsflyt: Mapped[Vurderingsflyt | None] = mapped_column(String(20))
    med_vilkar: Mapped[bool] = mapped_column(Boolean, default=False)
    vedtak_maned: Mapped[str | None] = mapped_column(String(7))
    behandlingstid_dager: Mapped[int | None] = mapped_column(Integer)
    vedtak_fattet_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the decision now in force was made: an older decision arriving late does not replace it."""
    endret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    etterregistrert: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    oppfolging_effekt: Mapped[Effekt | None] = mapped_column(String(10))
    oppfolging_fortsetter: Mapped[bool | None] = mapped_column(Boolean)
    oppfolging_avslutningsarsak: Mapped[Avslutningsarsak | None] = mapped_column(String(30))
    oppfolging_bivirkningsgrad: Mapped[Bivirkningsgrad | None] = mapped_column(String(20))
    # Group cases only (never filled for a single patient): the published group decision.
    gruppe_beskrivelse: Mapped[str | None] = mapped_column(Text)
    gruppevedtak_dosering: Mapped[str | None] = mapped_column(Text)
    gruppevedtak_vilkar: Mapped[list[dict[str, str | None]] | None] = mapped_column(JSON)
    gruppevedtak_begrunnelse: Mapped[str | None] = mapped_column(Text)
    gruppevedtak_gyldig_fra: Mapped[date | None] = mapped_column(Date)
    gruppevedtak_gyldig_til: Mapped[date | None] = mapped_column(Date)
    gruppevedtak_enhet_navn: Mapped[str | None] = mapped_column(String(200))
    sekvens: Mapped[int] = mapped_column(Integer, default=0)
    """Number of summaries published for this case; the national overview keeps the highest."""
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FestLegemiddel(Base):
    """A brand (`LegemiddelMerkevare`) of one import generation; the active generation is the catalogue."""

    __tablename__ = "fest_legemiddel"

    generasjon: Mapped[int] = mapped_column(Integer, primary_key=True)
    fest_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    navn: Mapped[str] = mapped_column(String(300))
    navn_form_styrke: Mapped[str] = mapped_column(String(500))
    virkestoff: Mapped[str] = mapped_column(String(500))
    virkestoff_engelsk: Mapped[str] = mapped_column(String(500))
    atc: Mapped[str] = mapped_column(String(10))
    legemiddelform: Mapped[str] = mapped_column(String(300))
    styrke: Mapped[str] = mapped_column(String(300))
    preparattype: Mapped[str] = mapped_column(String(10))
    reseptgruppe: Mapped[str] = mapped_column(String(10))
    produsent: Mapped[str] = mapped_column(String(300))
    smpc_url: Mapped[str | None] = mapped_column(String(1000))
    markedsstatus: Mapped[str] = mapped_column(String(30))
    fingeravtrykk: Mapped[str] = mapped_column(String(64))
    """Hash of the fields above: what tells a changed entry from an unchanged one between two files."""
    borte_siden: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """Set when a full extract no longer holds the entry: kept, marked gone, never deleted."""


class FestPakning(Base):
    """A pack (`Legemiddelpakning`) with its prices and market status."""

    __tablename__ = "fest_pakning"
    __table_args__ = (Index("ix_fest_pakning_merkevare", "generasjon", "merkevare_id"),)

    generasjon: Mapped[int] = mapped_column(Integer, primary_key=True)
    fest_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    merkevare_id: Mapped[str] = mapped_column(String(60))
    varenr: Mapped[str] = mapped_column(String(20))
    navn_form_styrke: Mapped[str] = mapped_column(String(500))
    pakningsstr: Mapped[str] = mapped_column(String(40))
    enhet: Mapped[str] = mapped_column(String(60))
    aip_ore: Mapped[int | None] = mapped_column(BigInteger)
    aup_ore: Mapped[int | None] = mapped_column(BigInteger)
    refusjonspris_ore: Mapped[int | None] = mapped_column(BigInteger)
    markedsforingsdato: Mapped[date | None] = mapped_column(Date)
    midl_utgatt_dato: Mapped[date | None] = mapped_column(Date)
    avreg_dato: Mapped[date | None] = mapped_column(Date)
    fingeravtrykk: Mapped[str] = mapped_column(String(64))
    borte_siden: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Diagnosekode(Base):
    """A diagnosis code with its code system and version, so ICD-11 can sit beside ICD-10 later."""

    __tablename__ = "diagnosekode"

    generasjon: Mapped[int] = mapped_column(Integer, primary_key=True)
    system: Mapped[str] = mapped_column(String(20), primary_key=True)
    kode: Mapped[str] = mapped_column(String(20), primary_key=True)
    """Without dot, as the data files have it (`G360`)."""
    versjon: Mapped[str] = mapped_column(String(20))
    tekst: Mapped[str] = mapped_column(String(1000))
    aktiv: Mapped[bool] = mapped_column(Boolean)
    foreldre: Mapped[str | None] = mapped_column(String(20))
    kjonn: Mapped[str | None] = mapped_column(String(1))
    fingeravtrykk: Mapped[str] = mapped_column(String(64))
    borte_siden: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RegisterImport(Base):
    """One import of a registry file: when, from where, what came of it. Its id is the generation its
    rows are written under."""

    __tablename__ = "register_import"
    __table_args__ = (Index("ix_register_import_register", "register", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    register: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    """`pagar`, `ok` or `feilet` (a source with nothing new records no import)."""
    kilde: Mapped[str] = mapped_column(String(1000))
    startet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ferdig_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    versjon: Mapped[str | None] = mapped_column(String(40))
    hentet_dato: Mapped[str | None] = mapped_column(String(40))
    antall: Mapped[int] = mapped_column(Integer, default=0)
    antall_pakninger: Mapped[int] = mapped_column(Integer, default=0)
    nye: Mapped[int] = mapped_column(Integer, default=0)
    endrede: Mapped[int] = mapped_column(Integer, default=0)
    borte: Mapped[int] = mapped_column(Integer, default=0)
    feil: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))


class RegisterAktiv(Base):
    """Which generation of a registry is served: switched in one transaction when an import succeeds."""

    __tablename__ = "register_aktiv"

    register: Mapped[str] = mapped_column(String(20), primary_key=True)
    generasjon: Mapped[int] = mapped_column(Integer)
    byttet_at: Mapped[datetime] = mapped_column(UtcDateTime)


async def get_projeksjon(session: AsyncSession, lopenummer: str) -> SakProjeksjon | None:
    # Row lock on PostgreSQL: two consumers of the same case (e.g. withdrawal and decision) must not
    # both read sekvens n and both publish n + 1.
    return await session.get(SakProjeksjon, lopenummer, with_for_update=True)


async def count_projeksjoner(session: AsyncSession, *, hf: str) -> dict[str, int]:
    rows = await session.execute(
        select(SakProjeksjon.status, func.count())
        .where(SakProjeksjon.hf == hf)
        .group_by(SakProjeksjon.status)
    )
    return {str(status): int(count) for status, count in rows.all()}


async def count_national_summaries(session: AsyncSession, *, hf: str) -> tuple[int, int]:
    """(sent, waiting) national summaries of one trust, read from the outbox."""
    outbox = SPINE.outbox
    rows = await session.execute(
        select(outbox.c.sent_at.is_(None), func.count())
        .where(outbox.c.destination == NATIONAL, outbox.c.routing_key.startswith(f"{hf}.", autoescape=True))
        .group_by(outbox.c.sent_at.is_(None))
    )
    counts = {bool(waiting): int(count) for waiting, count in rows.all()}
    return counts.get(False, 0), counts.get(True, 0)


# The outbound integrations' tables live beside their code; importing them here puts them in
# `Base.metadata`, which Alembic and the migration tests read.
import integrasjon.integratorer.tables  # noqa: E402
import integrasjon.webhooks.tables  # noqa: E402, F401
