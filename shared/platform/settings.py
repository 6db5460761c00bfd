"""Settings common to every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changethis", "change-me", "secret", ""}


class ServiceSettings(BaseSettings):
    """Read from `SP_<SERVICE>_*` environment variables (see docs/operations.md)."""

    model_config = SettingsConfigDict(env_prefix="SP_", extra="ignore")

    service_name: str = Field(default="service", description="Fixed per service; names the SQLite file.")
    hf: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["HBE", "OUS"],
        description="Codes of the trusts this instance serves (one per stack in the distributed mode).",
    )
    database_url: str = Field(
        default="", description="SQLAlchemy async URL; empty means SQLite under data_dir."
    )
    data_dir: Path = Field(default=Path("data"), description="Folder of the SQLite files (embedded default).")
    bus_url: str = Field(default="memory://", description="`memory://` or `amqp://user:pw@host/vhost`.")
    bus_retry_delays_s: tuple[float, ...] = Field(
        default=(1.0, 5.0, 30.0), description="Delays before each retry of a failed event; then dead-letter."
    )
    bus_publish_timeout_s: float = Field(default=10.0, description="Longest wait for a broker confirm.")
    outbox_poll_interval_s: float = Field(
        default=1.0, description="How often the relay looks for rows left by other processes."
    )
    outbox_batch_size: int = Field(default=200, description="Outbox rows published per confirmed batch.")
    auth_mode: Literal["demo", "oidc"] = Field(
        default="demo", description="`demo`: seeded demo users; `oidc`: access tokens from the issuer."
    )
    oidc_issuer: str = Field(
        default="", description="OIDC issuer (`iss`), e.g. HelseID's; discovery finds the JWKS."
    )
    oidc_audience: str = Field(default="soknadsportal", description="Required `aud` of access tokens.")
    oidc_jwks_url: str | None = Field(default=None, description="JWKS URL, when discovery is not wanted.")
    session_secret: SecretStr = Field(
        default=SecretStr("demo-only-session-secret-not-for-production"),
        description="Signs session and CSRF cookies; must be set (and secret) with auth_mode=oidc.",
    )
    katalog_database_url: str = Field(
        default="",
        description="The trust's directory (people, units, roles, sessions): SQLAlchemy async URL shared by "
        "all the trust's services; empty means `katalog.sqlite` under data_dir.",
    )
    katalog_cache_ttl_s: float = Field(
        default=5.0,
        description="How long a process reuses what it read from the directory; its own changes are seen at "
        "once, another process's after at most this long (sessions: at most 2 s).",
    )
    katalog_seed_demo: bool | None = Field(
        default=None,
        description="Seed an empty directory with the demo users and units; unset means with auth_mode=demo.",
    )
    allow_synthetic_personnummer: bool = Field(
        default=True, description="Accept synthetic test numbers (Tenor, Dolly). Turn off in production."
    )
    max_body_bytes: int = Field(default=1_000_000, description="Largest request body; larger gets 413.")
    migrate_on_start: bool = Field(default=True, description="Run Alembic migrations at start-up.")
    secure_cookies: bool = Field(default=False, description="Mark cookies `Secure` (behind HTTPS).")
    links: dict[str, str] = Field(
        default_factory=dict,
        description="Base URLs of the other services' pages, when they are not on this origin.",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = Field(default=True, description="JSON log lines (false: readable console lines).")

    @field_validator("hf", mode="before")
    @classmethod
    def _split_hf(cls, value: object) -> object:
        if isinstance(value, str):
            if value.startswith("["):
                return json.loads(value)
            return [part.strip().upper() for part in value.split(",") if part.strip()]
        return value

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.sqlite')}"

    def effective_katalog_url(self) -> str:
        if self.katalog_database_url:
            return self.katalog_database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'katalog.sqlite'}"

    def check_production_safety(self) -> None:
        """Refuse to start the distributed mode with placeholder secrets or demo login."""
        if self.auth_mode == "oidc":
            if not self.oidc_issuer:
                raise ValueError(f"{self.service_name}: auth_mode=oidc needs oidc_issuer")
            secret = self.session_secret.get_secret_value()
            if secret in PLACEHOLDER_SECRETS or secret.startswith("demo-only"):
                raise ValueError(f"{self.service_name}: set a real session_secret for auth_mode=oidc")
