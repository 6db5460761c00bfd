"""Settings of the integrasjon service (`SP_INTEGRASJON_*`)."""

from datetime import timedelta

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

    fest_source: str = Field(
        default="",
        description=(
            "Where the scheduled FEST import reads: an https URL of DMP's extract (e.g. `…/fest251.zip`, "
            "fetched only when its ETag or Last-Modified changed), a folder (its newest .xml or .zip) or a "
            "file. Empty: no scheduled import (`python -m integrasjon.register import-fest` still imports)."
        ),
    )
    icd10_source: str = Field(
        default="",
        description=(
            "Where the scheduled ICD-10 import reads: an https URL, a folder (its newest .xlsx, .csv, .json, "
            ".txt or .tsv) or a file, as FinnKode exports it (Excel, or the same table as CSV or "
            "tab-separated text, columns found by header), or FinnKode's JSON. Empty: no scheduled import."
        ),
    )
    icd10_version: str = Field(
        default="",
        description="Version stored with imported ICD-10 codes (e.g. `2026`); empty: the current year.",
    )
    register_check_interval_s: float = Field(
        default=3600.0,
        gt=0,
        description="How often the configured FEST and ICD-10 sources are checked for a new file.",
    )
    register_reload_interval_s: float = Field(
        default=30.0,
        gt=0,
        description=(
            "How often a process looks for a catalogue another process (the CLI, a replica) switched to."
        ),
    )
    fest_min_share: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description=(
            "A FEST or ICD-10 file with fewer entries than this share of the catalogue in use is refused as "
            "truncated (a full extract would otherwise mark the rest as gone)."
        ),
    )
    register_seed_sample: bool | None = Field(
        default=None,
        description=(
            "Import the shipped sample FEST and ICD-10 files into an empty catalogue. "
            "Empty: yes with auth_mode=demo."
        ),
    )

    def seed_sample(self) -> bool:
        return (
            self.register_seed_sample if self.register_seed_sample is not None else self.auth_mode == "demo"
        )

    webhook_worker: bool = Field(default=True, description="Run the webhook delivery worker in this process.")
    webhook_first_retry_s: float = Field(
        default=5.0, gt=0, description="Wait before a failed webhook delivery's first retry; doubles after."
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one webhook delivery.")
    webhook_poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often due deliveries are sought."
    )
    webhook_disable_after_hours: float = Field(
        default=12,
        gt=0,
        lt=24,
        description=(
            "Hours an endpoint may fail every attempt before it is disabled (and the admin told). Under a "
            "day, the deliveries' retry window: a long outage then disables it before any delivery staged "
            "during the outage is given up, and they all wait for it to be enabled again."
        ),
    )

    def webhook_disable_after(self) -> timedelta:
        return timedelta(hours=self.webhook_disable_after_hours)

    def national_user(self, hf: str) -> str:
        return self.national_user_template.format(hf=hf.lower())
