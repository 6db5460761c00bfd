"""Events consumed from the other services: every step of the case lands in its history with who and
when, and the applicant and leader are notified of what concerns them."""

from __future__ import annotations

from datetime import date, datetime

from shared.domain.labels import ANBEFALING_LABELS
from shared.events.contracts import (
    AnbefalingAvgitt,
    SakSendtTilKomite,
    SakTilForenkletBehandling,
    SakVideresendtInterregionalt,
    TilleggsinformasjonEtterspurt,
    TilleggsinformasjonEtterspurtAvFagdirektor,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.events.envelope import Envelope
from shared.platform.db.uow import UnitOfWork
from shared.platform.errors import NotFound
from shared.platform.katalog import Katalog
from shared.platform.web.templating import format_date
from soknad import store
from soknad.behandling import (
    APEN_STATUS,
    FORENKLET,
    INTERREGIONAL,
    INTERREGIONAL_VENTETID_DAGER,
    KOMPLETT,
    behandling_dict,
    historikktekst,
    same_choice,
)
from soknad.domain import UTFALL_LABELS, Status, transition
from soknad.handlers.common import history_by
from soknad.handlers.varsler import soker_og_medforfattere, varsle
from soknad.store import Soknad
from soknad.store.tilleggsinfo import TilleggsinfoSporsmal
from soknad.vedtak import fattet_av, historikklinje, opphevet_dict, vedtak_dict, vedtaksvisning

FAGDIREKTOR = "Fagdirektøren"
KOMITEEN = "Vurderingskomiteen"

TRIAGE_HENDELSER = {
    KOMPLETT: "sendt_til_komite",
    FORENKLET: "forenklet_behandling",
    INTERREGIONAL: "videresendt_interregionalt",
}


async def _by_id(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound(f"Ukjent søknad {soknad_id}")
    return soknad


def _leder(soknad: Soknad) -> str:
    return str((soknad.forankring or {}).get("leder_id") or "")


async def _navn(katalog: Katalog | None, user_id: str, given: str | None, fallback: str) -> str:
    """The name the event gives; for events from before names travelled, the directory's; else the role."""
    if given:
        return given
    person = await katalog.person(user_id) if katalog is not None else None
    return person.navn if person is not None else fallback


async def on_vedtak_fattet(
    uow: UnitOfWork, event: VedtakFattet, envelope: Envelope, *, katalog: Katalog | None = None
) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    navn = await _navn(katalog, event.fattet_av, event.fattet_av_navn, FAGDIREKTOR)
    if soknad.status == Status.TRUKKET:
        # Withdrawn while the director decided: the withdrawal stands; keep the decision on record.
        history_by(
            uow,
            soknad,
            event.fattet_av,
            navn,
            "vedtak_etter_trekking",
            f"Vedtak etter at søknaden var trukket: {UTFALL_LABELS[event.utfall]}",
        )
        return
    if event.art == "endring" and soknad.vedtak and soknad.status in (Status.VEDTATT, Status.OPPHEVET):
        _amend(uow, soknad, event, navn)
        return
    soknad.status = transition(soknad.status, "vedtak")
    soknad.vedtak = {**vedtak_dict(event), "fattet_av_navn": navn}
    soknad.vedtatt_at = event.fattet_at
    soknad.utfall = event.utfall
    soknad.endret_at = uow.now
    history_by(
        uow, soknad, event.fattet_av, navn, "vedtatt", historikklinje(event, "Vedtak"), at=event.fattet_at
    )
    varsle(
        uow,
        soknad,
        [*soker_og_medforfattere(soknad), _leder(soknad)],
        kind="vedtak",
        tekst=(
            f"Vedtak i søknad {event.lopenummer}: {UTFALL_LABELS[event.utfall].lower()}. "
            f"{fattet_av(event, navn)}."
        ),
    )


def _amend(uow: UnitOfWork, soknad: Soknad, event: VedtakFattet, navn: str) -> None:
    """An amendment replaces the decision shown; the one it replaces stays listed under it."""
    old = dict(soknad.vedtak or {})
    tidligere = [*old.pop("tidligere", []), old]
    soknad.vedtak = {**vedtak_dict(event), "fattet_av_navn": navn, "tidligere": tidligere}
    soknad.utfall = event.utfall
    if soknad.status == Status.OPPHEVET:
        # A new decision after a revocation is a decision in force again.
        soknad.status = Status.VEDTATT
    soknad.endret_at = uow.now
    forrige = vedtaksvisning(old)
    history_by(
        uow,
        soknad,
        event.fattet_av,
        navn,
        "vedtak_endret",
        historikklinje(event, "Vedtaket er endret")
        + (
            f". Erstatter vedtaket fra {format_date(forrige.fattet_at)}"
            if forrige and forrige.fattet_at
            else ""
        ),
        at=event.fattet_at,
    )
    varsle(
        uow,
        soknad,
        [*soker_og_medforfattere(soknad), _leder(soknad)],
        kind="vedtak",
        tekst=(
            f"Vedtaket i søknad {event.lopenummer} er endret: {UTFALL_LABELS[event.utfall].lower()}. "
            f"{fattet_av(event, navn)}."
        ),
    )


async def on_vedtak_opphevet(uow: UnitOfWork, event: VedtakOpphevet, envelope: Envelope) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    gjeldende = (soknad.vedtak or {}).get("vedtak_id")
    av, av_navn, at = event.opphevet_av, event.opphevet_av_navn, event.opphevet_at
    detalj = f"Vedtaket er opphevet fra {format_date(event.gjelder_fra)}: {event.begrunnelse}"
    if soknad.status != Status.VEDTATT or gjeldende not in (None, event.opphever_vedtak_id):
        # Revokes a decision that is no longer the one in force (already amended): on record only.
        history_by(uow, soknad, av, av_navn, "vedtak_opphevet", detalj, at=at)
        return
    soknad.status = transition(soknad.status, "oppheve")
    soknad.vedtak = {**(soknad.vedtak or {}), "opphevet": opphevet_dict(event)}
    soknad.endret_at = uow.now
    history_by(uow, soknad, av, av_navn, "vedtak_opphevet", detalj, at=at)
    varsle(
        uow,
        soknad,
        [*soker_og_medforfattere(soknad), _leder(soknad)],
        kind="vedtak",
        tekst=(
            f"Vedtaket i søknad {event.lopenummer} er opphevet av {event.opphevet_av_navn} "
            f"fra {format_date(event.gjelder_fra)}."
        ),
    )


async def _triage(
    uow: UnitOfWork,
    soknad_id: str,
    flyt: str,
    *,
    frist: date,
    av: str,
    av_navn: str,
    at: datetime,
) -> Soknad | None:
    """The director's choice of flow: where the case is now, and a history line with who and when.
    None when nothing changed for the applicant (the same choice again, or the case already closed)."""
    soknad = await _by_id(uow, soknad_id)
    valg = behandling_dict(flyt, frist=frist, av=av, av_navn=av_navn, at=at)
    if same_choice(soknad.behandling, valg):
        # The same choice re-published under a new event id: already on record.
        return None
    history_by(uow, soknad, av, av_navn, TRIAGE_HENDELSER[flyt], historikktekst(flyt, frist), at=at)
    if soknad.status not in APEN_STATUS:
        # Chosen after the case closed (a withdrawal crossed it): on record only.
        return None
    if soknad.status == Status.TIL_VURDERING:
        soknad.status = Status.UNDER_VURDERING
    soknad.behandling = valg
    soknad.endret_at = uow.now
    return soknad


async def on_sak_sendt_til_komite(uow: UnitOfWork, event: SakSendtTilKomite, envelope: Envelope) -> None:
    # The director's note is addressed to the committee; the applicant sees the step and its deadline.
    await _triage(
        uow,
        event.soknad_id,
        KOMPLETT,
        frist=event.frist,
        av=event.sendt_av,
        av_navn=event.sendt_av_navn,
        at=event.sendt_at,
    )


async def on_sak_til_forenklet_behandling(
    uow: UnitOfWork, event: SakTilForenkletBehandling, envelope: Envelope
) -> None:
    await _triage(
        uow,
        event.soknad_id,
        FORENKLET,
        frist=event.frist,
        av=event.valgt_av,
        av_navn=event.valgt_av_navn,
        at=event.valgt_at,
    )


async def on_sak_videresendt_interregionalt(
    uow: UnitOfWork, event: SakVideresendtInterregionalt, envelope: Envelope
) -> None:
    """Tilgangsordningen: the wait grows to months, so the applicant and leader are told."""
    soknad = await _triage(
        uow,
        event.soknad_id,
        INTERREGIONAL,
        frist=event.frist,
        av=event.videresendt_av,
        av_navn=event.videresendt_av_navn,
        at=event.videresendt_at,
    )
    if soknad is None:
        return
    varsle(
        uow,
        soknad,
        [*soker_og_medforfattere(soknad), _leder(soknad)],
        kind="behandling",
        tekst=(
            f"Søknad {event.lopenummer} er videresendt til den interregionale vurderingskomiteen av "
            f"{event.videresendt_av_navn}. Vedtaket kan ta inntil {INTERREGIONAL_VENTETID_DAGER} dager; "
            f"forventet innen {format_date(event.frist)}."
        ),
    )


async def on_anbefaling_avgitt(
    uow: UnitOfWork, event: AnbefalingAvgitt, envelope: Envelope, *, katalog: Katalog | None = None
) -> None:
    """Who recommended what; the reasons, scores and members' assessments stay with the committee
    and the director."""
    soknad = await _by_id(uow, event.soknad_id)
    history_by(
        uow,
        soknad,
        event.avgitt_av,
        await _navn(katalog, event.avgitt_av, event.avgitt_av_navn, KOMITEEN),
        "anbefaling",
        f"Vurderingskomiteen anbefaler: {ANBEFALING_LABELS[event.anbefaling]}",
        at=event.avgitt_at,
    )


async def on_tilleggsinformasjon_etterspurt(
    uow: UnitOfWork,
    event: TilleggsinformasjonEtterspurt | TilleggsinformasjonEtterspurtAvFagdirektor,
    envelope: Envelope,
) -> None:
    """The committee's and the director's requests alike: the case waits for the applicant's answer."""
    soknad = await _by_id(uow, event.soknad_id)
    if await uow.session.get(TilleggsinfoSporsmal, event.sporsmal_id) is not None:
        # The same question again under a new event id (an operator's re-publish): nothing new to ask.
        return
    fra_fagdirektor = isinstance(event, TilleggsinformasjonEtterspurtAvFagdirektor)
    uow.session.add(
        TilleggsinfoSporsmal(
            id=event.sporsmal_id,
            soknad_id=soknad.id,
            hf=soknad.hf,
            sporsmal=event.sporsmal,
            spurt_at=event.spurt_at,
            spurt_av_navn=event.spurt_av_navn,
            svarfrist=event.svarfrist,
            kilde="beslutning" if fra_fagdirektor else "vurdering",
        )
    )
    spurt_av = event.spurt_av_navn or (FAGDIREKTOR if fra_fagdirektor else KOMITEEN)
    frist = f" Svarfrist {format_date(event.svarfrist)}." if event.svarfrist else ""
    history_by(
        uow,
        soknad,
        "beslutning" if fra_fagdirektor else "vurdering",
        spurt_av,
        "tilleggsinfo_etterspurt",
        f"Ba om mer informasjon: {event.sporsmal}{frist}",
    )
    if soknad.status in (Status.VEDTATT, Status.OPPHEVET, Status.TRUKKET):
        # Asked while the case closed: kept on record, but there is nobody to ask any more.
        return
    if soknad.status in (Status.TIL_VURDERING, Status.UNDER_VURDERING):
        soknad.status = Status.TILLEGGSINFO_ETTERSPURT
    soknad.endret_at = uow.now
    varsle(
        uow,
        soknad,
        soker_og_medforfattere(soknad),
        kind="tilleggsinfo",
        tekst=(
            f"{spurt_av} ber om mer informasjon i søknad {event.lopenummer}.{frist} "
            "Svar på spørsmålet i søknaden."
        ),
    )
