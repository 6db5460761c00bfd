"""Use cases of the vurdering service: the committee's commands and the events it consumes.

A command is a `@use_case`: routes and views call it with the service's `Database`, and it runs and
commits in its own unit of work, returning what the caller renders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import structlog

from shared.domain.historikk import record_history
from shared.domain.kalender import oslo_date
from shared.domain.lokal_sak import (
    on_lost_race,
    receive_case,
    require_case_for_soknad,
    require_fresh,
)
from shared.domain.overganger import Handling
from shared.domain.presedens import Presedenssok
from shared.domain.soknadsvisning import oppdatert, visning_av
from shared.events.common import Inhabilitetserklaering, Seksjonsvisning
from shared.events.common import Kriterievurdering as KriterievurderingEvent
from shared.events.common import Medlemsvurdering as MedlemsvurderingEvent
from shared.events.contracts import (
    AnbefalingAvgitt,
    SakSendtTilKomite,
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    TilleggsinformasjonEtterspurtAvFagdirektor,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.observability.logging import mark_sensitive
from vurdering import presedens, store, varsler
from vurdering.domain import (
    ANBEFALING_LABELS,
    FLYT_FORENKLET,
    FLYT_KOMPLETT,
    UTFALL_LABELS,
    AnbefalingInput,
    Status,
    etter_sporsmal,
    etter_svar,
    krev_habil,
    krev_kan_anbefale,
    krev_komitesteg,
    krev_medlem,
    til_komiteen,
    transition,
)
from vurdering.presedens import LokaltVedtak
from vurdering.store import (
    Anbefaling,
    Historikk,
    Inhabilitet,
    Kommentar,
    Konsultasjon,
    Medlemsvurdering,
    Notat,
    Sak,
    Sporsmal,
)

log = structlog.get_logger(__name__)

STALE_MESSAGE = "Saken er endret av noen andre siden du åpnet den. Last siden på nytt og se over endringene."


@dataclass(frozen=True)
class SakVisning:
    """One case with everything its page and its API answer show to this reader."""

    sak: Sak
    anbefaling: Anbefaling | None
    sporsmal: list[Sporsmal]
    historikk: list[Historikk]
    visning: list[Seksjonsvisning] = field(default_factory=list)
    nye_felt: list[str] = field(default_factory=list)
    kommentarer: list[Kommentar] = field(default_factory=list)
    notater: list[Notat] = field(default_factory=list)
    """The reader's own note and the notes other members shared."""
    vurderinger: list[Medlemsvurdering] = field(default_factory=list)
    """The submitted assessments, and the reader's own draft."""
    inhabiliteter: list[Inhabilitet] = field(default_factory=list)
    konsultasjoner: list[Konsultasjon] = field(default_factory=list)
    i_dag: date | None = None
    uleste_varsler: int = 0
    """The reader's unread notifications (the bell in the page's header)."""

    @property
    def venter_pa_svar(self) -> bool:
        return any(q.besvart_at is None for q in self.sporsmal)

    @property
    def forfalt(self) -> bool:
        return forfalt(self.sak, self.i_dag)

    def mitt_notat(self, user_id: str) -> Notat | None:
        return next((n for n in self.notater if n.medlem_id == user_id), None)

    def min_vurdering(self, user_id: str) -> Medlemsvurdering | None:
        return next((v for v in self.vurderinger if v.medlem_id == user_id), None)

    def inhabil(self, user_id: str) -> Inhabilitet | None:
        return next((i for i in self.inhabiliteter if i.medlem_id == user_id), None)

    def kommentarer_for(self, seksjon_id: str) -> list[Kommentar]:
        return [k for k in self.kommentarer if k.seksjon_id == seksjon_id]


def forfalt(sak: Sak, i_dag: date | None) -> bool:
    """Overdue: still with the committee after its deadline. A case waiting for the applicant's answer is
    not: the wait is the applicant's, and the page says the case waits instead."""
    return (
        i_dag is not None
        and sak.frist is not None
        and sak.status == Status.TIL_VURDERING
        and sak.frist < i_dag
    )


@dataclass(frozen=True)
class Saksliste:
    saker: list[Sak]
    anbefalinger: dict[str, Anbefaling]
    venter_pa_svar: set[str] = field(default_factory=set)
    i_dag: date | None = None

    def forfalt(self, sak: Sak) -> bool:
        return forfalt(sak, self.i_dag)


async def _apne_sporsmal(uow: UnitOfWork, sak: Sak) -> int:
    """Questions to the applicant on this case not yet answered (the session's changes included)."""
    await uow.session.flush()
    return sum(1 for q in await store.sporsmal_for(uow.session, sak.id) if q.besvart_at is None)


