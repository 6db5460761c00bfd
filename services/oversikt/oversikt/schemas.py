"""HTTP shapes of the national oversikt API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from oversikt.handlers import Flagg, Rad, Variasjon
from oversikt.kanonymitet import LADDER, TOPP, kvartal
from oversikt.signifikans import BESKRIVELSE, Vurdering
from oversikt.store import Sammendrag, Tider, VariasjonRad
from shared.domain.trusts import RHF_NAVN, hf_navn
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


def vedtak_periode(rad: Rad) -> str | None:
    """The month decided, as wide as the month sent is shown (else the two would give each other away)."""
    maned = rad.sak.vedtak_maned
    if maned is None or rad.visning is None:
        return maned
    if rad.visning.niva > TOPP:
        return maned[:4]
    periode = LADDER[rad.visning.niva].periode
    return maned if periode == "maned" else (kvartal(maned) if periode == "kvartal" else maned[:4])


class SakRead(BaseModel):
    lopenummer: str = Field(description="National case number; ask the trust for details.")
    hf: str
    hf_navn: str
    rhf: str
    type: SoknadType
    kategori: Kategori
    legemiddel_navn: str
    virkestoff: str
    atc: str | None
    icd10: str | None = Field(
        description="ICD-10 code, or its category or chapter where generalised; null where hidden."
    )
    icd10_tekst: str | None = Field(description="The code's text; only where the exact code is shown.")
    status: NasjonalStatus
    utfall: Utfall | None
    vurderingsflyt: Vurderingsflyt | None
    med_vilkar: bool
    periode: str = Field(
        description="Month sent (YYYY-MM), or its quarter (YYYY-Kn) or year where generalised."
    )
    vedtak_periode: str | None = Field(description="Month decided, as wide as `periode`.")
    behandlingstid_dager: int | None
    aldersgruppe: str | None = Field(description="Age band, possibly wider; null where hidden or a group.")
    kjonn: Kjonn | None = Field(description="Sex; null where hidden or a group.")
    gruppe_storrelse: int | None
    kostnadsband: str | None
    generaliseringsniva: int = Field(
        description="0: shown as sent; higher: quasi-identifiers widened so no row singles out a patient; "
        f"{TOPP + 1}: too rare to be listed, every quasi-identifier hidden (only asked for by løpenummer)."
    )
    endret: bool
    etterregistrert: bool
    effekt: Effekt | None
    fortsetter: bool | None
    avslutningsarsak: Avslutningsarsak | None
    bivirkningsgrad: Bivirkningsgrad | None
    sekvens: int = Field(description="Sequence of the summary shown.")
    oppdateringer: int = Field(description="How many summaries of the case were accepted.")
    mottatt_at: datetime = Field(description="When the latest summary arrived.")

    @classmethod
    def of(cls, rad: Rad) -> SakRead:
        s, v = rad.sak, rad.visning
        exact = v is None or (v.niva <= TOPP and LADDER[v.niva].icd10 == "kode")
        return cls(
            lopenummer=s.lopenummer,
            hf=s.hf,
            hf_navn=hf_navn(s.hf),
            rhf=s.rhf,
            type=s.type,
            kategori=s.kategori,
            legemiddel_navn=s.legemiddel_navn,
            virkestoff=s.virkestoff,
            atc=s.atc,
            icd10=s.icd10_kode if v is None else v.icd10,
            icd10_tekst=s.icd10_tekst if exact else None,
            status=s.status,
            utfall=s.utfall,
            vurderingsflyt=s.vurderingsflyt,
            med_vilkar=s.med_vilkar,
            periode=s.sendt_maned if v is None else v.periode,
            vedtak_periode=vedtak_periode(rad),
            behandlingstid_dager=s.behandlingstid_dager,
            aldersgruppe=None if v is None else v.aldersgruppe,
            kjonn=None if v is None else v.kjonn,  # type: ignore[arg-type]
            gruppe_storrelse=s.gruppe_storrelse,
            kostnadsband=s.kostnadsband,
            generaliseringsniva=0 if v is None else v.niva,
            endret=s.endret,
            etterregistrert=s.etterregistrert,
            effekt=s.effekt,
            fortsetter=s.fortsetter,
            avslutningsarsak=s.avslutningsarsak,
            bivirkningsgrad=s.bivirkningsgrad,
            sekvens=s.sekvens,
            oppdateringer=s.oppdateringer,
            mottatt_at=s.mottatt_at,
        )


class SakSide(BaseModel):
    totalt: int = Field(description="Cases matching the filters (counted up to 10 001).")
    totalt_over_grensen: bool = Field(description="More than 10 000 cases match.")
    side: int
    per_side: int
    holdt_tilbake: int = Field(description="Cases of this page not shown: too rare to show without risk.")
    saker: list[SakRead]


class VariasjonRead(BaseModel):
    virkestoff: str
    icd10_kode: str
    icd10_tekst: str
    hf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int
    vedtak: int = Field(description="Decisions in all.")
    andel_innvilget: float = Field(description="Share granted (with or without conditions), 0–1.")

    @classmethod
    def of(cls, r: VariasjonRad) -> VariasjonRead:
        return cls(
            virkestoff=r.virkestoff,
            icd10_kode=r.icd10_kode,
            icd10_tekst=r.icd10_tekst,
            hf=r.hf,
            innvilget=r.innvilget,
            innvilget_med_vilkar=r.innvilget_med_vilkar,
            avslatt=r.avslatt,
            vedtak=r.vedtak,
            andel_innvilget=round(r.andel_innvilget, 3),
        )


class TiderRead(BaseModel):
    antall: int
    q1: float | None = Field(description="First quartile of processing days.")
    median: float | None
    q3: float | None

    @classmethod
    def of(cls, t: Tider) -> TiderRead:
        return cls(antall=t.antall, q1=t.q1, median=t.median, q3=t.q3)


class EnhetVedtak(BaseModel):
    kode: str
    navn: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int
    vedtak: int
    andel_innvilget: float | None
    behandlingstid: TiderRead


class TestRead(BaseModel):
    metode: str = Field(description="The test and the minimum counts, as the page states them.")
    testbar: bool
    ulik_praksis: bool
    utelatt: list[str] = Field(description="Trusts with too few decisions to be compared.")
    per_hf: list[dict[str, Any]]

    @classmethod
    def of(cls, v: Vurdering) -> TestRead:
        return cls(
            metode=BESKRIVELSE,
            testbar=v.testbar,
            ulik_praksis=v.ulik_praksis,
            utelatt=v.utelatt,
            per_hf=[
                {
                    "hf": t.hf,
                    "innvilget": t.innvilget,
                    "avslatt": t.avslatt,
                    "p": t.p,
                    "p_justert": t.p_justert,
                    "avviker": t.avviker,
                }
                for t in v.tester
            ],
        )


class VariasjonDetalj(BaseModel):
    utvalg: dict[str, str]
    vedtak: int
    per_hf: list[EnhetVedtak]
    per_rhf: list[EnhetVedtak]
    behandlingstid: TiderRead
    test: TestRead

    @classmethod
    def of(cls, v: Variasjon) -> VariasjonDetalj:
        return cls(
            utvalg=v.utvalg.query_string(),
            vedtak=v.vedtak,
            per_hf=[
                EnhetVedtak(
                    kode=h.hf,
                    navn=hf_navn(h.hf),
                    innvilget=h.innvilget,
                    innvilget_med_vilkar=h.innvilget_med_vilkar,
                    avslatt=h.avslatt,
                    vedtak=h.vedtak,
                    andel_innvilget=h.andel_innvilget,
                    behandlingstid=TiderRead.of(h.tider),
                )
                for h in v.per_hf
            ],
            per_rhf=[
                EnhetVedtak(
                    kode=r.rhf,
                    navn=RHF_NAVN.get(r.rhf, r.rhf),
                    innvilget=r.innvilget,
                    innvilget_med_vilkar=r.innvilget_med_vilkar,
                    avslatt=r.avslatt,
                    vedtak=r.vedtak,
                    andel_innvilget=r.andel_innvilget,
                    behandlingstid=TiderRead.of(r.tider),
                )
                for r in v.per_rhf
            ],
            behandlingstid=TiderRead.of(v.tider_alle),
            test=TestRead.of(v.vurdering),
        )


class FlaggRead(BaseModel):
    terskel: int = Field(
        description="Single-patient applications per trust and year that flag a combination."
    )
    ulik_praksis: list[dict[str, Any]]
    gjentatte: list[dict[str, Any]]

    @classmethod
    def of(cls, f: Flagg) -> FlaggRead:
        return cls(
            terskel=f.terskel,
            ulik_praksis=[
                {
                    "virkestoff": u.virkestoff,
                    "icd10_kode": u.icd10_kode,
                    "icd10_tekst": u.icd10_tekst,
                    "test": TestRead.of(u.vurdering).model_dump(),
                }
                for u in f.ulik_praksis
            ],
            gjentatte=[
                {
                    "virkestoff": g.rad.virkestoff,
                    "icd10_kode": g.rad.icd10_kode,
                    "icd10_tekst": g.rad.icd10_tekst,
                    "hf": g.rad.hf,
                    "ar": g.rad.ar,
                    "enkeltpasientsoknader": g.rad.antall,
                    "innvilget": g.rad.innvilget,
                    "har_gruppevedtak": g.har_gruppevedtak,
                }
                for g in f.gjentatte
            ],
        )


class GruppevedtakRead(BaseModel):
    lopenummer: str
    url: str = Field(description="The decision's stable page.")
    hf: str
    hf_navn: str
    rhf: str
    kategori: Kategori
    legemiddel_navn: str
    virkestoff: str
    atc: str | None
    icd10_kode: str
    icd10_tekst: str
    utfall: Utfall | None
    status: NasjonalStatus
    vedtak_maned: str | None
    gruppe_storrelse: int | None
    beskrivelse: str | None = Field(description="The patient group the decision covers (v2 summaries).")
    dosering: str | None
    vilkar: list[dict[str, Any]]
    begrunnelse: str | None
    gyldig_fra: str | None
    gyldig_til: str | None
    enhet_navn: str | None

    @classmethod
    def of(cls, s: Sammendrag, url: str) -> GruppevedtakRead:
        g = s.gruppevedtak or {}
        return cls(
            lopenummer=s.lopenummer,
            url=url,
            hf=s.hf,
            hf_navn=hf_navn(s.hf),
            rhf=s.rhf,
            kategori=s.kategori,
            legemiddel_navn=s.legemiddel_navn,
            virkestoff=s.virkestoff,
            atc=s.atc,
            icd10_kode=s.icd10_kode,
            icd10_tekst=s.icd10_tekst,
            utfall=s.utfall,
            status=s.status,
            vedtak_maned=s.vedtak_maned,
            gruppe_storrelse=s.gruppe_storrelse,
            beskrivelse=g.get("beskrivelse"),
            dosering=g.get("dosering"),
            vilkar=list(g.get("vilkar") or []),
            begrunnelse=g.get("begrunnelse"),
            gyldig_fra=g.get("gyldig_fra"),
            gyldig_til=g.get("gyldig_til"),
            enhet_navn=g.get("enhet_navn"),
        )


class GruppevedtakSide(BaseModel):
    totalt: int
    side: int
    per_side: int
    gruppevedtak: list[GruppevedtakRead]
