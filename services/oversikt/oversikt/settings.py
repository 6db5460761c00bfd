"""Settings of the national oversikt service (`SP_OVERSIKT_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.platform.settings import ServiceSettings


class OversiktSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_OVERSIKT_", extra="ignore")

    service_name: str = "oversikt"
    expected_publishers: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Trust code → the broker user whose user-id its summaries must carry. "
            "A trust not listed must use `integrasjon-<code in lower case>`."
        ),
    )
    require_user_id: bool = Field(
        default=True, description="Refuse summaries without a user-id (the broker sets it on every publish)."
    )
    national_exchange: str = Field(
        default="nasjonal.sammendrag", description="Exchange the summaries arrive on."
    )
    page_size: int = Field(default=50, ge=5, le=500, description="Cases per page in the national search.")
    gjentatte_terskel: int = Field(
        default=5,
        ge=2,
        le=1000,
        description=(
            "Single-patient applications for one substance and indication in one trust and year from "
            "which the combination is flagged as a candidate for a group decision or a Nye metoder proposal."
        ),
    )

    def expected_publisher(self, hf: str) -> str:
        return self.expected_publishers.get(hf) or f"integrasjon-{hf.lower()}"