def _today(uow: UnitOfWork) -> date:
    return oslo_date(uow.now)


async def _load(uow: UnitOfWork, p: Principal, sak_id: str) -> Sak:
    """The case, or 404 for another trust's: a case's existence is not told across trusts."""
    sak = await uow.session.get(Sak, sak_id)
    if sak is None or sak.hf != p.hf:
        raise NotFound("Saken finnes ikke.")
    return sak


def _require_fresh(sak: Sak, versjon: int | None) -> None:
    require_fresh(sak, versjon, message=STALE_MESSAGE)


def _on_lost_race(uow: UnitOfWork, sak_id: str, versjon: int | None) -> None:
    on_lost_race(uow, Sak, sak_id, versjon=versjon, message=STALE_MESSAGE)


def skriv_historikk(
    uow: UnitOfWork, sak: Sak, actor: Principal | None, hendelse: str, detalj: str | None = None
) -> None:
    record_history(uow, Historikk, sak.id, actor=actor, hendelse=hendelse, detalj=detalj)


def _patient_name(sak: Sak) -> str | None:
    pasient = sak.snapshot.get("pasient") or {}
    return pasient.get("navn") if isinstance(pasient, dict) else None


def seksjoner(sak: Sak) -> list[Seksjonsvisning]:
    """The application as the committee reads it now (after any answer to a question)."""
    if sak.visning:
        return [Seksjonsvisning.model_validate(s) for s in sak.visning]
    return visning_av(sak.snapshot)


async def _visning(uow: UnitOfWork, sak: Sak, p: Principal | None = None) -> SakVisning:
    session = uow.session
    user_id = p.user_id if p is not None else None
    har, uleste = await store.deler_med_innhold(session, sak.id, hf=sak.hf, user_id=user_id)
    notater = (
        [n for n in await store.notater_for(session, sak.id) if n.delt or n.medlem_id == user_id]
        if "notat" in har
        else []
    )
    vurderinger = (
        [
            v
            for v in await store.medlemsvurderinger_for(session, sak.id)
            if v.levert_at is not None or v.medlem_id == user_id
        ]
        if "medlemsvurdering" in har
        else []
    )
    return SakVisning(
        sak=sak,
        anbefaling=await store.anbefaling_for(session, sak.id) if "anbefaling" in har else None,
        sporsmal=await store.sporsmal_for(session, sak.id) if "sporsmal" in har else [],
        historikk=await store.historikk_for(session, sak.id) if "historikk" in har else [],
        visning=seksjoner(sak),
        nye_felt=list(sak.nye_felt or []),
        kommentarer=await store.kommentarer_for(session, sak.id) if "kommentar" in har else [],
        notater=notater,
        vurderinger=vurderinger,
        inhabiliteter=await store.inhabiliteter_for(session, sak.id) if "inhabilitet" in har else [],
        konsultasjoner=await store.konsultasjoner_for(session, sak.id) if "konsultasjon" in har else [],
        i_dag=_today(uow),
        uleste_varsler=uleste,
    )


async def _read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> Sak:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    mark_sensitive(_patient_name(sak), (sak.snapshot.get("pasient") or {}).get("fodselsnummer"))
    uow.audit(p, action="les", what="vurdering.vis", case_ref=sak.lopenummer, purpose=purpose)
    return sak


async def load_for_committee(
    uow: UnitOfWork, p: Principal, sak_id: str, *, fagdirektor_kan: bool = False
) -> Sak:
    """The case for a committee step: the reader's trust, the complete flow, not closed, and the user one
    of the members the director named; `fagdirektor_kan`: the medical director may take this step too
    (a comment), though not a member."""
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    krev_komitesteg(sak.status, sak.flyt)
    if not (fagdirektor_kan and p.has(Role.FAGDIREKTOR)):
        krev_medlem(p.user_id, sak.medlemmer)
    return sak


@use_case
async def read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> SakVisning:
    """One case in full; the snapshot holds personal data, so every read is audited."""
    return await _visning(uow, await _read(uow, p, sak_id, purpose=purpose), p)


@dataclass(frozen=True)
class Saksside:
    """What the case page needs from the database, read in one unit of work."""

    visning: SakVisning
    sok: Presedenssok | None
    lokale_vedtak: list[LokaltVedtak]
    uleste_varsler: int


