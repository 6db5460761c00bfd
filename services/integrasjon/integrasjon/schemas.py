"""HTTP shapes of the integrasjon API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from integrasjon.katalog import DiagnoseOppslag, LegemiddelOppslag


class LegemiddelRead(BaseModel):
    fest_id: str = Field(description="FEST id of the brand (`ID_<GUID>`).")
    navn: str = Field(description="Brand name (Varenavn).")
    navn_form_styrke: str = Field(description="Name with form and strength (NavnFormStyrke).")
    virkestoff: str = Field(description="Active substance.")
    atc: str = Field(description="ATC code.")
    legemiddelform: str = Field(description="Pharmaceutical form.")
    styrke: str = Field(description="Strength.")
    krever_godkjenningsfritak: bool = Field(
        description="No Norwegian marketing authorisation (FEST Preparattype 11): needs godkjenningsfritak."
    )
    smpc_url: str | None = Field(description="Link to the summary of product characteristics, when known.")

    @classmethod
    def of(cls, lm: LegemiddelOppslag) -> LegemiddelRead:
        return cls(
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


class DiagnoseRead(BaseModel):
    kode: str = Field(description="ICD-10 code with dot, e.g. G36.0.")
    tekst: str = Field(description="Norwegian diagnosis text.")
    system: str = Field(description="Code system.")

    @classmethod
    def of(cls, d: DiagnoseOppslag) -> DiagnoseRead:
        return cls(kode=d.kode, tekst=d.tekst, system=d.system)
