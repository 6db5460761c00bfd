"""The allow-list mapper from the trust-internal projection to the national summary (DESIGN.md, Privacy).

Every field of `SakSammendrag` is copied here by name. A new column on the projection therefore never
reaches the national overview by accident: someone has to add it to this function, and the unit test
that lists the allowed fields."""

from __future__ import annotations

from integrasjon.store import SakProjeksjon
from shared.domain.identifiers import redact_personnummer_like
from shared.domain.trusts import rhf_for
from shared.events.contracts import SakSammendrag


def _uten_personnummer(value: str) -> str:
    # Drug and diagnosis texts can be typed by hand when the catalogue had no match; a number shaped
    # like a fødselsnummer typed by mistake must still not leave the trust. (The replacement is shorter
    # than what it replaces, so the producer's lengths still hold.)
    return redact_personnummer_like(value, replacement="[fjernet]")


def til_sammendrag(p: SakProjeksjon) -> SakSammendrag:
    enkeltpasient = p.type == "enkeltpasient"
    return SakSammendrag(
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
    )
