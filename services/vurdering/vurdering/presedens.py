"""The precedent panel on the committee's case: this trust's earlier decisions for the same active
substance and ICD-10 category (with outcome and reasons, from the `VedtakFattet` events this service
receives), the national picture from `oversikt`, and whether a group decision already covers the case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import ValidationError

from shared.domain.kalender import oslo_date
from shared.domain.presedens import Presedenssok, gruppevedtak_dekker
from shared.domain.presedenssvar import PresedensGruppevedtak, PresedensSvar
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from vurdering import store
from vurdering.presedens_nasjonal import NasjonalPresedens
from vurdering.store import Sak


@dataclass(frozen=True)
class LokaltVedtak:
    lopenummer: str
    type: str
    legemiddel_navn: str
    icd10_kode: str | None
    utfall: str
    begrunnelse: str | None
    vilkar: str | None
    vedtatt_at: datetime | None
    opphevet: bool
    gyldig_til: date | None
    utlopt: bool
    """Its validity ended before today."""
    dekker_saken: bool
    """A granted, not revoked, still valid group decision for this code or its whole category."""


@dataclass(frozen=True)
class Presedenspanel:
    sok: Presedenssok | None
    lokalt: list[LokaltVedtak] = field(default_factory=list)
    nasjonalt: PresedensSvar | None = None
    nasjonalt_tilgjengelig: bool = False

    @property
    def dekkende_gruppevedtak(self) -> list[str]:
        """Løpenumre of group decisions (here or nationally) that already cover the case."""
        lokale = [v.lopenummer for v in self.lokalt if v.dekker_saken]
        nasjonale: list[PresedensGruppevedtak] = self.nasjonalt.gruppevedtak if self.nasjonalt else []
        return lokale + [
            g.lopenummer for g in nasjonale if g.dekker_koden and g.utfall.startswith("innvilget")
        ]


def sok_for(sak: Sak) -> Presedenssok | None:
    """The precedent query for a case; None when its drug or code cannot be searched for."""
    lm = sak.snapshot.get("legemiddel") or {}
    try:
        return Presedenssok(
            virkestoff=str(lm.get("virkestoff") or ""),
            atc=str(lm.get("atc") or ""),
            icd10=str(sak.icd10_kode or (sak.snapshot.get("indikasjon") or {}).get("kode") or ""),
        )
    except ValidationError:
        return None


@use_case
async def lokale_vedtak(uow: UnitOfWork, p: Principal, sak: Sak, sok: Presedenssok) -> list[LokaltVedtak]:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    rader = await store.tidligere_vedtak(
        uow.session, hf=p.hf, virkestoff=sok.virkestoff, icd10_kategori=sok.kategori, unntatt=sak.id
    )
    idag = oslo_date(uow.now)
    return [
        LokaltVedtak(
            lopenummer=r.lopenummer,
            type=r.type,
            legemiddel_navn=r.legemiddel_navn,
            icd10_kode=r.icd10_kode,
            utfall=r.utfall or "",
            begrunnelse=r.vedtak_begrunnelse,
            vilkar=r.vedtak_vilkar,
            vedtatt_at=r.avsluttet_at,
            opphevet=r.opphevet_at is not None,
            gyldig_til=r.vedtak_gyldig_til,
            utlopt=r.vedtak_gyldig_til is not None and r.vedtak_gyldig_til < idag,
            dekker_saken=gruppevedtak_dekker(
                sok,
                type=r.type,
                utfall=r.utfall,
                icd10_kode=r.icd10_kode,
                opphevet=r.opphevet_at is not None,
                gyldig_til=r.vedtak_gyldig_til,
                idag=idag,
            ),
        )
        for r in rader
    ]


async def panel(
    p: Principal,
    sok: Presedenssok | None,
    lokalt: list[LokaltVedtak],
    nasjonal: NasjonalPresedens,
    *,
    credentials: dict[str, str],
) -> Presedenspanel:
    """The whole panel: the trust's part (read with the case, in its unit of work), the national part
    over HTTP (outside any transaction, so a slow `oversikt` never holds a connection)."""
    if sok is None:
        return Presedenspanel(sok=None)
    svar = await nasjonal.hent(sok, credentials=credentials)
    if svar is not None:
        # The trust's own group decisions are in the local part, from its own (newer) data.
        svar = svar.model_copy(update={"gruppevedtak": [g for g in svar.gruppevedtak if g.hf != p.hf]})
    return Presedenspanel(sok=sok, lokalt=lokalt, nasjonalt=svar, nasjonalt_tilgjengelig=svar is not None)
