"""Builds the AsyncAPI 3.0 document: `python -m integrasjon.asyncapi > docs/asyncapi.json`.

What it states is what `shared.platform.bus.rabbitmq.RabbitBus.publish` puts on the wire: the AMQP body
is the whole CloudEvent in structured mode (`application/cloudevents+json`, envelope attributes and
`data`), the AMQP properties repeat its id, type, correlation id and time, and the headers table holds
`hf` and `x-attempt`."""

from __future__ import annotations

import json
from typing import Any

import shared.events.contracts  # noqa: F401 - registers the contracts
from integrasjon.integratorer import routing
from integrasjon.integratorer.contracts import (
    IntegratorVedtakFattet,
    IntegratorVedtakFattetMedPasient,
    IntegratorVedtakOpphevet,
    IntegratorVedtakOpphevetMedPasient,
)
from shared.events.base import REGISTRY, EventContract
from shared.events.envelope import CONTENT_TYPE, Envelope
from shared.platform.bus.base import exchange_for

NATIONAL_EXCHANGE = "nasjonal.sammendrag"
BINDING_VERSION = "0.3.0"
REF = "#/components/schemas/{model}"

PROPERTIES_SCHEMA = "AmqpEgenskaper"
HEADERS_SCHEMA = "AmqpHoder"
SECURITY = "brukerOgPassord"


def _schema_of(model: type[EventContract], schemas: dict[str, Any]) -> None:
    schema = model.model_json_schema(ref_template=REF, mode="serialization")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


def _cloudevent(model: type[EventContract], producer: str) -> dict[str, Any]:
    """The AMQP body: the envelope's attributes, with `type` and `data` narrowed to this event."""
    envelope = Envelope.model_json_schema(mode="serialization")
    properties = dict(envelope["properties"])
    properties["type"] = {"const": model.TYPE, "description": properties["type"]["description"]}
    properties["source"] = {
        "type": "string",
        "pattern": f"^/hf/[A-Z0-9]+/{producer}$",
        "description": properties["source"]["description"],
    }
    properties["data"] = {"$ref": REF.format(model=model.__name__)}
    return {
        "type": "object",
        "title": f"CloudEvent {model.__name__}",
        "description": (
            "A CloudEvents 1.0 event in structured JSON mode, with the extensions `hf` and `correlationid`."
        ),
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _message(model: type[EventContract], producer: str, *, integrator: bool) -> dict[str, Any]:
    user_id = (
        "The integrasjon service's own broker user; RabbitMQ refuses any other, so it proves the sender."
        if integrator
        else "Set when the producer's broker user must be proven (the national summary); absent otherwise."
    )
    return {
        "name": model.TYPE,
        "title": model.__name__,
        "summary": model.DESCRIPTION,
        "contentType": CONTENT_TYPE,
        "payload": _cloudevent(model, producer),
        "headers": {"$ref": REF.format(model=HEADERS_SCHEMA)},
        "correlationId": {"location": "$message.payload#/correlationid"},
        "bindings": {"amqp": {"messageType": model.TYPE, "bindingVersion": BINDING_VERSION}},
        # AsyncAPI has no place for AMQP basic properties other than the type: they are here, as a schema.
        "x-amqp-properties": {
            "allOf": [
                {"$ref": REF.format(model=PROPERTIES_SCHEMA)},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": model.TYPE},
                        "user_id": {"type": "string", "description": user_id},
                    },
                    "required": ["user_id"] if integrator else [],
                },
            ]
        },
    }


def _amqp_schemas() -> dict[str, Any]:
    return {
        PROPERTIES_SCHEMA: {
            "type": "object",
            "title": "AMQP basic properties",
            "description": "The properties every message is published with.",
            "properties": {
                "content_type": {"const": CONTENT_TYPE},
                "delivery_mode": {"const": 2, "description": "Persistent."},
                "message_id": {"type": "string", "description": "The CloudEvent's `id`."},
                "type": {"type": "string", "description": "The CloudEvent's `type`."},
                "correlation_id": {"type": "string", "description": "The CloudEvent's `correlationid`."},
                "timestamp": {"type": "integer", "description": "The CloudEvent's `time`, in Unix seconds."},
                "user_id": {
                    "type": "string",
                    "description": "The publishing broker user (verified by RabbitMQ).",
                },
            },
            "required": [
                "content_type",
                "delivery_mode",
                "message_id",
                "type",
                "correlation_id",
                "timestamp",
            ],
        },
        HEADERS_SCHEMA: {
            "type": "object",
            "title": "AMQP headers",
            "properties": {
                "hf": {"type": "string", "description": "The trust code, as in the CloudEvent's `hf`."},
                "x-attempt": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Delivery attempt: 1 as published, higher on the services' retry copies.",
                },
            },
            "required": ["hf", "x-attempt"],
        },
    }


def _server(description: str, vhost_example: str) -> dict[str, Any]:
    return {
        "host": "{host}",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "pathname": "/{vhost}",
        "description": description,
        "variables": {
            "host": {"default": "localhost:5672", "description": "Host and port of the broker."},
            "vhost": {"description": "The virtual host.", "examples": [vhost_example]},
        },
        "security": [{"$ref": f"#/components/securitySchemes/{SECURITY}"}],
    }


def _exchange_binding(name: str) -> dict[str, Any]:
    return {
        "amqp": {
            "is": "routingKey",
            "exchange": {
                "name": name,
                "type": "topic",
                "durable": True,
                "autoDelete": False,
                "vhost": "{vhost}",
            },
            "bindingVersion": BINDING_VERSION,
        }
    }


