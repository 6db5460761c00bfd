"""Settings of the embedded default (`SP_*`): one process, SQLite per service, the in-process bus."""

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    session_secret: SecretStr = SecretStr("demo-only-session-secret-not-for-production")
    seed_demo_data: bool = True
    log_json: bool = False
    log_level: str = "INFO"
    bus_retry_delays_s: tuple[float, ...] = (1.0, 5.0, 30.0)
