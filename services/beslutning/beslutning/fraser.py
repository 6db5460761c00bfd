"""The phrase library's pure part: the text fields a phrase is for, the placeholders and how they are
filled from a case, and the defaults a new trust starts from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

Frasefelt = Literal[
    "begrunnelse",
    "resept_merknad",
    "faktureringsrutine",
    "vilkar_pasientinformasjon",
    "vilkar_annet",
    "lenke",
]

FELT_LABELS: dict[str, str] = {
    "begrunnelse": "Begrunnelse",
    "resept_merknad": "Merknad på resepten",
    "faktureringsrutine": "Faktureringsrutine",
    "vilkar_pasientinformasjon": "Informasjon til pasienten",
    "vilkar_annet": "Andre vilkår",
    "lenke": "Lenke til regelverk og veiledere",
}

PLASSHOLDERE: dict[str, str] = {
    "lopenummer": "Sakens løpenummer",
    "enhet": "Enheten som behandler",
    "legemiddel": "Legemidlet",
    "virkestoff": "Virkestoffet",
    "indikasjon": "Indikasjonen (ICD-10)",
    "gyldig_fra": "Første dag vedtaket gjelder",
    "gyldig_til": "Siste dag vedtaket gjelder",
    "kostnadssted": "Kostnadsstedet som betaler",
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def ukjente_plassholdere(tekst: str) -> list[str]:
    return sorted({m for m in _PLACEHOLDER.findall(tekst) if m not in PLASSHOLDERE})


def fyll_ut(tekst: str, verdier: Mapping[str, str]) -> str:
    """The phrase with the case's values; a placeholder with no value yet is left for the director."""
    return _PLACEHOLDER.sub(lambda m: verdier.get(m.group(1)) or m.group(0), tekst)


class FraseInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    felt: Frasefelt = Field(description="The decision's text field the phrase is for, or `lenke`.")
    tittel: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Short name shown on the button."
    )
    tekst: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)] = Field(
        description="The text, with placeholders such as {lopenummer}."
    )
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None,
        # Validated also when left out: a link without an address is refused naming `url`.
        validate_default=True,
        description="For a link: the address (https).",
    )
    aktiv: bool = Field(default=True, description="Inactive phrases are not offered.")

    @field_validator("url", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    # Field validators (not one across the model), so the 422 names the field that is wrong.
    @field_validator("tekst")
    @classmethod
    def _known_placeholders(cls, tekst: str) -> str:
        ukjente = ukjente_plassholdere(tekst)
        if ukjente:
            raise ValueError("Ukjent plassholder: " + ", ".join("{" + u + "}" for u in ukjente))
        return tekst

    @field_validator("url")
    @classmethod
    def _https(cls, url: str | None, info: ValidationInfo) -> str | None:
        if url is None:
            if info.data.get("felt") == "lenke":
                raise ValueError("En lenke må ha en adresse som begynner med https://")
            return None
        if not url.startswith("https://"):
            raise ValueError("Adressen må begynne med https://")
        return url


STANDARDFRASER: list[dict[str, str]] = [
    {
        "felt": "resept_merknad",
        "tittel": "Merknad på resepten",
        "tekst": (
            "Sykehusfinansiert etter vedtak {lopenummer}, gyldig til {gyldig_til}. Rekvirert av {enhet}."
        ),
    },
    {
        "felt": "faktureringsrutine",
        "tittel": "Fakturering via sykehusapoteket",
        "tekst": (
            "Sykehusapoteket fakturerer {enhet}, kostnadssted {kostnadssted}, med løpenummer {lopenummer} på "
            "fakturagrunnlaget."
        ),
    },
    {
        "felt": "faktureringsrutine",
        "tittel": "Fakturering fra apotek utenfor sykehuset",
        "tekst": (
            "Apoteket sender regning til helseforetaket merket {lopenummer}; kostnadssted {kostnadssted}."
        ),
    },
    {
        "felt": "vilkar_pasientinformasjon",
        "tittel": "Pasientinformasjon, utenfor godkjent bruk",
        "tekst": (
            "Pasienten skal informeres muntlig og skriftlig om at {legemiddel} brukes utenfor godkjent "
            "indikasjon, om forventet effekt, mulige bivirkninger og at behandlingen avsluttes dersom "
            "stoppkriteriene inntreffer."
        ),
    },
    {
        "felt": "begrunnelse",
        "tittel": "Innvilget etter prioriteringskriteriene",
        "tekst": (
            "Søknaden er vurdert etter prioriteringsforskriften § 2 (nytte, ressursbruk og alvorlighet). "
            "Tilstanden er alvorlig, dokumentasjonen gir grunn til å forvente nytte, og kostnaden står i "
            "rimelig forhold til nytten."
        ),
    },
    {
        "felt": "begrunnelse",
        "tittel": "Avslag, godkjent alternativ ikke prøvd",
        "tekst": (
            "Søknaden avslås fordi godkjent behandling for indikasjonen ikke er prøvd eller vurdert som "
            "uegnet. Ny søknad kan sendes når dette er dokumentert."
        ),
    },
    {
        "felt": "vilkar_annet",
        "tittel": "Oppfølging registreres i Søknadsportalen",
        "tekst": (
            "Effekt og eventuelle bivirkninger registreres som oppfølging av sak {lopenummer} innen "
            "{gyldig_til}."
        ),
    },
    {
        "felt": "lenke",
        "tittel": "Prioriteringsforskriften",
        "tekst": "Forskrift om prioritering av helsetjenester (§ 2: nytte, ressursbruk, alvorlighet).",
        "url": "https://lovdata.no/dokument/SF/forskrift/2000-12-01-1208",
    },
    {
        "felt": "lenke",
        "tittel": "Legemiddelforskriften § 2-5",
        "tekst": "Godkjenningsfritak: rekvirering av legemidler uten markedsføringstillatelse.",
        "url": "https://lovdata.no/dokument/SF/forskrift/2009-12-18-1839/KAPITTEL_2#%C2%A72-5",
    },
    {
        "felt": "lenke",
        "tittel": "Nye metoder: unntaksordningen og tilgangsordningen",
        "tekst": "Retningslinjer for unntak og tilgang i Nye metoder.",
        "url": "https://www.nyemetoder.no/",
    },
    {
        "felt": "lenke",
        "tittel": "Helsedirektoratet: utprøvende behandling",
        "tekst": "Nasjonal veileder om utprøvende behandling.",
        "url": "https://www.helsedirektoratet.no/veiledere/utprovende-behandling",
    },
]
"""Norwegian defaults a trust starts from (the embedded demo seeds them)."""
