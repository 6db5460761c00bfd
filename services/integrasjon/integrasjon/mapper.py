"""The allow-list mapper from the trust-internal projection to the national summary (DESIGN.md, Privacy).

Every field of `SakSammendragV2` is copied here by name. A new column on the projection therefore never
reaches the national overview by accident: someone has to add it to this function, and the unit test
that lists the allowed fields."""

from __future__ import annotations

from integrasjon.store import SakProjeksjon
from shared.domain.identifiers import redact_personnummer_like
from shared.domain.trusts import rhf_for
from shared.events.common import Gruppevedtak, NasjonalStatus, Vilkar
from shared.events.contracts import SakSammendragV2

_INNVILGET = ("innvilget", "innvilget_med_vilkar")


def _uten_personnummer(value: str) -> str:
    # Drug and diagnosis texts can be typed by hand when the catalogue had no match; a number shaped
    # like a fødselsnummer typed by mistake must still not leave the trust. (The replacement is shorter
    # than what it replaces, so the producer's lengths still hold.)
    return redact_personnummer_like(value, replacement="[fjernet]")


def _valgfri(value: str | None) -> str | None:
    return None if value is None else _uten_personnummer(value)


def gruppevedtak(p: SakProjeksjon) -> Gruppevedtak | None:
    """The published group decision: only for a group case whose granted decision is in force.

    A single-patient case never gets one, whatever the projection holds: its decision text is about
    one person. A refused, withdrawn or revoked group case publishes none either."""
    if p.type != "gruppe" or p.status != NasjonalStatus.VEDTATT or p.utfall not in _INNVILGET:
        return None
    if not p.gruppe_beskrivelse or p.gruppevedtak_begrunnelse is None:
        return None  # decided before v2 kept the text (or post-registered without it): nothing to publish
    return Gruppevedtak(
        beskrivelse=_uten_personnummer(p.gruppe_beskrivelse),
        dosering=_valgfri(p.gruppevedtak_dosering),
        vilkar=[
            Vilkar.model_validate({**v, "tekst": _uten_personnummer(v.get("tekst") or "")})
            for v in p.gruppevedtak_vilkar or []
        ],
        begrunnelse=_uten_personnummer(p.gruppevedtak_begrunnelse),
        gyldig_fra=p.gruppevedtak_gyldig_fra,
        gyldig_til=p.gruppevedtak_gyldig_til,
        enhet_navn=_valgfri(p.gruppevedtak_enhet_navn),
    )


def til_sammendrag(p: SakProjeksjon) -> SakSammendragV2:
    enkeltpasient = p.type == "enkeltpasient"
    return SakSammendragV2(
        lopenummer=p.lopenummer,
        hf=p.hf,
        rhf=rhf_for(p.hf),
        sekvens=p.sekvens,
        type=p.type,
        kategori=p.kategori,
        legemiddel_navn=_uten_personnummer(p.legemiddel_navn),
        virkestoff=_uten_personnummer(p.virkestoff),
        atc=p.atc,
        icd10_kode=p.icd10_kode,
        icd10_tekst=_uten_personnummer(p.icd10_tekst),
        status=p.status,
        utfall=p.utfall,
        vurderingsflyt=p.vurderingsflyt,
        med_vilkar=p.med_vilkar,
        sendt_maned=p.sendt_maned,
        vedtak_maned=p.vedtak_maned,
        behandlingstid_dager=p.behandlingstid_dager,
        aldersgruppe=p.aldersgruppe if enkeltpasient else None,
        kjonn=p.kjonn if enkeltpasient else None,
        gruppe_storrelse=None if enkeltpasient else p.gruppe_storrelse,
        kostnadsband=p.kostnadsband,
        endret=p.endret,
        etterregistrert=p.etterregistrert,
        # Categories only: the follow-up's free text, if any, never reached the projection.
        effekt=p.oppfolging_effekt,
        fortsetter=p.oppfolging_fortsetter,
        avslutningsarsak=p.oppfolging_avslutningsarsak,
        bivirkningsgrad=p.oppfolging_bivirkningsgrad,
        gruppevedtak=gruppevedtak(p),
    )
