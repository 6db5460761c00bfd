"""What every use case of an application needs: loading, access checks, history, the conflict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from shared.platform.auth.principal import Principal, Role, can_edit_soknad, can_read_soknad
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import DomainError, Forbidden, NotFound, StaleVersion, ValidationFailed
from shared.platform.observability.logging import mark_sensitive
from soknad import store
from soknad.skjema.validering import Feil
from soknad.store import Historikk, Soknad, endringer
from soknad.store.utkast import Utkast

LEDER_HENDELSER = frozenset({"delegert_kommentar"})
"""History lines written for the leaders only: a comment from one leader to the next is not the
applicant's to read (nor the committee's)."""


def history(
    uow: UnitOfWork, soknad: Soknad, actor: Principal | None, hendelse: str, detalj: str | None = None
) -> None:
    uow.session.add(
        Historikk(
            soknad_id=soknad.id,
            at=uow.now,
            actor_id=actor.user_id if actor else "system",
            actor_navn=actor.name if actor else "Søknadsportalen",
            hendelse=hendelse,
            detalj=detalj,
        )
    )


def history_by(
    uow: UnitOfWork,
    soknad: Soknad,
    actor_id: str,
    actor_navn: str,
    hendelse: str,
    detalj: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """A history line for a step taken in another service, under the name of the person who took it;
    `at`: when they took it (the event's own time), so a step delivered late still shows when it
    happened."""
    if at is not None and at.tzinfo is None:
        # Events carry UTC; one without a zone is read as such rather than refused.
        at = at.replace(tzinfo=UTC)
    uow.session.add(
        Historikk(
            soknad_id=soknad.id,
            at=at or uow.now,
            actor_id=actor_id,
            actor_navn=actor_navn,
            hendelse=hendelse,
            detalj=detalj,
        )
    )


async def load(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound("Søknaden finnes ikke.")
    return soknad


def require_editor(p: Principal, soknad: Soknad | Utkast) -> None:
    if not can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere):
        raise Forbidden("Bare søkeren og medforfattere kan endre søknaden.")


def visible_history(p: Principal, soknad: Soknad, rows: Iterable[Historikk]) -> list[Historikk]:
    """The history lines `p` may read: those meant for the leaders only to the leaders of the unit the
    application is with now (the one it was delegated to)."""
    leader = p.has(Role.LEDER) and p.hf == soknad.hf and p.enhet == soknad.enhet
    return [row for row in rows if leader or row.hendelse not in LEDER_HENDELSER]


def conflict_on_stale(uow: UnitOfWork, p: Principal, soknad_id: str, versjon: int | None) -> None:
    """A lost race on this application's version, at the check or at the write, is answered with
    `stale_conflict`; the unit of work calls it once, after its rollback."""

    async def conflict(after: UnitOfWork) -> DomainError:
        return await stale_conflict(after, p, await load(after, soknad_id), versjon)

    uow.on_stale(conflict)


def require_fresh(uow: UnitOfWork, p: Principal, soknad: Soknad | Utkast, versjon: int | None) -> None:
    """`versjon` (what the page or client last saw) must still be the saved one."""
    conflict_on_stale(uow, p, soknad.id, versjon)
    if versjon is not None and versjon != soknad.versjon:
        raise StaleDataError(f"soknad {soknad.id}: version {versjon} is not the saved {soknad.versjon}")


async def stale_conflict(uow: UnitOfWork, p: Principal, soknad: Soknad, versjon: int | None) -> StaleVersion:
    """A 409 carrying the saved version and who last saved each answer, so the page can show both
    versions field by field and the user's text is never lost. It shows the saved answers (patient
    data among them), so it is an audited read."""
    latest = await endringer.latest_per_field(uow.session, soknad.id)
    mark_personal_data(soknad.innhold or {})
    uow.audit(
        p,
        action="les",
        what="soknad.konflikt",
        case_ref=soknad.lopenummer or soknad.id,
        purpose="Vise lagret versjon ved samtidig endring",
    )
    return StaleVersion(
        "Søknaden er endret av noen andre siden du åpnet den. Begge versjonene er tatt vare på: "
        "velg for hvert felt om du vil beholde din tekst eller bruke den lagrede.",
        extra={
            "din_versjon": versjon,
            "lagret_versjon": soknad.versjon,
            "lagret_innhold": soknad.innhold,
            "lagret_kategori": soknad.kategori,
            "lagret_enhet": soknad.enhet,
            "lagret_av": {
                sporsmal_id: {"navn": row.actor_navn, "at": row.at.isoformat()}
                for sporsmal_id, row in latest.items()
            },
            "sist_lagret": {"navn": _last_editor(soknad, latest), "at": soknad.endret_at.isoformat()},
        },
    )


def _last_editor(soknad: Soknad, latest: Mapping[str, endringer.Endring]) -> str:
    newest = max(latest.values(), key=lambda row: row.at, default=None)
    if newest is not None and newest.actor_id == soknad.endret_av:
        return newest.actor_navn
    return soknad.soker_navn if soknad.endret_av == soknad.soker_id else soknad.endret_av


def validation_failed(errors: list[Feil], summary: str) -> ValidationFailed:
    return ValidationFailed(
        summary,
        field=errors[0][0],
        extra={"errors": [{"field": field, "message": message} for field, message in errors]},
    )


def mark_personal_data(innhold: Mapping[str, Any]) -> None:
    """Keep the patient's name and number out of the logs."""
    mark_sensitive(*(str(innhold.get(key) or "") for key in ("pasient_navn", "pasient_fodselsnummer")))


def require_leder(p: Principal, soknad: Soknad) -> None:
    p.require(Role.LEDER)
    p.require_hf(soknad.hf)
    if p.enhet != soknad.enhet:
        raise Forbidden("Søknaden er sendt til en annen enhet.")


@use_case
async def read(uow: UnitOfWork, p: Principal, soknad_id: str, *, purpose: str) -> Soknad:
    """An application the principal may read; the read is written to the audit log."""
    soknad = await load(uow, soknad_id)
    if not can_read_soknad(
        p,
        hf=soknad.hf,
        soker_id=soknad.soker_id,
        medforfattere=soknad.medforfattere,
        enhet=soknad.enhet,
        sendt=soknad.sendt_at is not None,
    ):
        raise NotFound("Søknaden finnes ikke, eller du har ikke tilgang til den.")
    mark_personal_data(soknad.innhold)
    uow.audit(p, action="les", what="soknad.vis", case_ref=soknad.lopenummer or soknad.id, purpose=purpose)
    return soknad
