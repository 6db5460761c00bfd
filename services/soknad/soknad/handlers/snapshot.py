"""The application snapshot that travels with `SoknadForankret`: answers mapped to the contract."""

from __future__ import annotations

from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SoknadForankret
from shared.identifiers import validate_fodselsnummer
from soknad.domain import SoknadInnhold
from soknad.store import Soknad


def forankret_event(soknad: Soknad) -> SoknadForankret:
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
