"""The application snapshot that travels with `SoknadForankret`: answers mapped to the contract, and the
whole application as its readers see it."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import TypeAdapter

from shared.domain import saksdata
from shared.domain.identifiers import validate_fodselsnummer
from shared.events.common import (
    Forankring,
    Indikasjon,
    Kategori,
    Legemiddel,
    Pasient,
    Seksjonsvisning,
    SoknadType,
)
from shared.events.contracts import SoknadForankret
from soknad.skjema.register import SkjemaRegister
from soknad.skjema.regler import vurder
from soknad.skjema.validering import derive
from soknad.skjema.visning import seksjonsvisning
from soknad.store import Soknad

# The stored columns are plain text; the contract's literal types are checked here, where they are made.
_TYPE: TypeAdapter[SoknadType] = TypeAdapter(SoknadType)
_KATEGORI: TypeAdapter[Kategori] = TypeAdapter(Kategori)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _optional(value: Any) -> str | None:
    return _text(value) or None


def visning(
    soknad: Soknad, *, skjemaer: SkjemaRegister, allow_synthetic: bool, today: date
) -> list[Seksjonsvisning]:
    """The visible sections of the application's own form version, as its read-only page shows them."""
    skjema = skjemaer.get(soknad.skjema_versjon)
    innhold = soknad.innhold or {}
    vurdering = vurder(
        skjema,
        type_=soknad.type,
        kategori=soknad.kategori,
        innhold=innhold,
        allow_synthetic=allow_synthetic,
        today=today,
    )
    return seksjonsvisning(vurdering, innhold, derive(skjema, innhold, today=today))


def forankret_event(
    soknad: Soknad, *, skjemaer: SkjemaRegister, allow_synthetic: bool, today: date
) -> SoknadForankret:
    """Answers as stored (checked when the application was sent): the contract's own fields, every
    answer by question id (`svar`) and the visible sections formatted as the applicant reads them.

    The drug and indication are put in their normal form and cut to their lengths here, once
    (`shared.domain.saksdata`): every consumer down to the national overview stores them as they come."""
    innhold: dict[str, Any] = soknad.innhold or {}
    pasient = None
    if soknad.type == "enkeltpasient":
        fnr = validate_fodselsnummer(_text(innhold.get("pasient_fodselsnummer")), allow_synthetic=True)
        pasient = Pasient(
            fodselsnummer=fnr.value,
            navn=_text(innhold.get("pasient_navn")),
            fodselsdato=fnr.birth_date,
            kjonn=fnr.sex,
        )
    assert soknad.lopenummer and soknad.sendt_at and soknad.forankret_at and soknad.forankring
    lm: dict[str, Any] = innhold.get("legemiddel") or {}
    ind: dict[str, Any] = innhold.get("indikasjon") or {}
    gruppe = soknad.type == "gruppe"
    storrelse = innhold.get("gruppe_storrelse")
    kostnad = innhold.get("estimert_kostnad_nok")
    return SoknadForankret(
        soknad_id=soknad.id,
        lopenummer=soknad.lopenummer,
        hf=soknad.hf,
        type=_TYPE.validate_python(soknad.type),
        kategori=_KATEGORI.validate_python(soknad.kategori),
        enhet=soknad.enhet,
        soker_id=soknad.soker_id,
        soker_navn=soknad.soker_navn,
        medforfattere=list(soknad.medforfattere or []),
        pasient=pasient,
        gruppe_beskrivelse=_optional(innhold.get("gruppe_beskrivelse")) if gruppe else None,
        gruppe_storrelse=storrelse if gruppe and isinstance(storrelse, int) else None,
        legemiddel=Legemiddel(
            navn=saksdata.kort_tekst(lm.get("navn"), saksdata.LEGEMIDDEL_NAVN_MAKS),
            virkestoff=saksdata.kort_tekst(lm.get("virkestoff"), saksdata.VIRKESTOFF_MAKS),
            atc=saksdata.atc_kode(lm.get("atc")),
            fest_id=_optional(lm.get("fest_id")),
            legemiddelform=_optional(lm.get("legemiddelform")),
            styrke=_optional(lm.get("styrke")),
            verifisert=bool(lm.get("verifisert")),
        ),
        indikasjon=Indikasjon(
            kode=saksdata.icd10_kode(ind.get("kode")),
            tekst=saksdata.kort_tekst(ind.get("tekst"), saksdata.ICD10_TEKST_MAKS),
            verifisert=bool(ind.get("verifisert")),
        ),
        begrunnelse=_text(innhold.get("begrunnelse")),
        estimert_kostnad_nok=kostnad if isinstance(kostnad, int) else None,
        sendt_at=soknad.sendt_at,
        forankret_at=soknad.forankret_at,
        forankring=Forankring(
            leder_id=soknad.forankring["leder_id"],
            leder_navn=soknad.forankring["leder_navn"],
            begrunnelse=soknad.forankring["begrunnelse"],
            kostnadssted=soknad.forankring["kostnadssted"],
        ),
        skjema_versjon=soknad.skjema_versjon,
        svar=dict(innhold),
        visning=visning(soknad, skjemaer=skjemaer, allow_synthetic=allow_synthetic, today=today),
    )
