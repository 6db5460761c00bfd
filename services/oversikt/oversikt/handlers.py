"""Use cases of the national overview: store incoming summaries (v1 and v2); search, variation, flags,
group decisions and statistics for the national team and every trust's decision makers; the public
statistics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from oversikt import ingest, store, telling, utgivelse
from oversikt.domain import SMALL_CELL_LIMIT, Presedenssok, Sokefilter, suppress_small
from oversikt.icd10 import kategori
from oversikt.kanonymitet import Kvasi, Visning, generaliser_for, holdt_tilbake
from oversikt.signifikans import Vurdering, vurder
from oversikt.statistikk import Statistikk, bygg
from oversikt.store import Gjentatt, HfVedtak, Sammendrag, Tider, VariasjonRad
from shared.domain.kalender import oslo_date
from shared.domain.presedenssvar import PresedensGruppevedtak, PresedensHf, PresedensSvar
from shared.domain.trusts import RHF_NAVN, hf_navn, rhf_for
from shared.events.contracts import SakSammendrag
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import Forbidden, NotFound

log = structlog.get_logger(__name__)


async def on_sak_sammendrag(uow: UnitOfWork, event: SakSammendrag, envelope: Envelope) -> None:
    """Upsert by løpenummer, from v1 or v2: one statement, the newest sekvens wins (`ingest.py`); a v1
    summary newer than a v2 leaves the v2-only fields as they were. The publisher was checked before this
    runs (`consumers.py`). No commit here: the inbox commits a whole group of summaries at once."""
    if not await ingest.upsert(uow.session, event, uow.now):
        log.info("summary_stale_ignored", hf=event.hf, sekvens=event.sekvens)


async def on_sak_sammendrag_gruppe(uow: UnitOfWork, events: Sequence[tuple[SakSammendrag, Envelope]]) -> None:
    """`on_sak_sammendrag` for the summaries the inbox handles together, in a few statements a group."""
    stored = await ingest.upsert_many(uow.session, [event for event, _ in events], uow.now)
    if stored < len(events):
        log.info("summary_stale_ignored", count=len(events) - stored)


LESERE = (Role.NASJONAL, Role.KOMITE, Role.FAGDIREKTOR)
"""Who reads the national overview: the national team and every trust's decision makers (it holds no
personal data, and they are the ones who must decide consistently)."""


def require_leser(p: Principal) -> None:
    if not p.has(*LESERE):
        raise Forbidden(
            "Den nasjonale oversikten er for nasjonalt team og for vurderingskomiteer og fagdirektører."
        )


@dataclass(frozen=True)
class Rad:
    """One national case row as shown: the summary, and its quasi-identifiers as generalised."""

    sak: Sammendrag
    visning: Visning | None
    """None for a group case (it describes no patient)."""


@dataclass(frozen=True)
class Treff:
    totalt: int
    rader: list[Rad]
    holdt_tilbake: int = 0
    """Rows of this page not shown: their combination is too rare even at the widest level."""

    @property
    def over_grensen(self) -> bool:
        return self.totalt > store.TELLEGRENSE

    @property
    def saker(self) -> list[Sammendrag]:
        return [r.sak for r in self.rader]


async def _anonymiser(uow: UnitOfWork, f: Sokefilter, saker: list[Sammendrag]) -> tuple[list[Rad], int]:
    """Generalise the rows' quasi-identifiers within the release `f` describes (all its pages)."""

    async def hent(niva: int, celler: list[Kvasi]) -> dict[Kvasi, int]:
        return await store.kvasi_grupper(uow.session, f, niva, celler)

    enkelt = [store.kvasi_av(s) for s in saker if s.type == "enkeltpasient"]
    visning = await generaliser_for(enkelt, hent)
    rader: list[Rad] = []
    holdt_tilbake = 0
    for s in saker:
        if s.type != "enkeltpasient":
            rader.append(Rad(s, None))
            continue
        v = visning[store.kvasi_av(s)]
        if v is None:
            holdt_tilbake += 1
        else:
            rader.append(Rad(s, v))
    return rader, holdt_tilbake


