"""Pure rules of webhook delivery: what an endpoint may ask for, and when to try again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.events.envelope import CONTENT_TYPE
from shared.fhir.systemer import FHIR_JSON

HENDELSE_LABELS: Final = {
    "vedtak_fattet": "Vedtak fattet",
    "vedtak_endret": "Vedtak endret",
    "vedtak_opphevet": "Vedtak opphevet",
}
Hendelsestype = Literal["vedtak_fattet", "vedtak_endret", "vedtak_opphevet"]

VENTER: Final = "venter"
LEVERT: Final = "levert"
FEILET: Final = "feilet"
STATUS_LABELS: Final = {VENTER: "Venter", LEVERT: "Levert", FEILET: "Gitt opp"}

JSON: Final = "json"
FHIR: Final = "fhir"
Format = Literal["json", "fhir"]
FORMAT_LABELS: Final = {JSON: "JSON (CloudEvent)", FHIR: "FHIR (ClaimResponse)"}
CONTENT_TYPES: Final = {JSON: CONTENT_TYPE, FHIR: FHIR_JSON}
FHIR_KREVER_IDENTITET: Final = (
    "FHIR kan bare velges når systemet får pasientens identitet, fordi en ClaimResponse alltid "
    "navngir pasienten."
)


class EndepunktInput(BaseModel):
    """What an admin registers (page form or JSON API)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    navn: str = Field(min_length=1, max_length=100, description="What the receiving system is called.")
    url: str = Field(min_length=1, max_length=500, description="Where deliveries are POSTed (http or https).")
    hendelser: list[Hendelsestype] = Field(min_length=1, description="The event types it wants.")
    identitet: bool = Field(default=False, description="May receive the patient's identity.")
    format: Format = Field(
        default=JSON,
        description=(
            "`json`: the CloudEvent (`application/cloudevents+json`); `fhir`: the decision as a FHIR R4 "
            "`ClaimResponse` (`application/fhir+json`), only together with `identitet`."
        ),
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("Adressen må være en fullstendig http- eller https-adresse.")
        return value

    @field_validator("format")
    @classmethod
    def _fhir_names_the_patient(cls, value: str, info: ValidationInfo) -> str:
        # `identitet` is declared before `format`, so it is validated (or missing, if invalid) by now.
        if value == FHIR and info.data.get("identitet") is not True:
            raise ValueError(FHIR_KREVER_IDENTITET)
        return value

    @field_validator("hendelser")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits between half and all of
    `first_s * 2**(n-1)`, capped at `max_s`; the jitter keeps failed endpoints' retries from
    arriving in step after an outage."""

    first_s: float = 5.0
    max_s: float = 3600.0

    def ceiling(self, forsok: int) -> timedelta:
        return timedelta(seconds=min(self.max_s, self.first_s * 2 ** max(0, forsok - 1)))

    def delay(self, forsok: int, rnd: random.Random) -> timedelta:
        return self.ceiling(forsok) * (1.0 - 0.5 * rnd.random())


def hendelsestype(hendelse: str) -> str:
    return f"vedtak_{hendelse}"


def url_uten_sporring(url: str) -> str:
    """The address without what may be a credential: the query, the fragment and any user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def varighet(tid: timedelta) -> str:
    """A duration as an administrator reads it: «12 timer», «1 time», «30 minutter»."""
    minutter = round(tid.total_seconds() / 60)
    if minutter % 60:
        return f"{minutter} minutt" if minutter == 1 else f"{minutter} minutter"
    timer = minutter // 60
    return "1 time" if timer == 1 else f"{timer} timer"
