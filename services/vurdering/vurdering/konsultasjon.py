"""External consultation: the committee invites a named person (often in another trust, found by name or
HPR number) to give an opinion on one case. They open it here through a secret link that expires (only
the token's hash is stored), logged in (HelseID, or the demo login) as the person invited: the HPR number
they are identified by must be the invitation's. Every opening is audited with who they are, and what
they see carries no patient identity. Their opinion returns as a comment signed with the logged-in
person's name and HPR number."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.domain.trusts import hf_navn
from shared.events.common import Seksjonsvisning
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import Forbidden, InvalidTransition, NotFound
from shared.platform.katalog import Katalog
from vurdering import store, varsler
from vurdering.anonymisering import anonymisert
from vurdering.domain import Status
from vurdering.handlers import load_for_committee, seksjoner, skriv_historikk
from vurdering.kommentarer import KONSULTASJON_SEKSJON, Kommentartekst
from vurdering.store import Kommentar, Konsultasjon, Sak

UGYLDIG = "Lenken er ugyldig eller utløpt. Be den som inviterte deg om en ny."
UTEN_HPR = (
    "Du er logget inn uten HPR-nummer. Invitasjonen gjelder en navngitt fagperson, og krever at du "
    "logger inn som helsepersonell med HPR-nummer (HelseID)."
)
FEIL_PERSON = (
    "Invitasjonen gjelder en annen fagperson enn deg: HPR-nummeret du er logget inn med, stemmer ikke "
    "med invitasjonen. Logg inn som den som er invitert, eller be komiteen om en invitasjon i ditt navn."
)

Kort = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Invitasjon(BaseModel):
    """Who is invited and for how long."""

    model_config = ConfigDict(extra="forbid")

    navn: Kort = Field(description="The consultant's full name.")
    hpr_nummer: str = Field(description="HPR number (up to 9 digits).")
    organisasjon: Kort = Field(description="Trust or organisation.")
    epost: str | None = Field(default=None, max_length=200, description="E-mail to send the link to.")
    sporsmal: str | None = Field(default=None, max_length=5_000, description="What the committee asks.")
    gyldig_dager: int = Field(default=14, ge=1, le=60, description="Days until the link expires.")

    @field_validator("hpr_nummer")
    @classmethod
    def _hpr(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"\d{1,9}", value):
            raise ValueError("HPR-nummeret er 1–9 siffer.")
        return value

    @field_validator("epost")
    @classmethod
    def _epost(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("Skriv en gyldig e-postadresse, eller la feltet stå tomt.")
        return value or None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitert:
    konsultasjon: Konsultasjon
    token: str
    """Shown once to the member who invited, to send on; never stored."""


@use_case
async def inviter(uow: UnitOfWork, p: Principal, sak_id: str, *, invitasjon: Invitasjon) -> Invitert:
    p.require(Role.KOMITE)
    sak = await load_for_committee(uow, p, sak_id)  # a named member
    token = secrets.token_urlsafe(32)
    row = Konsultasjon(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        token_hash=token_hash(token),
        navn=invitasjon.navn,
        hpr_nummer=invitasjon.hpr_nummer,
        organisasjon=invitasjon.organisasjon,
        epost=invitasjon.epost,
        sporsmal=invitasjon.sporsmal,
        invitert_av=p.user_id,
        invitert_av_navn=p.name,
        invitert_at=uow.now,
        utloper_at=uow.now + timedelta(days=invitasjon.gyldig_dager),
    )
    uow.session.add(row)
    skriv_historikk(
        uow,
        sak,
        p,
        "konsultasjon_invitert",
        f"{invitasjon.navn} ({invitasjon.organisasjon}) invitert til å uttale seg",
    )
    uow.audit(
        p,
        action="skriv",
        what="vurdering.konsultasjon.inviter",
        case_ref=sak.lopenummer,
        purpose="Ekstern uttalelse",
    )
    return Invitert(konsultasjon=row, token=token)


@dataclass(frozen=True)
class Konsultasjonsvisning:
    konsultasjon: Konsultasjon
    sak: Sak
    visning: list[Seksjonsvisning]
    """Without the patient's identity."""
    uttalelser: list[Kommentar]
    """The consultant's own opinions given so far."""