async def _search(uow: UnitOfWork, f: Sokefilter, *, side: int, per_side: int) -> Treff:
    async def count() -> int:
        async with uow.db.sessions() as session:
            return await store.count(session, f)

    # The count (up to 10,001 index entries) runs on a connection of its own beside the page and its
    # k-anonymity queries, which need each other's answers in turn: the search takes the longer of
    # the two instead of their sum.
    counting = asyncio.create_task(count())
    try:
        rows = await store.page(uow.session, f, offset=(max(side, 1) - 1) * per_side, limit=per_side)
        rader, holdt_tilbake = await _anonymiser(uow, f, rows)
    except BaseException:
        counting.cancel()
        with contextlib.suppress(BaseException):
            await counting
        raise
    return Treff(totalt=await counting, rader=rader, holdt_tilbake=holdt_tilbake)


@use_case
async def search(uow: UnitOfWork, p: Principal, f: Sokefilter, *, side: int, per_side: int) -> Treff:
    require_leser(p)
    return await _search(uow, f, side=side, per_side=per_side)


EKSPORTGRENSE = 50_000


@use_case
async def eksport(uow: UnitOfWork, p: Principal, f: Sokefilter) -> Treff:
    """Every match up to EKSPORTGRENSE, generalised as on the pages (the CSV)."""
    require_leser(p)
    rows = await store.search_all(uow.session, f, limit=EKSPORTGRENSE)
    rader, holdt_tilbake = await _anonymiser(uow, f, rows)
    return Treff(totalt=len(rows), rader=rader, holdt_tilbake=holdt_tilbake)


@use_case
async def get(uow: UnitOfWork, p: Principal, lopenummer: str) -> Rad:
    """One case, generalised within the whole national data (the release its page belongs to)."""
    require_leser(p)
    sammendrag = await store.get_sammendrag(uow.session, lopenummer)
    if sammendrag is None:
        raise NotFound("Fant ingen sak med dette løpenummeret i den nasjonale oversikten.")
    rader, _ = await _anonymiser(uow, Sokefilter(), [sammendrag])
    # Too rare to list: asked for by its løpenummer it still answers, with every quasi-identifier hidden, so
    # whoever holds the number (the trust's own people, a precedent link) learns its status and outcome.
    return rader[0] if rader else Rad(sammendrag, holdt_tilbake(store.kvasi_av(sammendrag)))


@use_case
async def variasjon(uow: UnitOfWork, p: Principal, f: Sokefilter) -> list[VariasjonRad]:
    require_leser(p)
    return await telling.variasjon(uow.session, f)


@dataclass(frozen=True)
class RhfVedtak:
    rhf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int
    tider: Tider

    @property
    def vedtak(self) -> int:
        return self.innvilget + self.innvilget_med_vilkar + self.avslatt

    @property
    def andel_innvilget(self) -> float | None:
        return (self.innvilget + self.innvilget_med_vilkar) / self.vedtak if self.vedtak else None


@dataclass(frozen=True)
class Variasjon:
    """How each trust and region decided one combination, and whether they disagree."""

    utvalg: Sokefilter
    per_hf: list[HfVedtak]
    per_rhf: list[RhfVedtak]
    vurdering: Vurdering
    tider_alle: Tider

    @property
    def vedtak(self) -> int:
        return sum(h.vedtak for h in self.per_hf)


