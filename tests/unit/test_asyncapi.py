"""The published event catalogue is generated from the contracts and kept current."""

from __future__ import annotations

from shared.events.asyncapi import build
from shared.events.base import REGISTRY


def test_every_registered_event_is_in_the_catalogue() -> None:
    doc = build()
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names == set(REGISTRY)


def test_every_payload_field_is_described() -> None:
    for model in REGISTRY.values():
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
