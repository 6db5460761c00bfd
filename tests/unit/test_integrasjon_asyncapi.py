"""The event catalogue (integrasjon's AsyncAPI 3.0 generator): checked in as generated, and saying what
really travels: the whole structured CloudEvent as the body, AMQP properties and headers, per-trust
vhosts as a server variable, a security scheme, and `receive` operations on the integrator exchanges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from integrasjon.asyncapi.generator import INTEGRATOR_CHANNELS, build, render
from integrasjon.integratorer import mapper
from integrasjon.integratorer.tables import IntegratorSak
from integrasjon.webhooks.domain import EndepunktInput
from shared.events.base import REGISTRY
from shared.events.envelope import Envelope
from tests.support.json_schema import errors, resolve
from tests.support.vedtak_events import PASIENT_NAVN, pasient, vedtak

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_checked_in_catalogue_is_the_generators_output() -> None:
    assert json.loads(CATALOGUE.read_text()) == json.loads(render()), (
        "run `python -m integrasjon.asyncapi > docs/asyncapi.json`"
    )


def test_every_event_is_sent_and_the_integrator_exchanges_are_received() -> None:
    doc = build()
    sent = {
        resolve(doc, op["messages"][0]["$ref"])["$ref"].rsplit("/", 1)[1]
        for op in doc["operations"].values()
        if op["action"] == "send"
    }
    assert sent == {model.__name__ for model in REGISTRY.values()}
    received = {op["channel"]["$ref"] for op in doc["operations"].values() if op["action"] == "receive"}
    assert received == {"#/channels/integrator.vedtak", "#/channels/integrator.vedtak.pasient"}
    for exchange, _, _ in INTEGRATOR_CHANNELS:
        channel = doc["channels"][exchange]
        assert channel["address"] == "{hf}.vedtak.{hendelse}.{kategori}.{enhet}.{utfall}"
        assert channel["bindings"]["amqp"]["exchange"]["name"] == exchange


def test_servers_have_the_trusts_vhost_as_a_variable_and_a_security_scheme() -> None:
    doc = build()
    for server in doc["servers"].values():
        assert server["protocol"] == "amqp"
        assert server["pathname"] == "/{vhost}"
        assert "vhost" in server["variables"]
        assert resolve(doc, server["security"][0]["$ref"])["type"] == "userPassword"
    for channel in doc["channels"].values():
        assert channel["bindings"]["amqp"]["exchange"]["vhost"] == "{vhost}"


def envelope_json(data: dict[str, Any], event_type: str) -> dict[str, Any]:
    envelope = Envelope(
        source="/hf/HBE/integrasjon",
        type=event_type,
        subject="HBE-2026-000042",
        hf="HBE",
        correlationid="c-1",
        data=data,
        time=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    )
    loaded: dict[str, Any] = json.loads(envelope.model_dump_json())
    return loaded


def test_the_payload_is_the_whole_cloudevent_not_its_data() -> None:
    doc = build()
    sak = IntegratorSak(
        lopenummer="HBE-2026-000042",
        hf="HBE",
        type="enkeltpasient",
        kategori="off_label",
        enhet="HBE-NEVRO",
        fodselsnummer=pasient().fodselsnummer,
        pasient_navn=PASIENT_NAVN,
    )
    anonym, med_pasient = mapper.vedtak_fattet(vedtak("HBE-2026-000042"), sak, hf="HBE")
    for event in (anonym, med_pasient):
        message = doc["components"]["messages"][type(event).__name__]
        body = envelope_json(event.model_dump(mode="json"), event.TYPE)
        assert errors(body, message["payload"], doc) == []
        # What the old catalogue documented as the payload (the bare data) is not what travels.
        assert errors(body["data"], message["payload"], doc) != []
    # The variant without identity has no field for a patient; the other one has.
    assert "pasient" in resolve(doc, "#/components/schemas/IntegratorVedtakFattetMedPasient")["properties"]
    assert "pasient" not in resolve(doc, "#/components/schemas/IntegratorVedtakFattet")["properties"]


def test_the_variant_without_identity_has_no_place_for_free_text() -> None:
    """The dose and the conditions' wording may describe the patient: the document says they are not
    there, and the message is not carrying them."""
    doc = build()
    schemas = doc["components"]["schemas"]
    anonym = schemas["IntegratorVedtakFattet"]["properties"]
    assert "vilkar_tekst" not in anonym and "begrunnelse" not in anonym
    assert schemas["IntegratorVedtakFattet"]["properties"]["vilkar"]["items"]["$ref"].endswith(
        "/IntegratorVilkar"
    )
    assert set(schemas["IntegratorVilkar"]["properties"]) == {"type", "dato"}
    assert "dosering" not in schemas["IntegratorOmfang"]["properties"]
    med = schemas["IntegratorVedtakFattetMedPasient"]["properties"]
    assert "vilkar_tekst" in med and "tekst" in schemas["Vilkar"]["properties"]
    assert "dosering" in schemas["VedtakOmfang"]["properties"]


def test_the_example_in_the_integrator_guide_is_a_valid_message() -> None:
    guide = (CATALOGUE.parent / "integrators.md").read_text()
    blocks = [block.split("```", 1)[0] for block in guide.split("```json\n")[1:]]
    example, registration = json.loads(blocks[0]), json.loads(blocks[1])
    doc = build()
    (message,) = [m for m in doc["components"]["messages"].values() if m["name"] == example["type"]]
    assert errors(example, message["payload"], doc) == []
    assert EndepunktInput.model_validate(registration).identitet is True


def test_every_integrator_field_is_described() -> None:
    for _, _, models in INTEGRATOR_CHANNELS:
        for model in models:
            for name, field in model.model_fields.items():
                assert field.description, f"{model.__name__}.{name} has no description"