@use_case
async def read_side(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> Saksside:
    """The case page's data: the case in full (audited), this trust's precedent and the bell's count."""
    visning = await read.within(uow, p, sak_id, purpose=purpose)
    sok = presedens.sok_for(visning.sak)
    lokalt = await presedens.lokale_vedtak.within(uow, p, visning.sak, sok) if sok is not None else []
    return Saksside(
        visning=visning,
        sok=sok,
        lokale_vedtak=lokalt,
        uleste_varsler=visning.uleste_varsler,
    )


@use_case
async def list_saker(uow: UnitOfWork, p: Principal) -> Saksliste:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    saker = await store.list_for_hf(uow.session, hf=p.hf)
    ids = [s.id for s in saker]
    return Saksliste(
        saker=saker,
        anbefalinger=await store.anbefalinger_for(uow.session, ids),
        venter_pa_svar=await store.apne_sporsmal(uow.session, ids),
        i_dag=_today(uow),
    )


def _medlemsvurdering_event(v: Medlemsvurdering) -> MedlemsvurderingEvent:
    i = v.innhold or {}
    return MedlemsvurderingEvent(
        medlem_id=v.medlem_id,
        medlem_navn=v.medlem_navn,
        alvorlighet=i.get("alvorlighet"),
        alvorlighet_begrunnelse=i.get("alvorlighet_begrunnelse"),
        nytte=i.get("nytte"),
        nytte_begrunnelse=i.get("nytte_begrunnelse"),
        ressursbruk=i.get("ressursbruk"),
        ressursbruk_begrunnelse=i.get("ressursbruk_begrunnelse"),
        evidenskvalitet=i.get("evidenskvalitet"),
        sikkerhet=i.get("sikkerhet"),
        alternativer=i.get("alternativer"),
        nye_metoder_status=i.get("nye_metoder_status"),
        kostnad_budsjett=i.get("kostnad_budsjett"),
        anbefaling=i.get("anbefaling"),
        levert_at=v.levert_at,
    )


@use_case
async def record_anbefaling(
    uow: UnitOfWork, p: Principal, sak_id: str, *, anbefaling: AnbefalingInput, versjon: int | None = None
) -> SakVisning:
    p.require(Role.KOMITE)
    uow.on_duplicate("Komiteen har allerede gitt en anbefaling i denne saken.")
    _on_lost_race(uow, sak_id, versjon)
    sak = await load_for_committee(uow, p, sak_id)
    # "Already recommended" (or "waiting for an answer") tells the member more than "stale version", so
    # it is checked first.
    target = krev_kan_anbefale(sak.status)
    inhabile = await store.inhabiliteter_for(uow.session, sak.id)
    krev_habil(p.user_id, {i.medlem_id for i in inhabile})
    _require_fresh(sak, versjon)
    now = uow.now
    # Every member's submitted view travels with the recommendation; a conflicted member's never does.
    levert = [
        v
        for v in await store.medlemsvurderinger_for(uow.session, sak.id)
        if v.levert_at is not None and v.medlem_id not in {i.medlem_id for i in inhabile}
    ]
    medlemsvurderinger = [_medlemsvurdering_event(v) for v in levert]
    k = anbefaling.kriterier
    row = Anbefaling(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        anbefaling=anbefaling.anbefaling,
        begrunnelse=anbefaling.begrunnelse,
        alvorlighet=k.alvorlighet,
        nytte=k.nytte,
        ressursbruk=k.ressursbruk,
        evidenskvalitet=k.evidenskvalitet,
        avgitt_av=p.user_id,
        avgitt_av_navn=p.name,
        avgitt_at=now,
        vilkar=anbefaling.vilkar,
        medlemsvurderinger=[m.model_dump(mode="json") for m in medlemsvurderinger],
    )
    uow.session.add(row)
    sak.status = target
    sak.anbefalt_at = now
    sak.endret_at = now
    skriv_historikk(uow, sak, p, "anbefalt", f"Anbefaling: {ANBEFALING_LABELS[anbefaling.anbefaling]}")
    uow.audit(
        p, action="skriv", what="vurdering.anbefale", case_ref=sak.lopenummer, purpose="Anbefale vedtak"
    )
    uow.publish(
        AnbefalingAvgitt(
            sak_id=sak.id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            anbefaling=anbefaling.anbefaling,
            begrunnelse=anbefaling.begrunnelse,
            kriterier=KriterievurderingEvent(**k.model_dump()),
            avgitt_av=p.user_id,
            avgitt_at=now,
            avgitt_av_navn=p.name,
            vilkar=anbefaling.vilkar,
            medlemsvurderinger=medlemsvurderinger,
            inhabiliteter=[
                Inhabilitetserklaering(
                    medlem_id=i.medlem_id, medlem_navn=i.medlem_navn, grunn=i.grunn, erklaert_at=i.erklaert_at
                )
                for i in inhabile
            ],
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    # Written now, so the answer shows the recommendation; a lost race surfaces here as the 409 above.
    await uow.session.flush()
    return await _visning(uow, sak, p)


@use_case
async def request_tilleggsinformasjon(
    uow: UnitOfWork, p: Principal, sak_id: str, *, sporsmal: str, svarfrist: date | None = None
) -> Sporsmal:
    p.require(Role.KOMITE)
    uow.on_duplicate("Spørsmålet er allerede sendt.")
    _on_lost_race(uow, sak_id, None)
    sak = await load_for_committee(uow, p, sak_id)
    target = transition(sak.status, Handling.ETTERSPORRE)
    now = uow.now
    row = Sporsmal(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        sporsmal=sporsmal,
        spurt_av=p.user_id,
        spurt_av_navn=p.name,
        spurt_at=now,
        svarfrist=svarfrist,
    )
    uow.session.add(row)
    # The case waits for the answer; touching it also bumps its version, so a recommendation form opened
    # before the question was asked is refused rather than silently ignoring the open question.
    sak.status = target
    sak.endret_at = now
    skriv_historikk(uow, sak, p, "tilleggsinfo_etterspurt", "Ba søker om mer informasjon")
    uow.audit(
        p,
        action="skriv",
        what="vurdering.etterspor",
        case_ref=sak.lopenummer,
        purpose="Be om tilleggsinformasjon",
    )
    uow.publish(
        TilleggsinformasjonEtterspurt(
            sporsmal_id=row.id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            sporsmal=sporsmal,
            spurt_at=now,
            spurt_av_navn=p.name,
            svarfrist=svarfrist,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    return row


# --- consumed events ---------------------------------------------------------------------------


async def _by_soknad(uow: UnitOfWork, soknad_id: str) -> Sak:
    return await require_case_for_soknad(uow, Sak, soknad_id)


async def on_soknad_forankret(uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
    # Stored, but not the committee's until the director sends it there (`SakSendtTilKomite`).
    sak = await receive_case(
        uow,
        Sak,
        event,
        envelope,
        status=Status.VENTER_PA_TRIAGE,
        medlemmer=[],
        nye_felt=[],
        virkestoff=event.legemiddel.virkestoff.strip().lower() or None,
        icd10_kode=event.indikasjon.kode.strip().upper() or None,
    )
    if sak is not None:
        skriv_historikk(uow, sak, None, "mottatt", f"Forankret av {event.forankring.leder_navn} og mottatt")


async def on_sak_sendt_til_komite(uow: UnitOfWork, event: SakSendtTilKomite, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    medlemmer = [{"id": m.id, "navn": m.navn} for m in event.medlemmer]
    if sak.status in (Status.TIL_VURDERING, Status.VENTER_PA_SVAR) and sak.flyt == FLYT_KOMPLETT:
        # Sent again: the director changed the members or the deadline.
        detalj = f"Fagdirektøren endret komiteens frist til {event.frist:%d.%m.%Y} eller medlemmene"
    elif sak.status == Status.VENTER_PA_TRIAGE:
        sak.status = til_komiteen(sak.status, apne_sporsmal=await _apne_sporsmal(uow, sak))
        detalj = f"Sendt til komiteen av {event.sendt_av_navn}, frist {event.frist:%d.%m.%Y}"
    else:
        # Withdrawn or decided in the meantime: the case stays where it is, the triage is on record.
        skriv_historikk(
            uow, sak, None, "sendt_til_komite_for_sent", "Sendt til komiteen etter at saken ble avsluttet"
        )
        return
    nye = [m["id"] for m in medlemmer if m["id"] not in varsler.medlemmer_av(sak)]
    sak.flyt = FLYT_KOMPLETT
    sak.frist = event.frist
    sak.merknad = event.merknad
    sak.medlemmer = medlemmer
    sak.sendt_til_komite_at = event.sendt_at
    sak.sendt_av_navn = event.sendt_av_navn
    sak.endret_at = uow.now
    await uow.session.flush()
    skriv_historikk(uow, sak, None, "sendt_til_komite", detalj)
    varsler.varsle(
        uow,
        sak,
        nye,
        kind=varsler.TILDELT,
        tekst=f"Du er tildelt sak {sak.lopenummer} ({sak.legemiddel_navn}). Frist {event.frist:%d.%m.%Y}.",
    )


async def on_vedtak_fattet(uow: UnitOfWork, event: VedtakFattet, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    sak.utfall = event.utfall
    sak.vedtak_begrunnelse = event.begrunnelse
    sak.vedtak_vilkar = event.vilkar
    sak.vedtak_gyldig_til = event.gyldig_til
    if sak.flyt is None and event.vurderingsflyt == FLYT_FORENKLET:
        sak.flyt = FLYT_FORENKLET
    elif sak.flyt is None:
        sak.flyt = event.vurderingsflyt
    if sak.status == Status.TRUKKET:
        # Withdrawn while the director decided: the withdrawal stands; keep the decision on record.
        skriv_historikk(uow, sak, None, "vedtak_etter_trekking", UTFALL_LABELS[event.utfall])
        return
    if sak.status == Status.AVSLUTTET:
        # An amendment of the decision: a new decision on a closed case, recorded as such.
        sak.avsluttet_at = event.fattet_at
        sak.endret_at = uow.now
        skriv_historikk(uow, sak, None, "vedtak_endret", f"Vedtaket er endret: {UTFALL_LABELS[event.utfall]}")
        return
    sak.status = transition(sak.status, Handling.VEDTA)
    sak.avsluttet_at = event.fattet_at
    sak.endret_at = uow.now
    skriv_historikk(uow, sak, None, "avsluttet", f"Vedtak fattet: {UTFALL_LABELS[event.utfall]}")


async def on_vedtak_opphevet(uow: UnitOfWork, event: VedtakOpphevet, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    sak.opphevet_at = event.opphevet_at
    sak.endret_at = uow.now
    skriv_historikk(
        uow,
        sak,
        None,
        "vedtak_opphevet",
        f"Vedtaket er opphevet av {event.opphevet_av_navn} fra {event.gjelder_fra:%d.%m.%Y}",
    )


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, Handling.TREKKE)
    sak.endret_at = uow.now
    skriv_historikk(uow, sak, None, "trukket", "Søknaden ble trukket av søker")


async def on_tilleggsinformasjon_etterspurt_av_fagdirektor(
    uow: UnitOfWork, event: TilleggsinformasjonEtterspurtAvFagdirektor, envelope: Envelope
) -> None:
    """The director's question joins the case's thread, so the committee sees it and its answer."""
    sak = await _by_soknad(uow, event.soknad_id)
    if await uow.session.get(Sporsmal, event.sporsmal_id) is not None:
        return
    uow.session.add(
        Sporsmal(
            id=event.sporsmal_id,
            sak_id=sak.id,
            sporsmal=event.sporsmal,
            spurt_av="fagdirektor",
            spurt_av_navn=event.spurt_av_navn or "Fagdirektøren",
            spurt_at=event.spurt_at,
            svarfrist=event.svarfrist,
        )
    )
    sak.status = etter_sporsmal(sak.status)
    sak.endret_at = uow.now
    skriv_historikk(uow, sak, None, "tilleggsinfo_etterspurt", "Fagdirektøren ba søker om mer informasjon")


async def on_tilleggsinformasjon_besvart(
    uow: UnitOfWork, event: TilleggsinformasjonBesvart, envelope: Envelope
) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    sporsmal = await uow.session.get(Sporsmal, event.sporsmal_id)
    if sporsmal is not None and sporsmal.sak_id != sak.id:
        raise NotFound(f"Spørsmål {event.sporsmal_id} hører ikke til sak {sak.lopenummer}.")
    if sporsmal is not None:
        sporsmal.svar = event.svar
        sporsmal.besvart_at = event.besvart_at
        sporsmal.besvart_av_navn = event.besvart_av_navn
    if event.visning:
        sak.visning = [s.model_dump(mode="json") for s in oppdatert(seksjoner(sak), event.visning)]
        # What changed with this answer is marked as new until the next answer replaces it.
        sak.nye_felt = list(event.endrede_felt)
    sak.endret_at = uow.now
    skriv_historikk(uow, sak, None, "tilleggsinfo_besvart", "Søker har svart på spørsmålet")
    ny = etter_svar(sak.status, apne_sporsmal=await _apne_sporsmal(uow, sak))
    if ny != sak.status:
        sak.status = ny
        skriv_historikk(
            uow, sak, None, "gjenopptatt", "Alle spørsmål er besvart; saken er til vurdering igjen"
        )
    varsler.varsle(
        uow,
        sak,
        [*varsler.medlemmer_av(sak), *([sporsmal.spurt_av] if sporsmal is not None else [])],
        kind=varsler.SVAR_MOTTATT,
        tekst=f"Søker har svart på spørsmålet i sak {sak.lopenummer}.",
    )
