"""Trusted SMART issuers of a trust: which records may launch us, and as which client."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

DEFAULT_SCOPE = "launch openid fhirUser patient/*.rs"


def normalise_iss(iss: str) -> str:
    # `iss` is the FHIR base URL; a trailing slash must not make a trusted record unknown.
    return iss.strip().rstrip("/")


class SmartIssuer(BaseModel):
    """One record system allowed to launch us (its FHIR base URL as the EHR passes it in `iss`)."""

    iss: str = Field(description="The record's FHIR base URL, exactly as it sends it in `iss`.")
    client_id: str = Field(
        min_length=1, description="Our client id registered with its authorization server."
    )
    navn: str = Field(default="journalen", description="The record's name as the pages show it.")
    scope: str = Field(default=DEFAULT_SCOPE, description="Scopes asked for at authorize.")
    hpr_claim: str | None = Field(
        default=None,
        description="The id_token claim holding the physician's HPR-number, when the record has one.",
    )
    id_token_issuer: str | None = Field(
        default=None, description="The id_token's `iss` when it is not the FHIR base URL."
    )
    redirect_uri: str | None = Field(
        default=None,
        description="Our registered callback URL, when the one derived from the request is not it.",
    )

    @field_validator("iss", "id_token_issuer")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return normalise_iss(value) if value is not None else None

    @property
    def token_issuer(self) -> str:
        return self.id_token_issuer or self.iss


def find_issuer(issuers: list[SmartIssuer], iss: str) -> SmartIssuer | None:
    wanted = normalise_iss(iss)
    return next((i for i in issuers if i.iss == wanted), None)
