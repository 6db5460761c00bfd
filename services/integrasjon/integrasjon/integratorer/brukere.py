"""Integrator users on the trust's broker, administered with `rabbitmqctl` (the management plugin is
not assumed): read-only users that may declare and bind their own queues and nothing else."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from integrasjon.integratorer import routing


class BrukerFeil(Exception):
    """A Norwegian message for the administrator."""


def vhost_of(bus_url: str) -> str:
    return unquote(urlsplit(bus_url).path.removeprefix("/")) or "/"


@dataclass(frozen=True)
class Rabbitmqctl:
    command: Sequence[str] = ("rabbitmqctl",)

    def run(self, *args: str) -> str:
        try:
            result = subprocess.run(
                [*self.command, "--quiet", *args], capture_output=True, text=True, timeout=120, check=False
            )
        except FileNotFoundError as exc:
            raise BrukerFeil(
                f"Fant ikke {self.command[0]}: kjør kommandoen der RabbitMQ er installert."
            ) from exc
        if result.returncode != 0:
            # The arguments are not echoed: `add_user`'s include the password.
            raise BrukerFeil(f"rabbitmqctl {args[0]} feilet: {(result.stderr or result.stdout).strip()}")
        return result.stdout


def check_name(name: str) -> None:
    if not routing.NAME_PATTERN.match(name):
        raise BrukerFeil(
            "Navnet må være 2–40 tegn: små bokstaver a–z, sifre og bindestrek, "
            "og begynne med bokstav eller siffer."
        )
    # The queue prefix makes this impossible; checked anyway, as the last guard before the broker.
    if routing.grants_an_exchange(name):
        raise BrukerFeil(f"Navnet {name} kan ikke brukes: det ville gitt tilgang til en exchange.")


def add(ctl: Rabbitmqctl, *, name: str, identitet: bool, vhost: str) -> str:
    """Create the user with its permissions on `vhost`; return its password (shown once, never stored)."""
    check_name(name)
    user = routing.broker_user(name)
    existing = ctl.run("list_users", "--no-table-headers").split()
    if user in existing:
        raise BrukerFeil(f"Brukeren {user} finnes allerede. Fjern den først for å lage en ny.")
    # Hex: a password starting with "-" would be taken by rabbitmqctl for an option.
    password = secrets.token_hex(24)
    ctl.run("add_user", user, password)
    try:
        configure, write, read = routing.permissions(name, identitet=identitet)
        ctl.run("set_permissions", "-p", vhost, user, configure, write, read)
    except BrukerFeil:
        ctl.run("delete_user", user)
        raise
    return password


def remove(ctl: Rabbitmqctl, *, name: str) -> None:
    check_name(name)
    ctl.run("delete_user", routing.broker_user(name))
