"""Each member's structured assessment, autosaved like the applicant's draft (versioned; a stale save is
a 409 carrying what is saved, never an overwrite), submitted when complete; and declared conflicts of
interest, which keep a member out of the assessment."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, StaleVersion, ValidationFailed
from shared.platform.web.problems import field_name, norwegian_message
from vurdering import store
from vurdering.domain import KRITERIER, SKJEMAFELT, Vurderingsutkast, krev_habil, mangler_for_levering
from vurdering.handlers import load_for_committee, skriv_historikk
from vurdering.store import Inhabilitet, Medlemsvurdering

_SCORE_MESSAGES = {k.navn: f"Velg lav, moderat eller høy for {k.label.lower()}." for k in KRITERIER}


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        field = field_name(("innhold", *error["loc"]))
        navn = str(error["loc"][0]) if error["loc"] else ""
        if navn in _SCORE_MESSAGES:
            message = _SCORE_MESSAGES[navn]
        elif navn == "anbefaling":
            message = "Velg innvilge, innvilge med vilkår eller avslå."
        else:
            message = norwegian_message(dict(error))
        errors.append({"field": field, "message": message})
    return errors


def valider_utkast(innhold: dict[str, Any]) -> dict[str, Any]:
    """The fields sent, validated and normalised (blank is None); ValidationFailed naming each bad one
    as `innhold.<navn>`."""
    try:
        utkast = Vurderingsutkast.model_validate(innhold)
    except ValidationError as exc:
        errors = _errors(exc)
        raise ValidationFailed(errors[0]["message"], extra={"errors": errors}) from exc
    dumped = utkast.model_dump()
    return {k: dumped[k] for k in innhold if k in SKJEMAFELT}


async def _inhabile(uow: UnitOfWork, sak_id: str) -> set[str]:
    return {i.medlem_id for i in await store.inhabiliteter_for(uow.session, sak_id)}


def _conflict(row: Medlemsvurdering, versjon: int) -> StaleVersion:
    return StaleVersion(
        "Vurderingen er lagret i en annen fane eller et annet vindu siden du åpnet den.",
        extra={
            "din_versjon": versjon,
            "lagret_versjon": row.versjon,
            "lagret_innhold": row.innhold,
            "sist_lagret": {"navn": row.medlem_navn, "at": row.endret_at.isoformat()},
        },
    )


@use_case
async def lagre_vurdering(
    uow: UnitOfWork, p: Principal, sak_id: str, *, versjon: int, innhold: dict[str, Any]
) -> Medlemsvurdering:
    """Merge the fields sent into the member's draft; `versjon` is the one the page holds (0: none yet)."""
    p.require(Role.KOMITE)
    sak = await load_for_committee(uow, p, sak_id)
    krev_habil(p.user_id, await _inhabile(uow, sak.id))
    endret = valider_utkast(innhold)
    row = await store.medlemsvurdering(uow.session, sak.id, p.user_id)
    if row is None:
        if versjon not in (0, None):
            raise StaleVersion(
                "Vurderingen finnes ikke lenger. Last siden på nytt.", extra={"din_versjon": versjon}
            )
        row = Medlemsvurdering(
            id=str(uuid.uuid4()),
            sak_id=sak.id,
            medlem_id=p.user_id,
            medlem_navn=p.name,
            innhold=endret,
            endret_at=uow.now,
        )
        uow.session.add(row)
    else:
        if versjon != row.versjon:
            raise _conflict(row, versjon)
        # A new dict: the JSON column notices a replaced value, not a mutated one.
        row.innhold = {**(row.innhold or {}), **endret}
        row.endret_at = uow.now
    await uow.session.flush()
    return row


@use_case
async def min_vurdering(uow: UnitOfWork, p: Principal, sak_id: str) -> Medlemsvurdering | None:
    p.require(Role.KOMITE)
    sak = await load_for_committee(uow, p, sak_id)
    return await store.medlemsvurdering(uow.session, sak.id, p.user_id)


@use_case
async def lever_vurdering(
    uow: UnitOfWork, p: Principal, sak_id: str, *, versjon: int | None
) -> Medlemsvurdering:
    """Submit the member's assessment to the committee: complete, and by a member without a conflict."""
    p.require(Role.KOMITE)
    sak = await load_for_committee(uow, p, sak_id)
    krev_habil(p.user_id, await _inhabile(uow, sak.id))
    row = await store.medlemsvurdering(uow.session, sak.id, p.user_id)
    if row is None:
        errors = mangler_for_levering({})
        raise ValidationFailed("Vurderingen er ikke fylt ut.", extra={"errors": errors})
    if versjon is not None and versjon != row.versjon:
        raise _conflict(row, versjon)
    errors = mangler_for_levering(row.innhold or {})
    if errors:
        raise ValidationFailed("Vurderingen mangler noe før den kan leveres.", extra={"errors": errors})
    row.levert_at = uow.now
    row.endret_at = uow.now
    uow.audit(p, action="skriv", what="vurdering.lever", case_ref=sak.lopenummer, purpose="Levere vurdering")
    await uow.session.flush()
    return row


@use_case
async def erklaer_inhabilitet(uow: UnitOfWork, p: Principal, sak_id: str, *, grunn: str) -> Inhabilitet:
    """A member declares a conflict of interest; from then on they neither assess nor recommend, and a
    draft or submitted assessment of theirs is left out of the recommendation."""
    p.require(Role.KOMITE)
    sak = await load_for_committee(uow, p, sak_id)
    if p.user_id in await _inhabile(uow, sak.id):
        raise InvalidTransition("Du har allerede meldt deg inhabil i denne saken.")
    row = Inhabilitet(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        medlem_id=p.user_id,
        medlem_navn=p.name,
        grunn=grunn,
        erklaert_at=uow.now,
    )
    uow.session.add(row)
    skriv_historikk(uow, sak, p, "inhabil", f"{p.name} meldte seg inhabil: {grunn}")
    await uow.session.flush()
    return row
