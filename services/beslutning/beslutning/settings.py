"""Settings of the beslutning service (`SP_BESLUTNING_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from beslutning.domain import Behandlingstider
from shared.platform.settings import ServiceSettings


class BeslutningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_BESLUTNING_", extra="ignore")

    service_name: str = "beslutning"
    behandlingstid_forenklet_dager: int = Field(
        default=14,
        ge=1,
        le=365,
        description="Processing-time target of the simplified flow, days from anchoring.",
    )
    behandlingstid_komplett_dager: int = Field(
        default=42, ge=1, le=365, description="Processing-time target of the complete flow (committee)."
    )
    behandlingstid_interregional_dager: int = Field(
        default=90, ge=1, le=730, description="Processing-time target of tilgangsordningen (interregional)."
    )
    komite_frist_dager: int = Field(
        default=21, ge=1, le=365, description="Default deadline for the committee's recommendation, in days."
    )
    forfalt_sjekk_intervall_s: float = Field(
        default=300.0,
        gt=0,
        le=86_400,
        description="How often the service looks for cases that have passed their deadline (notifies the "
        "director once per case), in seconds.",
    )
    oversikt_url: str = Field(
        default="",
        description="Base URL of the national overview's API for the precedent panel; empty: the embedded "
        "default's oversikt in the same process.",
    )

    @property
    def behandlingstider(self) -> Behandlingstider:
        return Behandlingstider(
            forenklet=self.behandlingstid_forenklet_dager,
            komplett=self.behandlingstid_komplett_dager,
            interregional=self.behandlingstid_interregional_dager,
        )
