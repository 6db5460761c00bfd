"""Settings of the integrasjon service (`SP_INTEGRASJON_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.platform.settings import ServiceSettings


class IntegrasjonSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_INTEGRASJON_", extra="ignore")

    service_name: str = "integrasjon"
    national_bus_url: str = Field(
        default="",
        description=(
            "amqp URL of the national overview's vhost, logged in as this trust's own user. Empty: use the "
            "national bus given to `create_app` (embedded default), or the local bus when that is in-process."
        ),
    )
    national_exchange: str = Field(
        default="nasjonal.sammendrag", description="Topic exchange on the national bus for case summaries."
    )
    national_user_template: str = Field(
        default="integrasjon-{hf}",
        description="AMQP user-id set on every national message; `{hf}` is the lower-case trust code.",
    )

    webhook_worker: bool = Field(default=True, description="Run the webhook delivery worker in this process.")
    webhook_first_retry_s: float = Field(
        default=5.0, gt=0, description="Wait before a failed webhook delivery's first retry; doubles after."
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one webhook delivery.")
    webhook_poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often due deliveries are sought."
    )
    webhook_disable_after_failures: int = Field(
        default=50, ge=1, description="Failed deliveries in a row after which an endpoint is disabled."
    )

    def national_user(self, hf: str) -> str:
        return self.national_user_template.format(hf=hf.lower())
