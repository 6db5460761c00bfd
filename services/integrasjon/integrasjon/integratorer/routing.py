"""Names on the trust's broker for integrators: exchanges, routing keys, queue prefixes, permissions.

Two topic exchanges, one per entitlement, because RabbitMQ grants `read` per exchange: an integrator
without the right to the patient's identity is never given read on `integrator.vedtak.pasient`, so the
broker refuses its binding there. Routing keys are the same on both:

    <hf>.vedtak.<hendelse>.<kategori>.<enhet>.<utfall>

`hendelse` is `fattet`, `endret` or `opphevet`; `utfall` is `innvilget`, `innvilget_med_vilkar`,
`avslatt`, or `opphevet` on a revocation. A word that is unknown (an old event) is `ukjent`."""

from __future__ import annotations

import re
from typing import Final, Literal

EXCHANGE: Final = "integrator.vedtak"
"""Decisions without the patient's identity."""
EXCHANGE_PASIENT: Final = "integrator.vedtak.pasient"
"""The same decisions with the patient's identity, for entitled integrators only."""
UNROUTED_EXCHANGE: Final = "integrator.urutet"
"""Alternate exchange of both: a decision no integrator has bound yet is dropped there, instead of
coming back unroutable and holding up the outbox (the relay publishes with `mandatory`)."""
UNROUTED_QUEUE: Final = "integrator.urutet"
INTEGRATOR_EXCHANGES: Final = (EXCHANGE, EXCHANGE_PASIENT, UNROUTED_EXCHANGE)

Hendelse = Literal["fattet", "endret", "opphevet"]
HENDELSER: Final[tuple[Hendelse, ...]] = ("fattet", "endret", "opphevet")

NAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
UNKNOWN: Final = "ukjent"


def word(value: str | None) -> str:
    """One routing-key word: dots and wildcards would change what a binding matches."""
    if not value:
        return UNKNOWN
    return _UNSAFE.sub("_", value)


def routing_key(*, hf: str, hendelse: Hendelse, kategori: str | None, enhet: str | None, utfall: str) -> str:
    return ".".join((word(hf), "vedtak", hendelse, word(kategori), word(enhet), word(utfall)))


def exchange_for(*, identitet: bool) -> str:
    return EXCHANGE_PASIENT if identitet else EXCHANGE


def broker_user(name: str) -> str:
    return f"integrator-{name}"


QUEUE_NAMESPACE: Final = "integrator-"
"""Integrators' queues are named `integrator-<name>.…`, like their users: no exchange, ours or the
broker's, starts with `integrator-` (ours are `integrator.…`, `<service>.events`, `nasjonal.…`, `amq.…`),
so an integrator's configure and write patterns can never match one, whatever its name. With the
earlier prefix `integrator.<name>.` an integrator named `vedtak` was granted `integrator.vedtak.pasient`.
Names hold no dot, so one integrator's prefix never matches another's queues either."""


def queue_prefix(name: str) -> str:
    return f"{QUEUE_NAMESPACE}{name}."


def permissions(name: str, *, identitet: bool) -> tuple[str, str, str]:
    """(configure, write, read) regexes for `rabbitmqctl set_permissions`.

    configure and write only match the integrator's own queues (declare, bind: `queue.bind` needs write
    on the queue and read on the exchange), so it cannot publish to any exchange of ours, nor to the
    default exchange (`amq.default`). read adds the exchanges it may bind to."""
    own = re.escape(queue_prefix(name)) + ".*"
    exchanges = [EXCHANGE, EXCHANGE_PASIENT] if identitet else [EXCHANGE]
    read = "^(" + "|".join([own, *(re.escape(e) for e in exchanges)]) + ")$"
    return f"^{own}$", f"^{own}$", read


def grants_an_exchange(name: str) -> bool:
    """Whether the integrator's configure or write pattern would match one of the integrator exchanges
    (or the queue that drops unrouted decisions): it must never."""
    configure, write, _ = permissions(name, identitet=False)
    return any(
        re.match(pattern, resource)
        for pattern in (configure, write)
        for resource in (*INTEGRATOR_EXCHANGES, UNROUTED_QUEUE)
    )
