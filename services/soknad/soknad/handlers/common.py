"""What every use case of an application needs: loading, access checks, history."""

from __future__ import annotations

from shared.auth.principal import Principal, Role, can_edit_soknad, can_read_soknad
from shared.db.uow import UnitOfWork
from shared.errors import Forbidden, NotFound, StaleVersion, ValidationFailed
from shared.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.observability.logging import mark_sensitive
from soknad import store
from soknad.domain import SoknadInnhold
from soknad.store import Historikk, Soknad


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


async def load(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound("Søknaden finnes ikke.")
    return soknad


def require_editor(p: Principal, soknad: Soknad) -> None:
    if not can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere):
        raise Forbidden("Bare søkeren og medforfattere kan endre søknaden.")


def require_fresh(soknad: Soknad, versjon: int | None) -> None:
    if versjon is not None and versjon != soknad.versjon:
        raise StaleVersion(
            "Søknaden er endret av noen andre siden du åpnet den. Begge versjonene er tatt vare på: "
            "se over den lagrede versjonen og legg inn endringene dine på nytt.",
            extra={
                "din_versjon": versjon,
                "lagret_versjon": soknad.versjon,
                "lagret_innhold": soknad.innhold,
            },
        )


def require_leder(p: Principal, soknad: Soknad) -> None:
    p.require(Role.LEDER)
    p.require_hf(soknad.hf)
    if p.enhet != soknad.enhet:
        raise Forbidden("Søknaden er sendt til en annen enhet.")


def check_fodselsnummer(innhold: SoknadInnhold, *, allow_synthetic: bool) -> None:
    if innhold.pasient_fodselsnummer:
        try:
            validate_fodselsnummer(innhold.pasient_fodselsnummer, allow_synthetic=allow_synthetic)
        except InvalidPersonnummer as exc:
            raise ValidationFailed(exc.message_nb, field="innhold.pasient_fodselsnummer") from exc
    mark_sensitive(innhold.pasient_navn, innhold.pasient_fodselsnummer)


async def read(uow: UnitOfWork, p: Principal, soknad_id: str, *, purpose: str) -> Soknad:
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
    mark_sensitive(soknad.innhold.get("pasient_navn"))
    uow.audit(p, action="les", what="soknad.vis", case_ref=soknad.lopenummer or soknad.id, purpose=purpose)
    return soknad
