"""Settings of the soknad service (`SP_SOKNAD_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.platform.settings import ServiceSettings
from soknad.smart.konfig import SmartIssuer


class SoknadSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_SOKNAD_", extra="ignore")

    service_name: str = "soknad"
    integrasjon_url: str = Field(
        default="",
        description="Base URL of this trust's integrasjon (`http://host:port/integrasjon`) for look-ups; "
        "empty in the embedded default, where the composition root connects the services in-process.",
    )
    oversikt_url: str = Field(
        default="",
        description="Base URL of the national oversikt (`http://host:port/oversikt`) for precedent from all "
        "trusts; empty in the embedded default, where the composition root connects it in-process.",
    )
    vurdering_url: str = Field(
        default="",
        description="Base URL of this trust's vurdering (`http://host:port/vurdering`), for the privacy "
        "officer's access log; empty in the embedded default, where the services are connected in-process.",
    )
    beslutning_url: str = Field(
        default="",
        description="Base URL of this trust's beslutning (`http://host:port/beslutning`), for the privacy "
        "officer's access log; empty in the embedded default, where the services are connected in-process.",
    )
    beslutning_side_url: str = Field(
        default="/beslutning",
        description="Where the browser reaches this trust's beslutning pages (the decision letter links to "
        "`<this>/vedtak/<id>/brev`); a path on the same origin in the embedded default.",
    )
    fortsettelse_varsel_dager: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days before a granted treatment's validity ends that the applicant is reminded (once) "
        "and offered to apply for continuation.",
    )
    smart_issuers: list[SmartIssuer] = Field(
        default=[],
        description="Patient records trusted to launch the app (SMART App Launch 2, EHR launch), as JSON: "
        '`[{"iss": "<FHIR base URL>", "client_id": "…", "navn": "DIPS Arena", "scope": "…", '
        '"hpr_claim": "…"}]` (see docs/fhir/smart.md). Empty: launching from a record is refused.',
    )
