"""The answers of the look-ups the application forms use: a drug from the catalogue (FEST) and an
ICD-10 code. `integrasjon` answers with these models and `soknad` reads them, so the two cannot drift."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LegemiddelTreff(BaseModel):
    """One drug from the catalogue, with what the form fills in and shows."""

    model_config = ConfigDict(extra="ignore")

    fest_id: str = Field(description="FEST id of the brand (`ID_<GUID>`).")
    navn: str = Field(description="Brand name (Varenavn).")
    navn_form_styrke: str = Field(
        description="Name with form and strength (NavnFormStyrke), as the form stores it."
    )
    virkestoff: str = Field(description="Active substance.")
    atc: str = Field(description="ATC code.")
    legemiddelform: str = Field(description="Pharmaceutical form.")
    styrke: str = Field(description="Strength.")
    krever_godkjenningsfritak: bool = Field(
        description="No Norwegian marketing authorisation (FEST Preparattype 11): needs godkjenningsfritak."
    )
    smpc_url: str | None = Field(default=None, description="Summary of product characteristics, when known.")


class DiagnoseTreff(BaseModel):
    """One ICD-10 code."""

    model_config = ConfigDict(extra="ignore")

    kode: str = Field(description="ICD-10 code with dot, e.g. G36.0.")
    tekst: str = Field(description="Norwegian diagnosis text.")
    system: Literal["icd10"] = Field(default="icd10", description="Code system.")
    versjon: str | None = Field(
        default=None, description="Version of the code list the code is from (as the import recorded it)."
    )