async def _gyldig(uow: UnitOfWork, token: str, p: Principal) -> tuple[Konsultasjon, Sak]:
    """The invitation of a live link, opened by the person invited (by HPR number). Anyone else is
    refused with no case data, and the attempt is audited (kept, though the use case fails)."""
    k = await store.konsultasjon_by_hash(uow.session, token_hash(token))
    if k is None or k.utloper_at <= uow.now:
        raise NotFound(UGYLDIG)
    sak = await uow.session.get(Sak, k.sak_id)
    if sak is None:
        raise NotFound(UGYLDIG)
    if not p.hpr_number or p.hpr_number.strip() != k.hpr_nummer:
        uow.audit(
            p,
            action="les",
            what="vurdering.konsultasjon.avvist",
            case_ref=sak.lopenummer,
            purpose="Ekstern uttalelse: åpnet av en annen enn den inviterte (avvist)",
        )
        await uow.commit()
        raise Forbidden(UTEN_HPR if not p.hpr_number else FEIL_PERSON)
    return k, sak


def _organisasjon(p: Principal, k: Konsultasjon) -> str:
    """The consultant's trust as their login says, else what the inviter typed."""
    return hf_navn(p.hf) if p.hf else k.organisasjon


@use_case
async def apne(uow: UnitOfWork, token: str, p: Principal) -> Konsultasjonsvisning:
    """The case as the invited consultant (`p`, logged in) sees it; every opening is audited."""
    k, sak = await _gyldig(uow, token, p)
    uow.audit(
        p,
        action="les",
        what="vurdering.konsultasjon.vis",
        case_ref=sak.lopenummer,
        purpose="Ekstern uttalelse (uten pasientens identitet)",
    )
    uttalelser = [
        c
        for c in await store.kommentarer_for(uow.session, sak.id)
        if c.ekstern and c.forfatter_hpr == k.hpr_nummer and c.seksjon_id == KONSULTASJON_SEKSJON
    ]
    return Konsultasjonsvisning(
        konsultasjon=k,
        sak=sak,
        visning=anonymisert(seksjoner(sak), sak.snapshot.get("pasient")),
        uttalelser=uttalelser,
    )


@use_case
async def gi_uttalelse(uow: UnitOfWork, token: str, p: Principal, *, tekst: Kommentartekst) -> Kommentar:
    """The consultant's opinion, signed with who they logged in as (name, HPR number) and the time."""
    k, sak = await _gyldig(uow, token, p)
    if sak.status not in (Status.TIL_VURDERING, Status.VENTER_PA_SVAR, Status.ANBEFALT):
        raise InvalidTransition("Saken er avsluttet, og tar ikke imot flere uttalelser.")
    row = Kommentar(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        seksjon_id=KONSULTASJON_SEKSJON,
        svar_pa_id=None,
        forfatter_id=p.user_id,
        forfatter_navn=f"{p.name} ({_organisasjon(p, k)})",
        forfatter_hpr=p.hpr_number,
        ekstern=True,
        tekst=tekst,
        skrevet_at=uow.now,
    )
    uow.session.add(row)
    k.besvart_at = uow.now
    skriv_historikk(uow, sak, p, "konsultasjon_besvart", f"Uttalelse fra {p.name}, HPR {p.hpr_number}")
    uow.audit(
        p,
        action="skriv",
        what="vurdering.konsultasjon.uttal",
        case_ref=sak.lopenummer,
        purpose="Ekstern uttalelse",
    )
    varsler.varsle(
        uow,
        sak,
        [k.invitert_av, *varsler.medlemmer_av(sak)],
        kind=varsler.KONSULTASJON_MOTTATT,
        tekst=f"{p.name} har gitt en uttalelse i sak {sak.lopenummer}.",
    )
    return row


@dataclass(frozen=True)
class Kandidat:
    navn: str
    hpr_nummer: str
    organisasjon: str


async def finn_personer(katalog: Katalog, *, hf: str, sok: str) -> list[Kandidat]:
    """Health personnel in the directory of trust `hf` whose name or HPR number matches. The directory
    holds the trusts it is seeded with; anyone else is entered by hand."""
    sok = sok.strip()
    if len(sok) < 2:
        return []
    if sok.isdigit():
        people = [p for p in await katalog.personer(hf, limit=2000) if p.hpr_nummer and sok in p.hpr_nummer]
    else:
        people = await katalog.personer(hf, sok=sok, limit=50)
    return [
        Kandidat(navn=p.navn, hpr_nummer=p.hpr_nummer, organisasjon=hf_navn(p.hf))
        for p in people
        if p.aktiv and p.hpr_nummer
    ][:20]
