"""An integrator's broker permissions never reach an exchange it was not meant to have, whatever its
(valid) name: with the old queue prefix `integrator.<name>.` a user named `vedtak` was granted
configure, write and read on `integrator.vedtak.pasient` (the patient-bearing exchange)."""

from __future__ import annotations

import re

import pytest

from integrasjon.integratorer import brukere, routing
from shared.platform.bus.base import exchange_for

SERVICES = ("soknad", "vurdering", "beslutning", "oversikt", "integrasjon", "vedtak", "pasient")
EXCHANGES = (
    *routing.INTEGRATOR_EXCHANGES,
    routing.UNROUTED_QUEUE,
    "nasjonal.sammendrag",
    *(exchange_for(s) for s in SERVICES),
    "",
    "amq.default",
    "amq.topic",
    "amq.direct",
    "amq.fanout",
    "amq.headers",
    "amq.match",
)
NAMES = (
    "vedtak",
    "pasient",
    "urutet",
    "vedtak-pasient",
    "events",
    "soknad",
    "nasjonal",
    "amq",
    "apotek",
    "statistikk",
    "a1",
    "0x",
)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("identitet", [False, True])
def test_no_valid_name_grants_an_exchange_beyond_its_entitlement(name: str, identitet: bool) -> None:
    brukere.check_name(name)  # all valid names
    configure, write, read = routing.permissions(name, identitet=identitet)
    entitled = {routing.EXCHANGE, routing.EXCHANGE_PASIENT} if identitet else {routing.EXCHANGE}
    for exchange in EXCHANGES:
        assert not re.match(configure, exchange), (name, exchange)
        assert not re.match(write, exchange), (name, exchange)
        assert bool(re.match(read, exchange)) == (exchange in entitled), (name, exchange)
    assert not routing.grants_an_exchange(name)
    # Its own queues, and only its own: not those of an integrator whose name starts like its.
    own = f"{routing.queue_prefix(name)}vedtak"
    assert re.match(configure, own) and re.match(write, own) and re.match(read, own)
    for other in (f"{routing.queue_prefix(name + '-x')}vedtak", f"{routing.queue_prefix(name + 'x')}vedtak"):
        assert not re.match(configure, other) and not re.match(read, other), other


def test_the_queue_prefix_is_apart_from_every_exchange_name() -> None:
    assert routing.queue_prefix("vedtak") == "integrator-vedtak."
    assert not any(e.startswith(routing.QUEUE_NAMESPACE) for e in EXCHANGES)
