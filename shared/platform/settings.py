"""Settings common to every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changethis", "change-me", "secret", ""}
DEMO_SESSION_SECRET = "demo-only-session-secret-not-for-production"

#: What a session secret must have in OIDC mode: `secrets.token_urlsafe(32)` gives 43 characters of
#: about 5.5 bits each, `openssl rand -hex 16` 32 characters of about 3.7 bits.
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS_PER_CHAR = 2.75
MIN_SECRET_DISTINCT_CHARS = 8


def secret_weakness(secret: str) -> str | None:
    """Why `secret` is no fit to sign sessions, or None if it looks random enough.

    A heuristic, not a proof: it refuses the demo and placeholder values, short ones, and the
    patterns people type by hand (one character, a repeated word, a run like `abcdef…` or `123456…`).
    """
    lowered = secret.lower()
    if secret in PLACEHOLDER_SECRETS or secret == DEMO_SESSION_SECRET or lowered.startswith("demo-only"):
        return "it is the demo or a placeholder value"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"it is shorter than {MIN_SECRET_LENGTH} characters"
    counts = Counter(secret)
    if len(counts) < MIN_SECRET_DISTINCT_CHARS:
        return f"it has fewer than {MIN_SECRET_DISTINCT_CHARS} different characters"
    bits = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    if bits < MIN_SECRET_BITS_PER_CHAR:
        return f"it is too regular ({bits:.1f} bits per character, {MIN_SECRET_BITS_PER_CHAR} needed)"
    for unit in range(1, len(secret) // 2 + 1):
        if len(secret) % unit == 0 and secret[:unit] * (len(secret) // unit) == secret:
            return "it is one short text repeated"
    grams = [secret[i : i + 4] for i in range(len(secret) - 3)]
    if len(set(grams)) < 0.75 * len(grams):
        return "it repeats parts of itself"
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(secret)]
    if sum(1 for step in steps if abs(step) == 1) > len(steps) // 2:
        return "it is mostly a run of consecutive characters"
    if sum(1 for step in steps if step == 0) > len(steps) // 3:
        return "it is mostly runs of one character"
    return None


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
    oidc_jwks_cache_s: int = Field(
        default=300, ge=0, description="How long the issuer's signing keys (JWKS) are cached, in seconds."
    )
    oidc_jwks_refetch_interval_s: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Shortest time between two JWKS refetches caused by an unknown key id (`kid`).",
    )
    session_secret: SecretStr = Field(
        default=SecretStr(DEMO_SESSION_SECRET),
        description=(
            "Signs session and CSRF cookies. With auth_mode=oidc it must be random, at least 32 characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
        ),
    )
    base_url: str = Field(
        default="",
        description=(
            "Public address of the service (`https://soknad.hbe.example`); absolute links are built from it. "
            "Empty: links are relative, never built from the request's `Host` header."
        ),
    )
    expose_docs: bool | None = Field(
        default=None,
        description="Serve `/api/docs` and `/openapi.json`. Empty: yes with auth_mode=demo, no with oidc.",
    )
    expose_metrics: bool | None = Field(
        default=None,
        description=(
            "Serve `/metrics` without a token. Empty: yes with auth_mode=demo, no with oidc "
            "(then only with `METRICS_TOKEN`)."
        ),
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="When set, `/metrics` answers only `Authorization: Bearer <token>` (for Prometheus).",
    )
    katalog_database_url: str = Field(
        default="",
        description="The trust's directory (people, units, roles, sessions): SQLAlchemy async URL shared by "
        "all the trust's services; empty means `katalog.sqlite` under data_dir.",
    )
    katalog_cache_ttl_s: float = Field(
        default=5.0,
        description="How long a process reuses what it read from the directory; its own changes are seen at "
        "once, another process's after at most this long (sessions too).",
    )
    katalog_seed_demo: bool | None = Field(
        default=None,
        description="Seed an empty directory with the demo users and units; unset means with auth_mode=demo.",
    )
    allow_synthetic_personnummer: bool = Field(
        default=True, description="Accept synthetic test numbers (Tenor, Dolly). Turn off in production."
    )
    max_body_bytes: int = Field(default=1_000_000, description="Largest request body; larger gets 413.")
    max_upload_bytes: int = Field(
        default=50_000_000,
        description="Largest file upload (multipart) to the paths a service accepts files on, e.g. the "
        "post-registration import; every other body is bounded by `max_body_bytes`.",
    )
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

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("base_url must be an http(s) address such as https://soknad.hbe.example")
        if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("base_url is only scheme, host and port (the service adds its own path)")
        return f"{parts.scheme}://{parts.netloc}"

    def docs_open(self) -> bool:
        return self.expose_docs if self.expose_docs is not None else self.auth_mode == "demo"

    def metrics_open(self) -> bool:
        """`/metrics` without a token: the embedded default yes, the OIDC mode only if asked for."""
        if self.metrics_token.get_secret_value():
            return False
        return self.expose_metrics if self.expose_metrics is not None else self.auth_mode == "demo"

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
            weakness = secret_weakness(self.session_secret.get_secret_value())
            if weakness is not None:
                raise ValueError(
                    f"{self.service_name}: auth_mode=oidc needs a random session_secret of at least "
                    f"{MIN_SECRET_LENGTH} characters, and this one is refused because {weakness}. "
                    "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
            token = self.metrics_token.get_secret_value()
            if token and secret_weakness(token) is not None:
                raise ValueError(
                    f"{self.service_name}: metrics_token must be random, {MIN_SECRET_LENGTH}+ characters"
                )
