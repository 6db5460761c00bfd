"""The leader's anchoring: anchor, return."""

from __future__ import annotations

from shared.auth.principal import Principal, Role
from shared.db.uow import UnitOfWork
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import (
    SoknadForankret,
)
from shared.identifiers import validate_fodselsnummer
from soknad import store
from soknad.domain import SoknadInnhold, Status, transition
from soknad.handlers.common import history, load, require_leder
from soknad.store import Soknad


async def forankre(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, begrunnelse: str, kostnadssted: str
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    soknad.status = transition(soknad.status, "forankre")
    now = uow.now
    soknad.forankret_at = now
    soknad.forankring = {
        "leder_id": p.user_id,
        "leder_navn": p.name,
        "begrunnelse": begrunnelse,
        "kostnadssted": kostnadssted,
        "at": now.isoformat(),
    }
    soknad.endret_at = now
    history(uow, soknad, p, "forankret", begrunnelse)
    uow.audit(
        p, action="skriv", what="soknad.forankre", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    uow.publish(_forankret_event(soknad), hf=soknad.hf, subject=soknad.lopenummer)
    await uow.session.flush()
    return soknad


def _forankret_event(soknad: Soknad) -> SoknadForankret:
    innhold = SoknadInnhold.model_validate(soknad.innhold)
    pasient = None
    if soknad.type == "enkeltpasient":
        fnr = validate_fodselsnummer(innhold.pasient_fodselsnummer, allow_synthetic=True)
        pasient = Pasient(
            fodselsnummer=fnr.value, navn=innhold.pasient_navn, fodselsdato=fnr.birth_date, kjonn=fnr.sex
        )
    assert soknad.lopenummer and soknad.sendt_at and soknad.forankret_at and soknad.forankring
    lm = innhold.legemiddel
    return SoknadForankret(
        soknad_id=soknad.id,
        lopenummer=soknad.lopenummer,
        hf=soknad.hf,
        type=soknad.type,  # type: ignore[arg-type]
        kategori=soknad.kategori,  # type: ignore[arg-type]
        enhet=soknad.enhet,
        soker_id=soknad.soker_id,
        soker_navn=soknad.soker_navn,
        pasient=pasient,
        gruppe_beskrivelse=innhold.gruppe_beskrivelse or None,
        gruppe_storrelse=innhold.gruppe_storrelse,
        legemiddel=Legemiddel(
            navn=lm.navn,
            virkestoff=lm.virkestoff,
            atc=lm.atc or None,
            fest_id=lm.fest_id or None,
            legemiddelform=lm.legemiddelform or None,
            styrke=lm.styrke or None,
            verifisert=lm.verifisert,
        ),
        indikasjon=Indikasjon(
            kode=innhold.indikasjon.kode,
            tekst=innhold.indikasjon.tekst,
            verifisert=innhold.indikasjon.verifisert,
        ),
        begrunnelse=innhold.begrunnelse,
        estimert_kostnad_nok=innhold.estimert_kostnad_nok,
        sendt_at=soknad.sendt_at,
        forankret_at=soknad.forankret_at,
        forankring=Forankring(
            leder_id=soknad.forankring["leder_id"],
            leder_navn=soknad.forankring["leder_navn"],
            begrunnelse=soknad.forankring["begrunnelse"],
            kostnadssted=soknad.forankring["kostnadssted"],
        ),
    )


async def returnere(uow: UnitOfWork, p: Principal, soknad_id: str, *, kommentar: str) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    soknad.status = transition(soknad.status, "returnere")
    soknad.retur_kommentar = kommentar
    soknad.endret_at = uow.now
    history(uow, soknad, p, "returnert", kommentar)
    uow.audit(
        p, action="skriv", what="soknad.returnere", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    await uow.session.flush()
    return soknad


async def list_til_forankring(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.LEDER)
    if not p.enhet:
        return []
    return await store.list_for_enhet(uow.session, hf=p.hf, enhet=p.enhet, status=Status.TIL_FORANKRING)
