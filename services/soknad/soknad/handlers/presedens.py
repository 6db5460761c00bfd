"""Precedent before work: earlier decisions for the same active substance and indication, in this trust
and nationally, shown to the applicant before they write more.

No answer here names a patient: the trust's own part is read from case-level columns only (løpenummer,
unit, drug, code, outcome, month), and the national part is `oversikt`'s aggregate with small cells
suppressed. That is also why reading it is not written to the audit log, while opening a group
decision (which shows the decision's text) is."""

from __future__ import annotations

import asyncio
from datetime import date

from pydantic import BaseModel, Field, TypeAdapter

from shared.domain.presedens import Presedenssok
from shared.domain.presedenssvar import PresedensGruppevedtak, PresedensHf, PresedensSvar
from shared.domain.trusts import hf_navn
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.katalog import Organisasjon
from soknad.oppslag import OppslagKlient
from soknad.store import Soknad
from soknad.store import presedens as store


class LokaltGruppevedtak(BaseModel):
    lopenummer: str
    enhet: str = Field(description="Unit code the group decision was made for.")
    enhet_navn: str
    legemiddel_navn: str | None
    virkestoff: str | None
    atc: str | None
    icd10_kode: str | None
    icd10_tekst: str | None
    utfall: str
    vedtak_maned: str | None = Field(description="Month of the decision (YYYY-MM).")
    gyldig_til: date | None
    gjeldende: bool = Field(description="Still valid today.")
    dekker_koden: bool = Field(description="Decided for this code or its whole category, not a sibling code.")
    url: str | None = Field(default=None, description="The group decision's page in this service.")


class Enkeltvedtak(BaseModel):
    innvilget: int = Field(description="Granted, with or without conditions.")
    avslatt: int


class Lokalt(BaseModel):
    hf: str
    hf_navn: str
    gruppevedtak: list[LokaltGruppevedtak]
    enkeltvedtak: Enkeltvedtak


_OVERSIKT_SVAR = TypeAdapter(PresedensSvar)


class Nasjonalt(BaseModel):
    tilgjengelig: bool = Field(description="False when the national overview did not answer.")
    prikkegrense: int | None = Field(default=None, description='Counts below this (from 1) read "<5".')
    per_hf: list[PresedensHf] = Field(default_factory=list, description="Single-patient decisions per trust.")
    gruppevedtak: list[PresedensGruppevedtak] = Field(
        default_factory=list, description="Granted group decisions of the other trusts."
    )


class Presedens(BaseModel):
    virkestoff: str
    atc: str
    icd10: str
    icd10_kategori: str
    lokalt: Lokalt
    nasjonalt: Nasjonalt


def _maned(rad: store.Vedtaksrad) -> str | None:
    return f"{rad.vedtatt_at:%Y-%m}" if rad.vedtatt_at else None


async def _lokalt(uow: UnitOfWork, p: Principal, sok: Presedenssok, org: Organisasjon) -> Lokalt:
    rader = await store.gruppevedtak(
        uow.session, hf=p.hf, virkestoff=sok.virkestoff, atc=sok.atc, icd10_kategori=sok.kategori
    )
    telling = await store.enkeltvedtak_per_utfall(
        uow.session, hf=p.hf, virkestoff=sok.virkestoff, atc=sok.atc, icd10_kategori=sok.kategori
    )
    today = uow.now.date()
    gruppevedtak = [
        LokaltGruppevedtak(
            lopenummer=r.lopenummer,
            enhet=r.enhet,
            enhet_navn=org.enhet_navn(r.enhet),
            legemiddel_navn=r.legemiddel_navn,
            virkestoff=r.virkestoff,
            atc=r.atc,
            icd10_kode=r.icd10_kode,
            icd10_tekst=r.icd10_tekst,
            utfall=r.utfall,
            vedtak_maned=_maned(r),
            gyldig_til=r.gyldig_til,
            gjeldende=r.gyldig_til is None or r.gyldig_til >= today,
            dekker_koden=sok.dekker(r.icd10_kode),
        )
        for r in rader
    ]
    # Those that may cover the patient first: valid, and for this code or its whole category.
    gruppevedtak.sort(key=lambda g: (not (g.gjeldende and g.dekker_koden), not g.gjeldende))
    return Lokalt(
        hf=p.hf,
        hf_navn=hf_navn(p.hf),
        gruppevedtak=gruppevedtak,
        enkeltvedtak=Enkeltvedtak(
            innvilget=telling.get("innvilget", 0) + telling.get("innvilget_med_vilkar", 0),
            avslatt=telling.get("avslatt", 0),
        ),
    )


async def _nasjonalt(
    p: Principal, sok: Presedenssok, oppslag: OppslagKlient, credentials: dict[str, str]
) -> Nasjonalt:
    svar = await oppslag.presedens(sok.params(), _OVERSIKT_SVAR, credentials=credentials)
    if svar is None:
        return Nasjonalt(tilgjengelig=False)
    return Nasjonalt(
        tilgjengelig=True,
        prikkegrense=svar.prikkegrense,
        per_hf=svar.per_hf,
        # The trust's own group decisions are in the local part, from its own (newer) data.
        gruppevedtak=[g for g in svar.gruppevedtak if g.hf != p.hf],
    )


@use_case
async def finn_presedens(
    uow: UnitOfWork,
    p: Principal,
    *,
    sok: Presedenssok,
    oppslag: OppslagKlient,
    credentials: dict[str, str],
    org: Organisasjon,
) -> Presedens:
    """`credentials`: the caller's own, passed on to `oversikt`, which checks them itself. `org`: the
    caller's trust, for the names of its units."""
    lokalt, nasjonalt = await asyncio.gather(
        _lokalt(uow, p, sok, org), _nasjonalt(p, sok, oppslag, credentials)
    )
    return Presedens(
        virkestoff=sok.virkestoff,
        atc=sok.atc,
        icd10=sok.icd10,
        icd10_kategori=sok.kategori,
        lokalt=lokalt,
        nasjonalt=nasjonalt,
    )


@use_case
async def read_gruppevedtak(uow: UnitOfWork, p: Principal, lopenummer: str) -> Soknad:
    """A granted group decision of the caller's trust, for any of its users: it is a standing approval
    the trust's applicants are meant to know about, and it names no patient."""
    soknad = await store.gruppevedtak_by_lopenummer(uow.session, hf=p.hf, lopenummer=lopenummer)
    if soknad is None:
        raise NotFound("Fant ikke noe gruppevedtak med dette løpenummeret i ditt helseforetak.")
    uow.audit(p, action="les", what="gruppevedtak.vis", case_ref=lopenummer, purpose="Presedens")
    return soknad
