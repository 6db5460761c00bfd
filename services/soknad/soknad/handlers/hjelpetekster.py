"""A trust's admin edits the help texts of the form without a deploy."""

from __future__ import annotations

from dataclasses import dataclass

from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import ValidationFailed
from soknad.skjema.modell import Seksjon, Skjema, Sporsmal
from soknad.store import hjelpetekster

MAKS_LENGDE = 1000


@dataclass(frozen=True)
class Hjelpetekstlinje:
    seksjon: Seksjon
    sporsmal: Sporsmal
    tekst: str
    overstyrt: hjelpetekster.Hjelpetekst | None


async def help_texts(uow: UnitOfWork, *, hf: str, skjema: Skjema) -> dict[str, str]:
    """The trust's text where it has one, the definition's otherwise."""
    own = await hjelpetekster.for_skjema(uow.session, hf=hf, skjema_versjon=skjema.versjon)
    return {sp.id: own[sp.id].tekst if sp.id in own else sp.hjelp for sp in skjema.sporsmal()}


@use_case
async def list_for_admin(uow: UnitOfWork, p: Principal, *, skjema: Skjema) -> list[Hjelpetekstlinje]:
    p.require(Role.ADMIN)
    own = await hjelpetekster.for_skjema(uow.session, hf=p.hf, skjema_versjon=skjema.versjon)
    return [
        Hjelpetekstlinje(seksjon, sp, own[sp.id].tekst if sp.id in own else sp.hjelp, own.get(sp.id))
        for seksjon in skjema.seksjoner
        for sp in seksjon.sporsmal
    ]


def _question(skjema: Skjema, sporsmal_id: str) -> Sporsmal:
    sp = skjema.finn(sporsmal_id)
    if sp is None:
        raise ValidationFailed("Spørsmålet finnes ikke i denne versjonen av skjemaet.", field="sporsmal_id")
    return sp


@use_case
async def set_help_text(
    uow: UnitOfWork, p: Principal, *, skjema: Skjema, sporsmal_id: str, tekst: str
) -> None:
    p.require(Role.ADMIN)
    sp = _question(skjema, sporsmal_id)
    tekst = tekst.strip()
    field = f"tekst.{sp.id}"
    if not tekst:
        raise ValidationFailed(
            "Skriv en hjelpetekst, eller sett den tilbake til standardteksten.", field=field
        )
    if len(tekst) > MAKS_LENGDE:
        raise ValidationFailed(f"Hjelpeteksten er for lang (høyst {MAKS_LENGDE} tegn).", field=field)
    await hjelpetekster.set_text(
        uow.session,
        hf=p.hf,
        skjema_versjon=skjema.versjon,
        sporsmal_id=sp.id,
        tekst=tekst,
        endret_av=p.name,
        at=uow.now,
    )


@use_case
async def reset_help_text(uow: UnitOfWork, p: Principal, *, skjema: Skjema, sporsmal_id: str) -> None:
    p.require(Role.ADMIN)
    sp = _question(skjema, sporsmal_id)
    await hjelpetekster.reset_text(uow.session, hf=p.hf, skjema_versjon=skjema.versjon, sporsmal_id=sp.id)
