"""Settings of the vurdering service (`SP_VURDERING_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.platform.settings import ServiceSettings


class VurderingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_VURDERING_", extra="ignore")

    service_name: str = "vurdering"
    oversikt_url: str = Field(
        default="",
        description="Base URL of the national oversikt (`http://host:port/oversikt`) for precedent; "
        "empty: the panel shows the trust's own decisions and says the national overview did not answer.",
    )