def _internal(channels: dict[str, Any], operations: dict[str, Any], messages: dict[str, Any]) -> None:
    for event_type, model in sorted(REGISTRY.items()):
        national = model.PRODUCER == "integrasjon" and ".sak_sammendrag." in event_type
        exchange = NATIONAL_EXCHANGE if national else exchange_for(model.PRODUCER)
        name = model.__name__
        messages[name] = _message(model, model.PRODUCER, integrator=False)
        channel_id = f"{exchange}:{event_type}"
        channels[channel_id] = {
            "address": "{hf}." + event_type,
            "title": f"{exchange} – {name}",
            "description": f"Topic exchange `{exchange}`, routing key `<hf>.{event_type}`.",
            "servers": [{"$ref": "#/servers/nasjonal" if national else "#/servers/helseforetak"}],
            "parameters": {"hf": {"description": "Trust code in upper case, e.g. HBE."}},
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": _exchange_binding(exchange),
        }
        operations[f"send{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Published by `{model.PRODUCER}` through its transactional outbox.",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": BINDING_VERSION}},
        }


INTEGRATOR_CHANNELS: tuple[tuple[str, bool, tuple[type[EventContract], ...]], ...] = (
    (routing.EXCHANGE, False, (IntegratorVedtakFattet, IntegratorVedtakOpphevet)),
    (routing.EXCHANGE_PASIENT, True, (IntegratorVedtakFattetMedPasient, IntegratorVedtakOpphevetMedPasient)),
)


def _integrator(channels: dict[str, Any], operations: dict[str, Any], messages: dict[str, Any]) -> None:
    for exchange, identitet, models in INTEGRATOR_CHANNELS:
        entitlement = (
            "Only integrators whose user was made with `--identitet` may bind here (others are refused)."
            if identitet
            else (
                "Every integrator may bind here; no message carries the patient's identity, nor free text "
                "that could describe the patient (the dose, the conditions' wording)."
            )
        )
        for model in models:
            messages[model.__name__] = _message(model, "integrasjon", integrator=True)
        channels[exchange] = {
            "address": "{hf}.vedtak.{hendelse}.{kategori}.{enhet}.{utfall}",
            "title": f"Decisions, {'with' if identitet else 'without'} the patient's identity",
            "description": (
                f"Topic exchange `{exchange}` for integrators, apart from the services' own. {entitlement} "
                "Declare a queue named `integrator-<name>.…` and bind it with a pattern over the routing "
                "key, e.g. `HBE.vedtak.*.off_label.#` or `*.vedtak.opphevet.#`."
            ),
            "servers": [{"$ref": "#/servers/helseforetak"}],
            "parameters": {
                "hf": {"description": "Trust code in upper case, e.g. HBE."},
                "hendelse": {
                    "enum": list(routing.HENDELSER),
                    "description": "A first decision, an amendment, a revocation.",
                },
                "kategori": {
                    "enum": [
                        "off_label",
                        "godkjenningsfritak",
                        "unntaksordningen",
                        "tilgangsordningen",
                        routing.UNKNOWN,
                    ],
                    "description": "The scheme.",
                },
                "enhet": {"description": "Code of the unit the case belongs to, e.g. HBE-NEVRO."},
                "utfall": {
                    "enum": ["innvilget", "innvilget_med_vilkar", "avslatt", "opphevet"],
                    "description": "The outcome; `opphevet` for a revocation.",
                },
            },
            "messages": {m.__name__: {"$ref": f"#/components/messages/{m.__name__}"} for m in models},
            "bindings": _exchange_binding(exchange),
        }
        operation = "receiveVedtakMedPasient" if identitet else "receiveVedtak"
        operations[operation] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{exchange}"},
            "summary": "An integrator consumes decisions from its own queue bound to this exchange.",
            "messages": [{"$ref": f"#/channels/{exchange}/messages/{m.__name__}"} for m in models],
            "security": [{"$ref": f"#/components/securitySchemes/{SECURITY}"}],
            "bindings": {"amqp": {"ack": True, "bindingVersion": BINDING_VERSION}},
        }


def build() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = _amqp_schemas()
    for model in sorted(REGISTRY.values(), key=lambda m: m.TYPE):
        _schema_of(model, schemas)
    for _, _, models in INTEGRATOR_CHANNELS:
        for model in models:
            _schema_of(model, schemas)
    _internal(channels, operations, messages)
    _integrator(channels, operations, messages)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Søknadsportalen – hendelseskatalog",
            "version": "2.0.0",
            "description": (
                "The events of Søknadsportalen as they travel on RabbitMQ. Every AMQP body is one "
                "CloudEvents 1.0 event in structured JSON mode (`application/cloudevents+json`): the "
                "attributes `id`, `source`, `type`, `specversion`, `time`, `subject` (the løpenummer), "
                "`datacontenttype`, the extensions `hf` and `correlationid`, and `data` with the event's own "
                "schema. Type names are `no.soknadsportal.<service>.<event>.v<N>`; an additive change keeps "
                "the version. Integrators read from the `integrator.vedtak` exchanges only; see "
                "docs/integrators.md."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "helseforetak": _server("The trust's own broker: one vhost per trust.", "sp-hbe"),
            "nasjonal": _server(
                "The national overview's broker, fed by every trust's integrasjon.", "sp-nasjonal"
            ),
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "securitySchemes": {
                SECURITY: {
                    "type": "userPassword",
                    "description": (
                        "A broker user per service and per integrator (AMQP PLAIN). An integrator user "
                        "(`integrator-<name>`, made by `python -m integrasjon.integratorer add`) may only "
                        "declare, bind and consume queues named `integrator-<name>.…`, never publish."
                    ),
                }
            },
        },
    }


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=2) + "\n"
