"""Settings of the vurdering service (`SP_VURDERING_*`)."""

from pydantic_settings import SettingsConfigDict

from shared.platform.settings import ServiceSettings


class VurderingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_VURDERING_", extra="ignore")

    service_name: str = "vurdering"
