"""`python -m integrasjon.integratorer add NAVN --identitet|--uten-identitet`: an integrator's broker
user, with its password printed once."""

from __future__ import annotations

import argparse
import shlex
import sys

from integrasjon.integratorer import brukere, routing
from integrasjon.settings import IntegrasjonSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrasjon.integratorer", description=__doc__)
    parser.add_argument("--vhost", help="Trust vhost (default: the one in SP_INTEGRASJON_BUS_URL).")
    parser.add_argument("--rabbitmqctl", default="rabbitmqctl", help="How to run rabbitmqctl.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="Create an integrator user with read-only permissions.")
    add.add_argument("name", help="Short name, e.g. apotek or statistikk.")
    entitlement = add.add_mutually_exclusive_group(required=True)
    entitlement.add_argument(
        "--identitet", dest="identitet", action="store_true", help="May receive the patient."
    )
    entitlement.add_argument("--uten-identitet", dest="identitet", action="store_false", help="May not.")
    remove = commands.add_parser("remove", help="Delete an integrator user.")
    remove.add_argument("name")
    args = parser.parse_args(argv)

    ctl = brukere.Rabbitmqctl(tuple(shlex.split(args.rabbitmqctl)))
    try:
        if args.command == "add":
            vhost = args.vhost or brukere.vhost_of(IntegrasjonSettings().bus_url)
            password = brukere.add(ctl, name=args.name, identitet=args.identitet, vhost=vhost)
            exchange = routing.exchange_for(identitet=args.identitet)
            print(f"Bruker:    {routing.broker_user(args.name)}")
            print(f"Passord:   {password}")
            print(f"Vhost:     {vhost}")
            print(f"Exchange:  {exchange}")
            print(f"Køer:      {routing.queue_prefix(args.name)}<hva som helst>")
            print("Passordet vises bare denne ene gangen. Gi det til integratoren på en sikker måte.")
        else:
            brukere.remove(ctl, name=args.name)
            print(f"Brukeren {routing.broker_user(args.name)} er slettet.")
    except brukere.BrukerFeil as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