@use_case
async def variasjon_for(uow: UnitOfWork, p: Principal, utvalg: Sokefilter) -> Variasjon:
    require_leser(p)
    tall = await telling.vedtak_per_hf(uow.session, utvalg)
    per_hf = sorted(
        tall.per_hf,
        key=lambda h: (
            list(RHF_NAVN).index(rhf_for(h.hf)) if rhf_for(h.hf) in RHF_NAVN else 9,
            hf_navn(h.hf),
        ),
    )
    tider_rhf, tider_alle = tall.tider_rhf, tall.tider_alle
    per_rhf = [
        RhfVedtak(
            rhf,
            sum(h.innvilget for h in per_hf if rhf_for(h.hf) == rhf),
            sum(h.innvilget_med_vilkar for h in per_hf if rhf_for(h.hf) == rhf),
            sum(h.avslatt for h in per_hf if rhf_for(h.hf) == rhf),
            tider_rhf.get(rhf, store.INGEN_TIDER),
        )
        for rhf in RHF_NAVN
        if any(rhf_for(h.hf) == rhf for h in per_hf)
    ]
    vurdering = vurder({h.hf: (h.innvilget_i_alt, h.avslatt) for h in per_hf})
    return Variasjon(utvalg, per_hf, per_rhf, vurdering, tider_alle)


@dataclass(frozen=True)
class UlikPraksis:
    virkestoff: str
    icd10_kode: str
    icd10_tekst: str
    vurdering: Vurdering


@dataclass(frozen=True)
class GjentattFlagg:
    rad: Gjentatt
    har_gruppevedtak: bool


@dataclass(frozen=True)
class Flagg:
    ulik_praksis: list[UlikPraksis]
    gjentatte: list[GjentattFlagg]
    terskel: int


@use_case
async def flagg(uow: UnitOfWork, p: Principal, f: Sokefilter, *, terskel: int) -> Flagg:
    """Combinations where trusts disagree more than chance explains, and repeated single-patient
    applications that suggest a group decision or a proposal to Nye metoder."""
    require_leser(p)
    per: dict[tuple[str, str], list[store.Kombinasjon]] = {}
    for k in await telling.kombinasjoner(uow.session, f):
        per.setdefault((k.virkestoff, k.icd10_kode), []).append(k)
    ulike = []
    for (virkestoff, kode), rader in per.items():
        vurdering = vurder({r.hf: (r.innvilget, r.avslatt) for r in rader})
        if vurdering.ulik_praksis:
            ulike.append(UlikPraksis(virkestoff, kode, rader[0].icd10_tekst, vurdering))
    ulike.sort(key=lambda u: (u.vurdering.minste_p or 1.0, u.virkestoff, u.icd10_kode))
    return Flagg(ulike, await gjentatte.within(uow, p, f, terskel=terskel), terskel)


@use_case
async def gjentatte(uow: UnitOfWork, p: Principal, f: Sokefilter, *, terskel: int) -> list[GjentattFlagg]:
    """Trusts with at least `terskel` single-patient applications for one substance and code in a year,
    among the cases `f` selects, and whether a group decision of theirs covers them already."""
    require_leser(p)
    gruppevedtak = await store.gruppevedtak_finnes(uow.session)
    return [
        GjentattFlagg(g, (g.virkestoff, kategori(g.icd10_kode), g.hf) in gruppevedtak)
        for g in await store.gjentatte(uow.session, f, terskel=terskel)
    ]


@use_case
async def gruppevedtak(
    uow: UnitOfWork, p: Principal, f: Sokefilter, *, side: int, per_side: int
) -> tuple[int, list[Sammendrag]]:
    """Every trust's granted group decisions: published by design, so any signed-in user may read them."""
    del p
    return await store.gruppevedtak(uow.session, f, offset=(max(side, 1) - 1) * per_side, limit=per_side)


@use_case
async def ett_gruppevedtak(uow: UnitOfWork, p: Principal, lopenummer: str) -> Sammendrag:
    del p
    s = await store.get_sammendrag(uow.session, lopenummer)
    if s is None or s.type != "gruppe" or s.utfall not in ("innvilget", "innvilget_med_vilkar"):
        raise NotFound("Fant ikke noe publisert gruppevedtak med dette løpenummeret.")
    return s


@use_case
async def statistikk(uow: UnitOfWork, p: Principal, f: Sokefilter) -> Statistikk:
    require_leser(p)
    return bygg(await store.tellinger(uow.session, f), prikk_sma=False, fra=f.fra, til=f.til)


