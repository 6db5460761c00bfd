"""Settings of the beslutning service (`SP_BESLUTNING_*`)."""

from pydantic_settings import SettingsConfigDict

from shared.platform.settings import ServiceSettings


class BeslutningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_BESLUTNING_", extra="ignore")

    service_name: str = "beslutning"
