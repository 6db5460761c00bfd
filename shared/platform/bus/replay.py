"""Operator CLI for dead letters: count, list and replay them on RabbitMQ.

    python -m shared.platform.bus.replay --url amqp://user:pw@host/vhost count <queue> [<queue> ...]
    python -m shared.platform.bus.replay --url ... list-dead-letters <queue> [--limit N]
    python -m shared.platform.bus.replay --url ... replay <queue> [--limit N]

`<queue>` is the consumer queue (`evt-<exchange>-<event type>--<consumer>.<handler>`), not its `.dlq`.
The URL defaults to $BUS_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

from shared.platform.bus.base import DeadLetter, RetryPolicy, UnknownQueueError
from shared.platform.bus.rabbitmq import RabbitBus


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.url:
        print("no broker URL: pass --url or set BUS_URL", file=sys.stderr)
        return 2
    if not args.url.startswith(("amqp://", "amqps://")):
        print("dead letters live in RabbitMQ: the URL must be amqp:// or amqps://", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args))
    except UnknownQueueError as exc:
        print(f"no such consumer queue: {exc.args[0]}", file=sys.stderr)
        return 1


async def _run(args: argparse.Namespace) -> int:
    bus = RabbitBus(args.url, retry=RetryPolicy(), connection_name="soknadsportal-replay")
    await bus.connect()
    try:
        if args.command == "count":
            for queue in args.queues:
                print(f"{await bus.dead_letter_count(queue):>8}  {queue}.dlq")
        elif args.command == "list-dead-letters":
            letters = await bus.dead_letters(args.queue, limit=args.limit)
            for letter in letters:
                print(_describe(letter))
            print(f"{len(letters)} dead letter(s) shown from {args.queue}.dlq")
        else:
            moved = await bus.replay_dead_letters(args.queue, limit=args.limit)
            print(f"replayed {moved} dead letter(s) from {args.queue}.dlq to {args.queue}")
    finally:
        await bus.close()
    return 0


def _describe(letter: DeadLetter) -> str:
    try:
        envelope = json.loads(letter.envelope_json)
    except ValueError:
        envelope = None
    if isinstance(envelope, dict):
        # Identifiers only: the payload may hold personal data and stays out of terminals and logs.
        what = f"{envelope.get('id')}  {envelope.get('type')}  hf={envelope.get('hf')}"
    else:
        what = f"(undecodable, {len(letter.envelope_json)} characters)"
    when = letter.dead_lettered_at.isoformat(timespec="seconds") if letter.dead_lettered_at else "?"
    return f"{when}  attempts={letter.attempts}  {what}\n    reason: {letter.reason}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shared.platform.bus.replay", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--url", default=os.environ.get("BUS_URL"), help="amqp URL (default: $BUS_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    count = commands.add_parser("count", help="number of dead letters per consumer queue")
    count.add_argument("queues", nargs="+", metavar="queue")
    listing = commands.add_parser("list-dead-letters", help="show dead letters without removing them")
    listing.add_argument("queue")
    listing.add_argument("--limit", type=int, default=100)
    replay = commands.add_parser("replay", help="move dead letters back to their consumer queue")
    replay.add_argument("queue")
    replay.add_argument("--limit", type=int, default=None)
    return parser


if __name__ == "__main__":
    sys.exit(main())
