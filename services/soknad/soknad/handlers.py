"""Use cases of the soknad service: commands from people and events from other services."""

from __future__ import annotations

import uuid
from typing import Any

from shared.auth.demo import enhet_navn
from shared.auth.principal import Principal, Role, can_edit_soknad, can_read_soknad
from shared.db.uow import UnitOfWork
from shared.errors import Forbidden, NotFound, StaleVersion, ValidationFailed
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import (
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from shared.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.observability.logging import mark_sensitive
from soknad import store
from soknad.domain import EDITABLE, SoknadInnhold, Status, format_lopenummer, missing_for_sending, transition
from soknad.store import Historikk, Medforfatter, Soknad


def _history(
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


async def _load(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound("Søknaden finnes ikke.")
    return soknad


def _check_fodselsnummer(innhold: SoknadInnhold, *, allow_synthetic: bool) -> None:
    if innhold.pasient_fodselsnummer:
        try:
            validate_fodselsnummer(innhold.pasient_fodselsnummer, allow_synthetic=allow_synthetic)
        except InvalidPersonnummer as exc:
            raise ValidationFailed(exc.message_nb, field="innhold.pasient_fodselsnummer") from exc
    mark_sensitive(innhold.pasient_navn, innhold.pasient_fodselsnummer)


async def create_draft(
    uow: UnitOfWork,
    p: Principal,
    *,
    type_: str,
    kategori: str,
    enhet: str,
    allow_synthetic: bool,
    innhold: SoknadInnhold | None = None,
) -> Soknad:
    p.require(Role.SOKER)
    innhold = innhold or SoknadInnhold()
    _check_fodselsnummer(innhold, allow_synthetic=allow_synthetic)
    now = uow.now
    soknad = Soknad(
        id=str(uuid.uuid4()),
        hf=p.hf,
        type=type_,
        kategori=kategori,
        status=Status.UTKAST,
        soker_id=p.user_id,
        soker_navn=p.name,
        enhet=enhet,
        medforfattere=[],
        innhold=innhold.model_dump(mode="json"),
        opprettet_at=now,
        endret_at=now,
        endret_av=p.user_id,
    )
    uow.session.add(soknad)
    await uow.session.flush()
    _history(uow, soknad, p, "opprettet", "Utkast opprettet")
    uow.audit(p, action="skriv", what="soknad.opprett", case_ref=soknad.id, purpose="Skrive søknad")
    return soknad


def _require_editor(p: Principal, soknad: Soknad) -> None:
    if not can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere):
        raise Forbidden("Bare søkeren og medforfattere kan endre søknaden.")


def _require_fresh(soknad: Soknad, versjon: int | None) -> None:
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


async def save_draft(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    versjon: int | None,
    innhold: SoknadInnhold,
    allow_synthetic: bool,
    kategori: str | None = None,
    type_: str | None = None,
    enhet: str | None = None,
) -> Soknad:
    soknad = await _load(uow, soknad_id)
    _require_editor(p, soknad)
    _require_fresh(soknad, versjon)
    if soknad.status not in EDITABLE:
        raise ValidationFailed("Søknaden er sendt og kan ikke lenger endres.")
    _check_fodselsnummer(innhold, allow_synthetic=allow_synthetic)
    soknad.innhold = innhold.model_dump(mode="json")
    soknad.kategori = kategori or soknad.kategori
    soknad.type = type_ or soknad.type
    soknad.enhet = enhet or soknad.enhet
    soknad.endret_at = uow.now
    soknad.endret_av = p.user_id
    uow.audit(p, action="skriv", what="soknad.lagre", case_ref=soknad.id, purpose="Skrive søknad")
    await uow.session.flush()
    return soknad


async def add_medforfatter(uow: UnitOfWork, p: Principal, soknad_id: str, *, user_id: str) -> Soknad:
    soknad = await _load(uow, soknad_id)
    _require_editor(p, soknad)
    if user_id not in soknad.medforfattere and user_id != soknad.soker_id:
        soknad.medforfattere = [*soknad.medforfattere, user_id]
        uow.session.add(Medforfatter(soknad_id=soknad.id, user_id=user_id))
        _history(uow, soknad, p, "medforfatter", f"La til medforfatter {user_id}")
    return soknad


async def send(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, versjon: int | None, allow_synthetic: bool
) -> Soknad:
    soknad = await _load(uow, soknad_id)
    _require_editor(p, soknad)
    _require_fresh(soknad, versjon)
    target = transition(soknad.status, "send")
    innhold = SoknadInnhold.model_validate(soknad.innhold)
    _check_fodselsnummer(innhold, allow_synthetic=allow_synthetic)
    missing = missing_for_sending(soknad.type, innhold)  # type: ignore[arg-type]
    if missing:
        raise ValidationFailed(
            f"Søknaden mangler {len(missing)} opplysning(er) før den kan sendes.",
            field=missing[0][0],
            extra={"errors": [{"field": f, "message": m} for f, m in missing]},
        )
    now = uow.now
    if soknad.lopenummer is None:
        seq = await store.next_lopenummer_seq(uow.session, hf=soknad.hf, aar=now.year)
        soknad.lopenummer = format_lopenummer(soknad.hf, now.year, seq)
    soknad.status = target
    soknad.sendt_at = now
    soknad.endret_at = now
    soknad.endret_av = p.user_id
    soknad.retur_kommentar = None
    _history(uow, soknad, p, "sendt", f"Sendt til forankring hos {enhet_navn(soknad.enhet)}")
    uow.audit(p, action="skriv", what="soknad.send", case_ref=soknad.lopenummer, purpose="Sende søknad")
    await uow.session.flush()
    return soknad


def _require_leder(p: Principal, soknad: Soknad) -> None:
    p.require(Role.LEDER)
    p.require_hf(soknad.hf)
    if p.enhet != soknad.enhet:
        raise Forbidden("Søknaden er sendt til en annen enhet.")


async def forankre(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, begrunnelse: str, kostnadssted: str
) -> Soknad:
    soknad = await _load(uow, soknad_id)
    _require_leder(p, soknad)
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
    _history(uow, soknad, p, "forankret", begrunnelse)
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
    soknad = await _load(uow, soknad_id)
    _require_leder(p, soknad)
    soknad.status = transition(soknad.status, "returnere")
    soknad.retur_kommentar = kommentar
    soknad.endret_at = uow.now
    _history(uow, soknad, p, "returnert", kommentar)
    uow.audit(
        p, action="skriv", what="soknad.returnere", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    await uow.session.flush()
    return soknad


async def trekke(uow: UnitOfWork, p: Principal, soknad_id: str) -> Soknad:
    soknad = await _load(uow, soknad_id)
    _require_editor(p, soknad)
    was_anchored = soknad.forankret_at is not None
    soknad.status = transition(soknad.status, "trekke")
    soknad.endret_at = uow.now
    _history(uow, soknad, p, "trukket", "Søknaden ble trukket av søker")
    uow.audit(
        p,
        action="skriv",
        what="soknad.trekke",
        case_ref=soknad.lopenummer or soknad.id,
        purpose="Trekke søknad",
    )
    if was_anchored and soknad.lopenummer:
        uow.publish(
            SoknadTrukket(soknad_id=soknad.id, lopenummer=soknad.lopenummer, trukket_at=uow.now),
            hf=soknad.hf,
            subject=soknad.lopenummer,
        )
    await uow.session.flush()
    return soknad


async def read(uow: UnitOfWork, p: Principal, soknad_id: str, *, purpose: str) -> Soknad:
    soknad = await _load(uow, soknad_id)
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


async def list_mine(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.SOKER)
    return await store.list_for_soker(uow.session, hf=p.hf, user_id=p.user_id)


async def list_til_forankring(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.LEDER)
    if not p.enhet:
        return []
    return await store.list_for_enhet(uow.session, hf=p.hf, enhet=p.enhet, status=Status.TIL_FORANKRING)


# --- consumed events ---------------------------------------------------------------------------


async def _by_id(uow: UnitOfWork, soknad_id: str) -> Soknad:
    soknad = await store.get_soknad(uow.session, soknad_id)
    if soknad is None:
        raise NotFound(f"Ukjent søknad {soknad_id}")
    return soknad


async def on_vedtak_fattet(uow: UnitOfWork, event: VedtakFattet, envelope: Envelope) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    if soknad.status == Status.TRUKKET:
        # Withdrawn while the director decided: the withdrawal stands; keep the decision on record.
        _history(uow, soknad, None, "vedtak_etter_trekking", event.utfall)
        return
    soknad.status = transition(soknad.status, "vedtak")
    soknad.vedtak = _vedtak_dict(event)
    soknad.vedtatt_at = event.fattet_at
    soknad.endret_at = uow.now
    _history(uow, soknad, None, "vedtatt", event.utfall)


def _vedtak_dict(event: VedtakFattet) -> dict[str, Any]:
    return event.model_dump(
        mode="json",
        include={
            "utfall",
            "begrunnelse",
            "vilkar",
            "gyldig_til",
            "evalueringsdato",
            "fattet_at",
            "vurderingsflyt",
        },
    )


async def on_tilleggsinformasjon_etterspurt(
    uow: UnitOfWork, event: TilleggsinformasjonEtterspurt, envelope: Envelope
) -> None:
    soknad = await _by_id(uow, event.soknad_id)
    if soknad.status in (Status.TIL_VURDERING, Status.UNDER_VURDERING):
        soknad.status = Status.TILLEGGSINFO_ETTERSPURT
        soknad.endret_at = uow.now
    _history(uow, soknad, None, "tilleggsinfo_etterspurt", event.sporsmal)
