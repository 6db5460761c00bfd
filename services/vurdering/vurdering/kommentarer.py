"""The committee's internal comments per section of the application (threaded) and each member's
preparation notes (private until shared). Neither ever leaves this service: the applicant and the leader
have no page here, and no event carries them."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import StringConstraints

from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import StaleVersion, ValidationFailed
from vurdering import store
from vurdering.handlers import load_for_committee, seksjoner
from vurdering.store import Kommentar, Notat

Kommentartekst = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Notattekst = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50_000)]

KONSULTASJON_SEKSJON = "konsultasjon"
"""The thread external consultants' signed opinions go to."""


@use_case
async def skriv_kommentar(
    uow: UnitOfWork, p: Principal, sak_id: str, *, seksjon_id: str, tekst: str, svar_pa: str | None = None
) -> Kommentar:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    # The named members discuss the case, and the director who sent it may join in.
    sak = await load_for_committee(uow, p, sak_id, fagdirektor_kan=True)
    ids = {s.id for s in seksjoner(sak)} | {KONSULTASJON_SEKSJON}
    if seksjon_id not in ids:
        raise ValidationFailed("Velg en del av søknaden å kommentere.", field="seksjon_id")
    if svar_pa:
        forrige = await uow.session.get(Kommentar, svar_pa)
        if forrige is None or forrige.sak_id != sak.id or forrige.seksjon_id != seksjon_id:
            raise ValidationFailed("Kommentaren du svarer på finnes ikke i denne delen.", field="svar_pa")
    row = Kommentar(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        seksjon_id=seksjon_id,
        svar_pa_id=svar_pa or None,
        forfatter_id=p.user_id,
        forfatter_navn=p.name,
        forfatter_hpr=p.hpr_number,
        ekstern=False,
        tekst=tekst,
        skrevet_at=uow.now,
    )
    uow.session.add(row)
    uow.audit(
        p, action="skriv", what="vurdering.kommentar", case_ref=sak.lopenummer, purpose="Kommentere søknad"
    )
    return row


@use_case
async def lagre_notat(
    uow: UnitOfWork, p: Principal, sak_id: str, *, tekst: str, delt: bool, versjon: int | None
) -> Notat:
    """The member's own note; `versjon` is the one the member read (None: a first note)."""
    p.require(Role.KOMITE)
    sak = await load_for_committee(uow, p, sak_id)
    row = await store.notat(uow.session, sak.id, p.user_id)
    if row is None:
        row = Notat(
            id=str(uuid.uuid4()),
            sak_id=sak.id,
            medlem_id=p.user_id,
            medlem_navn=p.name,
            tekst=tekst,
            delt=delt,
            endret_at=uow.now,
        )
        uow.session.add(row)
    else:
        if versjon is not None and versjon != row.versjon:
            raise StaleVersion(
                "Notatet er lagret i en annen fane siden du åpnet det. "
                "Last siden på nytt; teksten din står under.",
                extra={"din_versjon": versjon, "lagret_versjon": row.versjon},
            )
        row.tekst = tekst
        row.delt = delt
        row.endret_at = uow.now
    await uow.session.flush()
    return row
