"""Settings of the soknad service (`SP_SOKNAD_*`)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SoknadSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SP_SOKNAD_", extra="ignore")

    service_name: str = "soknad"
