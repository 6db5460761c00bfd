"""The events beslutning consumes: a new case in the inbox, the committee's recommendation, the
applicant's answer, a withdrawal."""

from __future__ import annotations

import uuid
from typing import Any

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
    TilleggsinformasjonEtterspurt,
)
from shared.events.envelope import Envelope
from shared.platform.db.uow import UnitOfWork

COMMITTEE_PHASE = frozenset({Status.VENTER_PA_ANBEFALING, Status.TIL_TRIAGE})
"""Where a committee question makes the case wait for the applicant (TIL_TRIAGE: a committee that
assessed before triage existed). Once recommended, the case is the director's: a late question is
recorded only."""


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
    if sak.status == Status.VENTER_PA_SVAR:
        # The committee recommended without waiting for its own question's answer; the director's open
        # question still holds the case (`_resume`).
        transition(Status(sak.status_for_sporsmal or Status.VENTER_PA_ANBEFALING), Handling.ANBEFALE)
        sak.status_for_sporsmal = str(Status.KLAR_FOR_VEDTAK)
        _resume(sak)
    else:
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


async def on_tilleggsinformasjon_etterspurt(
    uow: UnitOfWork, event: TilleggsinformasjonEtterspurt, envelope: Envelope
) -> None:
    """The committee asked the applicant: the director sees the question, and the case waits for the
    applicant (held by «Søker») until the answer comes."""
    sak = await require_case_for_soknad(uow, Sak, event.soknad_id)
    sporsmal = [dict(s) for s in sak.sporsmal or []]
    if any(s.get("id") == event.sporsmal_id for s in sporsmal):
        return
    sporsmal.append(
        {
            "id": event.sporsmal_id,
            "kilde": "komite",
            "sporsmal": event.sporsmal,
            "svarfrist": event.svarfrist.isoformat() if event.svarfrist else None,
            "spurt_at": event.spurt_at.isoformat(),
            "spurt_av_navn": event.spurt_av_navn or "Komiteen",
        }
    )
    sak.sporsmal = sporsmal
    sak.endret_at = uow.now
    if sak.status in COMMITTEE_PHASE:
        sak.status_for_sporsmal = str(sak.status)
        sak.status = Status.VENTER_PA_SVAR
    history(
        uow,
        sak,
        Aktor("komite", event.spurt_av_navn or "Komiteen"),
        "tilleggsinfo_etterspurt",
        "Komiteen ba søker om mer informasjon",
    )


def _waits_for(sak: Sak, sporsmal: dict[str, Any]) -> bool:
    """An unanswered question holds the case: the director's always, the committee's until the
    committee has recommended (it then chose not to wait for the answer)."""
    if sporsmal.get("svar"):
        return False
    return sporsmal.get("kilde") != "komite" or sak.anbefaling is None


def _resume(sak: Sak) -> None:
    """Back where the case was, once no open question holds it."""
    if sak.status != Status.VENTER_PA_SVAR or any(_waits_for(sak, s) for s in sak.sporsmal or []):
        return
    sak.status = Status(sak.status_for_sporsmal or Status.KLAR_FOR_VEDTAK)
    sak.status_for_sporsmal = None


async def on_tilleggsinformasjon_besvart(
    uow: UnitOfWork, event: TilleggsinformasjonBesvart, envelope: Envelope
) -> None:
    sak = await require_case_for_soknad(uow, Sak, event.soknad_id)
    who = Aktor("soker", event.besvart_av_navn or str(sak.snapshot.get("soker_navn") or "Søker"))
    if event.visning:
        # The application changed with the answer: what the director reads is the new one.
        # And the raw answers the decision form suggests its scope from (dose, interval, courses).
        svar = {**(sak.snapshot.get("svar") or {}), **event.endrede_svar}
        sak.snapshot = {
            **sak.snapshot,
            "visning": [s.model_dump(mode="json") for s in event.visning],
            "svar": {k: v for k, v in svar.items() if v is not None},
        }
        sak.nye_felt = sorted(set(sak.nye_felt or []) | set(event.endrede_felt))
    sporsmal = [dict(s) for s in sak.sporsmal or []]
    spurt = next((s for s in sporsmal if s.get("id") == event.sporsmal_id), None)
    sak.endret_at = uow.now
    if spurt is None:
        # A committee question asked before beslutning heard of committee questions.
        history(uow, sak, who, "tilleggsinfo_besvart", "Søker svarte på komiteens spørsmål")
        return
    spurt.update(svar=event.svar, besvart_at=event.besvart_at.isoformat(), besvart_av_navn=who.name)
    sak.sporsmal = sporsmal
    _resume(sak)
    if spurt.get("kilde") == "komite":
        history(uow, sak, who, "tilleggsinfo_besvart", "Søker svarte på komiteens spørsmål")
        return
    history(uow, sak, who, "tilleggsinfo_besvart", "Søker svarte på fagdirektørens spørsmål")
    varsle(uow, sak.hf, sak.id, "svar", f"Søker har svart på spørsmålet ditt i sak {sak.lopenummer}.")


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await require_case_for_soknad(uow, Sak, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, Handling.TREKKE)
    sak.endret_at = uow.now
    history(uow, sak, None, "trukket", "Søknaden ble trukket av søker")
