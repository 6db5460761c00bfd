"""The events beslutning consumes: a new case in the inbox, the committee's recommendation, the
applicant's answer, a withdrawal."""

from __future__ import annotations

import uuid

from beslutning.domain import ANBEFALING_LABELS, DECIDED, Behandlingstider, Status, transition
from beslutning.handlers.common import Aktor, history
from beslutning.store import Sak, Varsel
from shared.domain.kalender import oslo_date
from shared.domain.lokal_sak import receive_case, require_case_for_soknad
from shared.domain.overganger import Handling
from shared.events.contracts import (
    AnbefalingAvgitt,
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
)
from shared.events.envelope import Envelope
from shared.platform.db.uow import UnitOfWork


def varsle(uow: UnitOfWork, hf: str, sak_id: str, art: str, tekst: str) -> None:
    """A notification in the page of the trust's medical director."""
    uow.session.add(
        Varsel(id=str(uuid.uuid4()), hf=hf, sak_id=sak_id, art=art, tekst=tekst, opprettet_at=uow.now)
    )


async def on_soknad_forankret(
    uow: UnitOfWork, event: SoknadForankret, envelope: Envelope, *, tider: Behandlingstider
) -> None:
    sak = await receive_case(
        uow,
        Sak,
        event,
        envelope,
        status=Status.TIL_TRIAGE,
        enhet=event.enhet,
        virkestoff=event.legemiddel.virkestoff.strip().lower(),
        icd10=event.indikasjon.kode.strip().upper(),
        frist=tider.frist(oslo_date(event.forankret_at), None),
        forfalt_varslet=False,
    )
    if sak is not None:
        history(
            uow,
            sak,
            Aktor(event.forankring.leder_id, event.forankring.leder_navn),
            "mottatt",
            f"Forankret av {event.forankring.leder_navn}; til fagdirektørens innboks",
        )


async def on_anbefaling_avgitt(uow: UnitOfWork, event: AnbefalingAvgitt, envelope: Envelope) -> None:
    sak = await require_case_for_soknad(uow, Sak, event.soknad_id)
    label = ANBEFALING_LABELS[event.anbefaling]
    who = Aktor(event.avgitt_av, event.avgitt_av_navn or "Komiteen")
    sak.endret_at = uow.now
    if (
        sak.status in DECIDED
        or sak.status == Status.TRUKKET
        or sak.vurderingsflyt in ("forenklet", "interregional")
    ):
        # Decided, withdrawn, or never the committee's (no committee step in the simplified flow):
        # the committee's work stays on record only.
        history(uow, sak, who, "anbefaling_uten_virkning", f"Komiteen anbefalte: {label} (uten virkning)")
        return
    sak.anbefaling = event.model_dump(mode="json")
    sak.anbefalt_at = event.avgitt_at
    sak.status = transition(sak.status, Handling.ANBEFALE)
    sak.vurderingsflyt = "komplett"
    history(uow, sak, who, "anbefalt", f"Komiteen anbefaler: {label}")
    varsle(
        uow,
        sak.hf,
        sak.id,
        "anbefaling",
        f"Komiteen har gitt sin anbefaling i sak {sak.lopenummer}: {label}.",
    )


async def on_tilleggsinformasjon_besvart(
    uow: UnitOfWork, event: TilleggsinformasjonBesvart, envelope: Envelope
) -> None:
    sak = await require_case_for_soknad(uow, Sak, event.soknad_id)
    who = Aktor("soker", event.besvart_av_navn or str(sak.snapshot.get("soker_navn") or "Søker"))
    if event.visning:
        # The application changed with the answer: what the director reads is the new one.
        sak.snapshot = {**sak.snapshot, "visning": [s.model_dump(mode="json") for s in event.visning]}
        sak.nye_felt = sorted(set(sak.nye_felt or []) | set(event.endrede_felt))
    sporsmal = [dict(s) for s in sak.sporsmal or []]
    mine = next((s for s in sporsmal if s.get("id") == event.sporsmal_id), None)
    sak.endret_at = uow.now
    if mine is None:
        # The committee's question: the case's waiting is vurdering's business.
        history(uow, sak, who, "tilleggsinfo_besvart", "Søker svarte på komiteens spørsmål")
        return
    mine.update(svar=event.svar, besvart_at=event.besvart_at.isoformat(), besvart_av_navn=who.name)
    sak.sporsmal = sporsmal
    if sak.status == Status.VENTER_PA_SVAR:
        sak.status = Status(sak.status_for_sporsmal or Status.KLAR_FOR_VEDTAK)
        sak.status_for_sporsmal = None
    history(uow, sak, who, "tilleggsinfo_besvart", "Søker svarte på fagdirektørens spørsmål")
    varsle(uow, sak.hf, sak.id, "svar", f"Søker har svart på spørsmålet ditt i sak {sak.lopenummer}.")


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await require_case_for_soknad(uow, Sak, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, Handling.TREKKE)
    sak.endret_at = uow.now
    history(uow, sak, None, "trukket", "Søknaden ble trukket av søker")
