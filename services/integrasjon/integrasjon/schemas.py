"""HTTP shapes of the integrasjon API: the look-up answers are shared with soknad, which reads them
(`shared.domain.oppslag`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from integrasjon.katalog import DiagnoseOppslag, LegemiddelOppslag
from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff


def legemiddel_treff(lm: LegemiddelOppslag) -> LegemiddelTreff:
    return LegemiddelTreff(
        fest_id=lm.fest_id,
        navn=lm.navn,
        navn_form_styrke=lm.navn_form_styrke,
        virkestoff=lm.virkestoff,
        atc=lm.atc,
        legemiddelform=lm.legemiddelform,
        styrke=lm.styrke,
        krever_godkjenningsfritak=lm.krever_godkjenningsfritak,
        smpc_url=lm.smpc_url,
    )


def diagnose_treff(d: DiagnoseOppslag) -> DiagnoseTreff:
    return DiagnoseTreff(kode=d.kode, tekst=d.tekst, versjon=d.versjon or None)


class Preparatomtale(BaseModel):
    """Where the drug's summary of product characteristics is, as FEST gives it, or why there is none."""

    fest_id: str = Field(description="FEST id of the brand.")
    navn_form_styrke: str = Field(description="Name with form and strength.")
    har_lenke: bool = Field(
        description="False when FEST has no SmPC link for this brand (more than half have none)."
    )
    url: str | None = Field(description="FEST's `Preparatomtaleavsnitt/Lenke/Www`, when there is one.")
    melding: str = Field(description="What to tell the user, in Norwegian.")


class PakningRead(BaseModel):
    """A pack of a brand, with its prices and market status."""

    fest_id: str = Field(description="FEST id of the pack.")
    varenr: str = Field(description="Varenummer.")
    navn_form_styrke: str = Field(description="Name with form and strength.")
    pakningsstr: str = Field(description="Pack size.")
    enhet: str = Field(description="Unit of the pack size.")
    aip_nok: float | None = Field(description="Pharmacy purchase price (AIP), NOK.")
    aup_nok: float | None = Field(description="Pharmacy retail price (AUP), NOK.")
    refusjonspris_nok: float | None = Field(description="Reimbursement price, NOK.")
    markedsstatus: str = Field(
        description="`markedsfort`, `midlertidig_utgatt`, `ikke_markedsfort` or `avregistrert`."
    )
    borte: bool = Field(description="No longer in FEST's full extract.")


def preparatomtale(lm: LegemiddelOppslag) -> Preparatomtale:
    if lm.smpc_url:
        melding = "Preparatomtalen (SPC) fra FEST."
    else:
        melding = (
            "FEST har ingen lenke til preparatomtale (SPC) for dette legemidlet. Søk det opp i "
            "Legemiddelsøk (legemiddelsok.no), eller legg ved preparatomtalen selv."
        )
    return Preparatomtale(
        fest_id=lm.fest_id,
        navn_form_styrke=lm.navn_form_styrke,
        har_lenke=bool(lm.smpc_url),
        url=lm.smpc_url,
        melding=melding,
    )