@dataclass(frozen=True)
class Utgivelse:
    ar: str
    statistikk: Statistikk
    fastsatt_at: datetime | None
    """None for the empty page shown before any year can be published."""


@use_case
async def offentlig_statistikk(uow: UnitOfWork, ar: str) -> Utgivelse:
    """The public release of a year that is over: every count below 3 suppressed, and its complements,
    from the counts stored the first time it was shown (`utgivelse.py`); `ar` must be one of
    `offentlige_ar`."""
    if not utgivelse.kan_publiseres(ar, oslo_date(uow.now)):
        raise NotFound(f"Tallene for {ar} er ikke publisert.")
    lagret = await store.offentlig_utgivelse(uow.session, ar)
    if lagret is None:
        tellinger = await store.tellinger(uow.session, Sokefilter(fra=f"{ar}-01", til=f"{ar}-12"))
        # Two first readings at once store one of them; both show what was stored.
        await store.lagre_offentlig_utgivelse(uow.session, ar, utgivelse.til_json(tellinger), uow.now)
        lagret = await store.offentlig_utgivelse(uow.session, ar)
        assert lagret is not None
    stat = bygg(utgivelse.fra_json(lagret.tellinger), prikk_sma=True, fra=f"{ar}-01", til=f"{ar}-12")
    return Utgivelse(ar, stat, lagret.fastsatt_at)


def tom_utgivelse() -> Utgivelse:
    """The public page before any year is over."""
    return Utgivelse("", bygg(store.INGEN_TELLINGER, prikk_sma=True), None)


@use_case
async def offentlige_ar(uow: UnitOfWork) -> list[str]:
    """The years the public page offers, newest first: those published already, and every year with
    cases that is over (`utgivelse.FORSTE_DAG`)."""
    idag = oslo_date(uow.now)
    ar = set(await store.ar_med_data(uow.session)) | set(await store.utgitte_ar(uow.session))
    return sorted((a for a in ar if utgivelse.kan_publiseres(a, idag)), reverse=True)


@use_case
async def presedens(uow: UnitOfWork, p: Principal, sok: Presedenssok) -> PresedensSvar:
    """Earlier decisions for the same substance and indication, for an applicant in any trust.

    Open to every authenticated user, not only role `nasjonal`: applicants should see how other trusts
    decided before they write. That wider audience is why this answer is aggregated (counts per trust,
    never single cases), why single-patient counts of 1–4 are suppressed, and why no totals are given
    (a total would give a suppressed cell away by subtraction). Group decisions are published by design
    (DESIGN.md) and carry no patient."""
    del p  # authenticated by the route; any role of any served trust may read
    telling = await store.presedens_per_hf(uow.session, sok)
    gruppe = await store.presedens_gruppevedtak(uow.session, sok, limit=50)
    return PresedensSvar(
        virkestoff=sok.virkestoff,
        atc=sok.atc,
        icd10=sok.icd10,
        icd10_kategori=sok.kategori,
        prikkegrense=SMALL_CELL_LIMIT,
        per_hf=[
            PresedensHf(
                hf=t.hf,
                hf_navn=hf_navn(t.hf),
                rhf=rhf_for(t.hf),
                innvilget=suppress_small(t.innvilget),
                innvilget_med_vilkar=suppress_small(t.innvilget_med_vilkar),
                avslatt=suppress_small(t.avslatt),
            )
            for t in telling
        ],
        gruppevedtak=[
            PresedensGruppevedtak(
                lopenummer=s.lopenummer,
                hf=s.hf,
                hf_navn=hf_navn(s.hf),
                legemiddel_navn=s.legemiddel_navn,
                virkestoff=s.virkestoff,
                atc=s.atc,
                icd10_kode=s.icd10_kode,
                icd10_tekst=s.icd10_tekst,
                utfall=s.utfall or "",
                vedtak_maned=s.vedtak_maned,
                dekker_koden=sok.dekker(s.icd10_kode),
            )
            for s in gruppe
        ],
    )
