"""Generate the AsyncAPI 3.0 event catalogue from the contract models: `python -m shared.events.asyncapi`."""

from __future__ import annotations

import json
import sys
from typing import Any

import shared.events.contracts  # noqa: F401 - registers the contracts
from shared.events.base import REGISTRY
from shared.events.envelope import Envelope
from shared.platform.bus.base import exchange_for

NATIONAL_EXCHANGE = "nasjonal.sammendrag"


def _exchange(event_type: str, producer: str) -> str:
    return NATIONAL_EXCHANGE if event_type.endswith(".sak_sammendrag.v1") else exchange_for(producer)


def build() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Envelope": _schema(Envelope.model_json_schema(ref_template="#/components/schemas/{model}"))
    }
    for event_type, model in sorted(REGISTRY.items()):
        name = model.__name__
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for def_name, definition in schema.pop("$defs", {}).items():
            schemas[def_name] = definition
        schemas[name] = schema
        exchange = _exchange(event_type, model.PRODUCER)
        messages[name] = {
            "name": event_type,
            "title": name,
            "summary": model.DESCRIPTION,
            "contentType": "application/cloudevents+json",
            "headers": {"$ref": "#/components/schemas/Envelope"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
        channel_id = f"{exchange}/{event_type}"
        channels[channel_id] = {
            "address": "{hf}." + event_type,
            "description": f"Topic exchange `{exchange}`, routing key `<hf>.{event_type}`.",
            "parameters": {"hf": {"description": "Trust code, e.g. HBE."}},
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": exchange, "type": "topic", "durable": True, "vhost": "/"},
                }
            },
        }
        operations[f"publish{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id.replace('/', '~1')}"},
            "summary": f"Published by `{model.PRODUCER}` through its transactional outbox.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Søknadsportalen – hendelseskatalog",
            "version": "1.0.0",
            "description": (
                "Integration events of Søknadsportalen. Every message is a CloudEvents 1.0 "
                "envelope (structured JSON) with the extensions `hf` and `correlationid`; `data` "
                "is the payload below. Type names are `no.soknadsportal.<service>.<event>.v<N>`; "
                "an additive change keeps the version."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _schema(schema: dict[str, Any]) -> dict[str, Any]:
    schema.pop("$defs", None)
    return schema


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
