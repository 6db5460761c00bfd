"""An integrator's consumer of Søknadsportalen's decisions, written with pika (not our own AMQP client).

    python examples/integrator_pika.py --url amqp://integrator-apotek:PASSORD@mq.hf.example:5672/sp-hbe \\
        --name apotek --exchange integrator.vedtak.pasient --bind 'HBE.vedtak.#'

It declares its own durable queue `integrator-<name>.vedtak`, binds it, and prints one JSON line per
decision. A message is acknowledged only after it was handled, so nothing is lost if this process
stops; the same decision may then come again, so handle it idempotently (by the CloudEvent `id`).
Needs `pika` (and, to parse the body with the CloudEvents SDK, `cloudevents`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pika
from cloudevents.v1.http import from_json


def summary(body: bytes) -> dict[str, Any]:
    """What a pharmacy system acts on, from the CloudEvent (structured JSON mode)."""
    event = from_json(body)
    data = event.data
    pasient = data.get("pasient")
    omfang = data.get("omfang") or {}
    return {
        "id": event["id"],
        "type": event["type"],
        "lopenummer": event["subject"],
        "vedtak_id": data["vedtak_id"],
        "hendelse": "opphevet" if data["art"] == "opphevelse" else data["art"],
        "utfall": data.get("utfall", "opphevet"),
        "legemiddel": (omfang.get("legemiddel") or {}).get("navn"),
        "atc": (omfang.get("legemiddel") or {}).get("atc"),
        "gyldig_til": data.get("gyldig_til"),
        "fodselsnummer": pasient["fodselsnummer"] if pasient else None,
    }


def consume(url: str, name: str, exchange: str, keys: list[str], count: int | None) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    queue = f"integrator-{name}.vedtak"
    # Quorum: replicated and durable; the broker lets you declare only queues named integrator-<name>.…
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    for key in keys:
        channel.queue_bind(queue, exchange, routing_key=key)
    channel.basic_qos(prefetch_count=10)
    print(json.dumps({"klar": queue}), flush=True)
    for handled, (method, _properties, body) in enumerate(channel.consume(queue), start=1):
        print(json.dumps(summary(body), ensure_ascii=False), flush=True)
        channel.basic_ack(method.delivery_tag)  # after handling, never before
        if count is not None and handled >= count:
            break
    channel.cancel()
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="amqp://integrator-<name>:<password>@host:5672/<vhost>")
    parser.add_argument("--name", required=True, help="The name your user was made with.")
    parser.add_argument("--exchange", default="integrator.vedtak", help="integrator.vedtak[.pasient]")
    parser.add_argument("--bind", action="append", default=[], help="Routing-key pattern (repeatable).")
    parser.add_argument("--count", type=int, help="Stop after this many decisions.")
    args = parser.parse_args(argv)
    consume(args.url, args.name, args.exchange, args.bind or ["#"], args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
