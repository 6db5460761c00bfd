"""The CloudEvents 1.0 envelope every event travels in (structured JSON mode)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"


class Envelope(BaseModel):
    """CloudEvents attributes plus the `hf` and `correlationid` extensions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), description="Unique event id.")
    source: str = Field(description="URI-reference of the producer, e.g. `/hf/HBE/soknad`.")
    type: str = Field(description="Event type, e.g. `no.soknadsportal.soknad.soknad_forankret.v1`.")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = Field(default=None, description="Løpenummer or case id.")
    datacontenttype: Literal["application/json"] = "application/json"
    hf: str = Field(description="Code of the hospital trust the event belongs to.")
    correlationid: str = Field(description="Follows one user request through all events it causes.")
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def routing_key(self) -> str:
        """`<hf>.<type>`: lets broker topic permissions restrict a trust to its own keys."""
        return f"{self.hf}.{self.type}"

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        return cls.model_validate_json(body)
