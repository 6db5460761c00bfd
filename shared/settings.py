"""Settings common to every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changethis", "change-me", "secret", ""}


class ServiceSettings(BaseSettings):
    """Read from `SP_<SERVICE>_*` environment variables (see docs/operations.md)."""

    model_config = SettingsConfigDict(env_prefix="SP_", extra="ignore")

    service_name: str = "service"
    hf: list[str] = Field(
        default_factory=lambda: ["HBE", "OUS"],
        description="Codes of the trusts this instance serves (one per stack in the distributed mode).",
    )
    database_url: str = Field(
        default="", description="SQLAlchemy async URL; empty means SQLite under data_dir."
    )
    data_dir: Path = Path("data")
    bus_url: str = Field(default="memory://", description="`memory://` or `amqp://user:pw@host/vhost`.")
    bus_retry_delays_s: tuple[float, ...] = (1.0, 5.0, 30.0)
    bus_publish_timeout_s: float = 10.0
    outbox_poll_interval_s: float = 1.0
    outbox_batch_size: int = 200
    auth_mode: Literal["demo", "oidc"] = "demo"
    oidc_issuer: str = ""
    oidc_audience: str = "soknadsportal"
    oidc_jwks_url: str | None = None
    session_secret: SecretStr = SecretStr("demo-only-session-secret-not-for-production")
    allow_synthetic_personnummer: bool = True
    max_body_bytes: int = 1_000_000
    migrate_on_start: bool = True
    secure_cookies: bool = False
    links: dict[str, str] = Field(
        default_factory=dict,
        description="Base URLs of the other services' pages, when they are not on this origin.",
    )
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("hf", mode="before")
    @classmethod
    def _split_hf(cls, value: object) -> object:
        if isinstance(value, str) and not value.startswith("["):
            return [part.strip().upper() for part in value.split(",") if part.strip()]
        return value

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.sqlite')}"

    def check_production_safety(self) -> None:
        """Refuse to start the distributed mode with placeholder secrets or demo login."""
        if self.auth_mode == "oidc":
            if not self.oidc_issuer:
                raise ValueError(f"{self.service_name}: auth_mode=oidc needs oidc_issuer")
            secret = self.session_secret.get_secret_value()
            if secret in PLACEHOLDER_SECRETS or secret.startswith("demo-only"):
                raise ValueError(f"{self.service_name}: set a real session_secret for auth_mode=oidc")
