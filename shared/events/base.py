"""Base class and registry of the versioned event contracts."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events.envelope import Envelope

TYPE_PREFIX = "no.soknadsportal"


class EventContract(BaseModel):
    """One frozen model per event and version; `TYPE` is what travels and what consumers route on."""

    # Consumers ignore fields they do not know, so adding a field keeps the version (STYLE.md 3).
    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    PRODUCER: ClassVar[str]
    DESCRIPTION: ClassVar[str]


class UnknownEventType(Exception):
    pass


class InvalidEventPayload(Exception):
    pass


E = TypeVar("E", bound=type[EventContract])

REGISTRY: dict[str, type[EventContract]] = {}


def event_type(producer: str, name: str, version: int) -> str:
    return f"{TYPE_PREFIX}.{producer}.{name}.v{version}"


def register(cls: E) -> E:
    if cls.TYPE in REGISTRY and REGISTRY[cls.TYPE] is not cls:
        raise ValueError(f"event type registered twice: {cls.TYPE}")
    REGISTRY[cls.TYPE] = cls
    return cls


def parse_event(envelope: Envelope) -> EventContract:
    """Turn an envelope into its contract model; both errors are permanent (dead-letter at once)."""
    model = REGISTRY.get(envelope.type)
    if model is None:
        raise UnknownEventType(envelope.type)
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise InvalidEventPayload(f"{envelope.type}: {exc.error_count()} invalid field(s)") from exc
