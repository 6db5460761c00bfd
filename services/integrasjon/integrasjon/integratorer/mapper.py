"""Allow-list mappers: a decision becomes the integrator messages, field by field (never a dump of it)."""

from __future__ import annotations

from integrasjon.integratorer.contracts import (
    IntegratorPasient,
    IntegratorVedtakFattet,
    IntegratorVedtakFattetMedPasient,
    IntegratorVedtakOpphevet,
    IntegratorVedtakOpphevetMedPasient,
)
from integrasjon.integratorer.routing import Hendelse
from integrasjon.integratorer.tables import IntegratorSak
from shared.events.contracts import VedtakFattet, VedtakOpphevet


def hendelse_of(event: VedtakFattet) -> Hendelse:
    return "endret" if event.art == "endring" else "fattet"


def pasient_of(sak: IntegratorSak | None) -> IntegratorPasient | None:
    if sak is None or sak.fodselsnummer is None or sak.pasient_navn is None:
        return None
    return IntegratorPasient(fodselsnummer=sak.fodselsnummer, navn=sak.pasient_navn)


def vedtak_fattet(
    event: VedtakFattet, sak: IntegratorSak | None, *, hf: str
) -> tuple[IntegratorVedtakFattet, IntegratorVedtakFattetMedPasient]:
    """Both variants; `sak` fills what an older event lacks. The reasons (free text that may describe
    the patient) are left out: an integrator acts on the scope and the conditions."""
    anonym = IntegratorVedtakFattet(
        art=event.art,
        vedtak_id=event.vedtak_id,
        erstatter_vedtak_id=event.erstatter_vedtak_id,
        lopenummer=event.lopenummer,
        hf=hf,
        kategori=event.kategori or (sak.kategori if sak else None),
        soknad_type=event.soknad_type or (sak.type if sak else None),
        enhet=event.enhet or (sak.enhet if sak else None),
        utfall=event.utfall,
        omfang=event.omfang,
        vilkar=event.vilkar_liste,
        vilkar_tekst=event.vilkar,
        gyldig_fra=event.gyldig_fra,
        gyldig_til=event.gyldig_til,
        evalueringsdato=event.evalueringsdato,
        kostnadssted=event.kostnadssted,
        resept_merknad=event.resept_merknad,
        faktureringsrutine=event.faktureringsrutine,
        interregional_referanse=event.interregional_referanse,
        interregional_vedtaksdato=event.interregional_vedtaksdato,
        vurderingsflyt=event.vurderingsflyt,
        fattet_av=event.fattet_av,
        fattet_av_navn=event.fattet_av_navn,
        fattet_at=event.fattet_at,
    )
    med_pasient = IntegratorVedtakFattetMedPasient(**dict(anonym), pasient=pasient_of(sak))
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
