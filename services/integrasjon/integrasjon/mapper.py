"""The allow-list mapper from the trust-internal projection to the national summary (DESIGN.md, Privacy).

Every field of `SakSammendrag` is copied here by name. A new column on the projection therefore never
reaches the national overview by accident: someone has to add it to this function, and the unit test
that lists the allowed fields."""

from __future__ import annotations

from integrasjon.store import SakProjeksjon
from shared.domain.identifiers import redact_personnummer_like
from shared.domain.trusts import rhf_for
from shared.events.contracts import SakSammendrag


def _kort_tekst(value: str, max_length: int) -> str:
    # Drug and diagnosis texts can be typed by hand when the catalogue had no match; a number shaped
    # like a fødselsnummer typed by mistake must still not leave the trust.
    return redact_personnummer_like(value.strip(), replacement="[fjernet]")[:max_length]


def til_sammendrag(p: SakProjeksjon) -> SakSammendrag:
    enkeltpasient = p.type == "enkeltpasient"
    return SakSammendrag(
        lopenummer=p.lopenummer,
        hf=p.hf,
        rhf=rhf_for(p.hf),
        sekvens=p.sekvens,
        type=p.type,  # type: ignore[arg-type]
        kategori=p.kategori,  # type: ignore[arg-type]
        legemiddel_navn=_kort_tekst(p.legemiddel_navn, 200),
        virkestoff=_kort_tekst(p.virkestoff, 200),
        atc=p.atc,
        indikasjon_kode=p.indikasjon_kode,
        indikasjon_tekst=_kort_tekst(p.indikasjon_tekst, 300),
        status=p.status,  # type: ignore[arg-type]
        utfall=p.utfall,  # type: ignore[arg-type]
        vurderingsflyt=p.vurderingsflyt,  # type: ignore[arg-type]
        med_vilkar=p.med_vilkar,
        sendt_maned=p.sendt_maned,
        vedtak_maned=p.vedtak_maned,
        behandlingstid_dager=p.behandlingstid_dager,
        aldersgruppe=p.aldersgruppe if enkeltpasient else None,
        kjonn=p.kjonn if enkeltpasient else None,  # type: ignore[arg-type]
        gruppe_storrelse=None if enkeltpasient else p.gruppe_storrelse,
        kostnadsband=p.kostnadsband,
    )
