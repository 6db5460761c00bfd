"""Allow-list mappers: a decision becomes the integrator messages, field by field (never a dump of it)."""

from __future__ import annotations

from typing import Any

from integrasjon.domain import uten_pasient
from integrasjon.integratorer.contracts import (
    IntegratorOmfang,
    IntegratorPasient,
    IntegratorVedtakFattet,
    IntegratorVedtakFattetMedPasient,
    IntegratorVedtakOpphevet,
    IntegratorVedtakOpphevetMedPasient,
    IntegratorVilkar,
)
from integrasjon.integratorer.routing import Hendelse
from integrasjon.integratorer.tables import IntegratorSak
from shared.events.common import VedtakOmfang
from shared.events.contracts import VedtakFattet, VedtakOpphevet


def hendelse_of(event: VedtakFattet) -> Hendelse:
    return "endret" if event.art == "endring" else "fattet"


def pasient_of(sak: IntegratorSak | None) -> IntegratorPasient | None:
    if sak is None or sak.fodselsnummer is None or sak.pasient_navn is None:
        return None
    return IntegratorPasient(fodselsnummer=sak.fodselsnummer, navn=sak.pasient_navn)


def _uten_pasient(text: str, verifisert: bool, sak: IntegratorSak | None) -> str:
    """A catalogue's text as it is; a typed one without the patient's name and number."""
    if verifisert or sak is None:
        return text
    return uten_pasient(text, navn=sak.pasient_navn, fodselsnummer=sak.fodselsnummer, fodselsdato=None)


def omfang_uten_fritekst(omfang: VedtakOmfang | None, sak: IntegratorSak | None) -> IntegratorOmfang | None:
    if omfang is None:
        return None
    legemiddel, indikasjon = omfang.legemiddel, omfang.indikasjon
    return IntegratorOmfang(
        legemiddel=legemiddel.model_copy(
            update={
                "navn": _uten_pasient(legemiddel.navn, legemiddel.verifisert, sak),
                "virkestoff": _uten_pasient(legemiddel.virkestoff, legemiddel.verifisert, sak),
            }
        ),
        indikasjon=indikasjon.model_copy(
            update={"tekst": _uten_pasient(indikasjon.tekst, indikasjon.verifisert, sak)}
        ),
        antall_kurer=omfang.antall_kurer,
        gyldig_fra=omfang.gyldig_fra,
        gyldig_til=omfang.gyldig_til,
        enhet=omfang.enhet,
        enhet_navn=omfang.enhet_navn,
    )


def vedtak_fattet(
    event: VedtakFattet, sak: IntegratorSak | None, *, hf: str
) -> tuple[IntegratorVedtakFattet, IntegratorVedtakFattetMedPasient]:
    """Both variants; `sak` fills what an older event lacks. The reasons (free text that may describe
    the patient) are left out of both: an integrator acts on the scope and the conditions. The variant
    without the identity leaves out all free text (the dose, the conditions' wording): whoever may not
    know the patient must not be told about them in words either."""
    felles: dict[str, Any] = {
        "art": event.art,
        "vedtak_id": event.vedtak_id,
        "erstatter_vedtak_id": event.erstatter_vedtak_id,
        "lopenummer": event.lopenummer,
        "hf": hf,
        "kategori": event.kategori or (sak.kategori if sak else None),
        "soknad_type": event.soknad_type or (sak.type if sak else None),
        "enhet": event.enhet or (sak.enhet if sak else None),
        "utfall": event.utfall,
        "gyldig_fra": event.gyldig_fra,
        "gyldig_til": event.gyldig_til,
        "evalueringsdato": event.evalueringsdato,
        "kostnadssted": event.kostnadssted,
        "interregional_referanse": event.interregional_referanse,
        "interregional_vedtaksdato": event.interregional_vedtaksdato,
        "vurderingsflyt": event.vurderingsflyt,
        "fattet_av": event.fattet_av,
        "fattet_av_navn": event.fattet_av_navn,
        "fattet_at": event.fattet_at,
    }
    anonym = IntegratorVedtakFattet(
        **felles,
        omfang=omfang_uten_fritekst(event.omfang, sak),
        vilkar=[IntegratorVilkar(type=v.type, dato=v.dato) for v in event.vilkar_liste],
    )
    med_pasient = IntegratorVedtakFattetMedPasient(
        **felles,
        omfang=event.omfang,
        vilkar=event.vilkar_liste,
        vilkar_tekst=event.vilkar,
        resept_merknad=event.resept_merknad,
        faktureringsrutine=event.faktureringsrutine,
        pasient=pasient_of(sak),
    )
    return anonym, med_pasient


def vedtak_opphevet(
    event: VedtakOpphevet, sak: IntegratorSak | None, *, hf: str
) -> tuple[IntegratorVedtakOpphevet, IntegratorVedtakOpphevetMedPasient]:
    anonym = IntegratorVedtakOpphevet(
        vedtak_id=event.vedtak_id,
        opphever_vedtak_id=event.opphever_vedtak_id,
        lopenummer=event.lopenummer,
        hf=hf,
        kategori=event.kategori or (sak.kategori if sak else None),
        soknad_type=sak.type if sak else None,
        enhet=event.enhet or (sak.enhet if sak else None),
        gjelder_fra=event.gjelder_fra,
        opphevet_av=event.opphevet_av,
        opphevet_av_navn=event.opphevet_av_navn,
        opphevet_at=event.opphevet_at,
    )
    med_pasient = IntegratorVedtakOpphevetMedPasient(**dict(anonym), pasient=pasient_of(sak))
    return anonym, med_pasient
