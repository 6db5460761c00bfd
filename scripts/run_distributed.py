"""The distributed mode on one machine: every service its own process, one PostgreSQL database per
service, a RabbitMQ vhost per trust and a national vhost for `oversikt`.

    python scripts/run_distributed.py                 # two trusts (HBE, OUS) + the national overview
    python scripts/run_distributed.py --trusts HBE    # one trust
    python scripts/run_distributed.py --oidc-issuer https://helseid-sts.test.nhn.no --oidc-audience x

Needs local PostgreSQL (trust auth) and RabbitMQ administered with `rabbitmqctl` (as root). The e2e
tests use the same `Topology` class. Without `--oidc-issuer` every process has the demo login.

Ctrl-C (SIGINT) and SIGTERM both stop every service and delete what the run created (databases, vhosts,
users) unless `--keep` is given. Everything it creates is named after `--name` (random by default).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
TRUST_SERVICES = ("soknad", "vurdering", "beslutning", "integrasjon")
NATIONAL_EXCHANGE = "nasjonal.sammendrag"


def rabbit_password_hash(password: str) -> str:
    """RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


@dataclass
class Process:
    service: str
    hf: str  # "NASJONAL" for oversikt
    port: int
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/{self.service}"


@dataclass
class Topology:
    trusts: tuple[str, ...] = ("HBE", "OUS")
    base_port: int = 8100
    name: str = field(default_factory=lambda: f"sp{uuid.uuid4().hex[:6]}")
    amqp_host: str = "127.0.0.1"
    amqp_port: int = 5672
    rabbitmqctl: tuple[str, ...] = ("rabbitmqctl",)
    pg_dsn: str = "postgresql+asyncpg://postgres@127.0.0.1:5432"
    pg_admin: tuple[str, ...] = ("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q")
    oidc_issuer: str | None = None
    oidc_audience: str = "soknadsportal"
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sp-distributed-")))
    retry_delays_s: tuple[float, ...] = (1.0, 5.0, 30.0)
    ready_timeout_s: float = 60.0
    """How long `start` waits for each process to answer /health/ready (every process imports and
    migrates at once: on a busy two-core machine a dozen of them take longer than a minute)."""
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[tuple[str, str], Process] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)

    # --- names ------------------------------------------------------------------------------------
    def vhost(self, hf: str) -> str:
        return f"{self.name}-{hf.lower()}"

    @property
    def national_vhost(self) -> str:
        return f"{self.name}-nasjonal"

    def database(self, hf: str, service: str) -> str:
        return f"{self.name}_{hf.lower()}_{service}"

    def user(self, role: str) -> str:
        return f"{self.name}-{role}"

    def amqp_url(self, user: str, vhost: str) -> str:
        credentials = f"{quote(user, safe='')}:{quote(self.passwords[user], safe='')}"
        return f"amqp://{credentials}@{self.amqp_host}:{self.amqp_port}/{quote(vhost, safe='')}"

    def national_user(self, hf: str) -> str:
        # Also the `user-id` property oversikt expects on this trust's summaries.
        return f"integrasjon-{hf.lower()}-{self.name}"

    # --- infrastructure ---------------------------------------------------------------------------
    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.rabbitmqctl, "--quiet", *args], check=True, capture_output=True, timeout=60)

    def _ctl_all(self, commands: Sequence[tuple[str, ...]]) -> None:
        """Several rabbitmqctl commands at once, failures ignored (clean-up): each call starts an Erlang
        VM of its own, about a second, so a teardown of a dozen sequential calls took half a minute."""
        running = [
            subprocess.Popen(
                [*self.rabbitmqctl, "--quiet", *c], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for c in commands
        ]
        for proc in running:
            proc.wait(timeout=120)

    def _psql(self, sql: str) -> None:
        subprocess.run([*self.pg_admin, "-c", sql], check=True, capture_output=True, timeout=60)

    def _user(self, user: str) -> dict[str, Any]:
        # Hex, not urlsafe: a password starting with "-" is taken by rabbitmqctl for an option.
        self.passwords[user] = secrets.token_hex(18)
        return {
            "name": user,
            "password_hash": rabbit_password_hash(self.passwords[user]),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": [],
        }

    def definitions(self) -> dict[str, Any]:
        """Every vhost, user and permission of the run, as one RabbitMQ definitions document."""
        users: list[dict[str, Any]] = []
        permissions: list[dict[str, str]] = []
        topic_permissions: list[dict[str, str]] = []

        def grant(user: str, vhost: str, configure: str, write: str, read: str) -> None:
            permissions.append(
                {"user": user, "vhost": vhost, "configure": configure, "write": write, "read": read}
            )

        oversikt_user = self.user("oversikt")
        users.append(self._user(oversikt_user))
        grant(oversikt_user, self.national_vhost, ".*", ".*", ".*")
        vhosts = [self.national_vhost]
        for hf in self.trusts:
            vhost = self.vhost(hf)
            vhosts.append(vhost)
            services_user = self.user(hf.lower())
            users.append(self._user(services_user))
            grant(services_user, vhost, ".*", ".*", ".*")
            # The trust's integrasjon may only write its own routing keys to the national exchange.
            national = self.national_user(hf)
            users.append(self._user(national))
            grant(national, self.national_vhost, "^$", f"^{NATIONAL_EXCHANGE}$", "^$")
            topic_permissions.append(
                {
                    "user": national,
                    "vhost": self.national_vhost,
                    "exchange": NATIONAL_EXCHANGE,
                    "write": f"^{hf}\\.",
                    "read": "^$",
                }
            )
        return {
            "vhosts": [{"name": v} for v in vhosts],
            "users": users,
            "permissions": permissions,
            "topic_permissions": topic_permissions,
        }

    def setup(self) -> None:
        for service in ("oversikt", "katalog"):
            self._psql(f'CREATE DATABASE "{self.database("nasjonal", service)}"')
        for hf in self.trusts:
            for service in (*TRUST_SERVICES, "katalog"):
                self._psql(f'CREATE DATABASE "{self.database(hf, service)}"')
        # One import instead of ~30 rabbitmqctl calls (a second each; most of a distributed test's set-up).
        # Existing users of the same name are overwritten, as `delete_user` + `add_user` did.
        definitions = self.definitions()
        # Debian's rabbitmqctl reads the file as the `rabbitmq` user (it runs the CLI through `su`), and
        # this version cannot read standard input: a readable file of its own, gone after the import.
        # /tmp itself: a TMPDIR of the caller's (pytest's per-test folders) is closed to other users.
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="sp-definitions-", dir="/tmp") as file:
            json.dump(definitions, file)
            file.flush()
            os.chmod(file.name, 0o644)
            self._ctl("import_definitions", file.name)
        # The broker applies an import in the background: wait until the last grant is in place.
        expected = {(p["vhost"], p["user"]) for p in definitions["permissions"]}
        deadline = time.monotonic() + 60
        while True:
            listed = set()
            for vhost in {v for v, _ in expected}:
                out = subprocess.run(
                    [*self.rabbitmqctl, "--quiet", "list_permissions", "-p", vhost],
                    capture_output=True, text=True, timeout=60,
                ).stdout  # fmt: skip
                listed |= {(vhost, line.split("\t", 1)[0]) for line in out.splitlines()[1:] if line}
            if expected <= listed:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"RabbitMQ did not apply the definitions: missing {sorted(expected - listed)}"
                )
            time.sleep(0.2)

    def teardown(self) -> None:
        self.stop()
        for hf in self.trusts:
            for service in (*TRUST_SERVICES, "katalog"):
                self._drop_db(self.database(hf, service))
        for service in ("oversikt", "katalog"):
            self._drop_db(self.database("nasjonal", service))
        self._ctl_all(
            [("delete_vhost", self.vhost(hf)) for hf in self.trusts]
            + [("delete_vhost", self.national_vhost)]
            + [("delete_user", user) for user in self.passwords]
        )

    def _drop_db(self, name: str) -> None:
        subprocess.run(
            [*self.pg_admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            capture_output=True,
            timeout=60,
        )

    # --- processes --------------------------------------------------------------------------------
    def _common_env(self, prefix: str) -> dict[str, str]:
        env = {
            f"{prefix}LOG_JSON": "true",
            f"{prefix}BUS_RETRY_DELAYS_S": json.dumps(list(self.retry_delays_s)),
            f"{prefix}OUTBOX_POLL_INTERVAL_S": "0.5",
        }
        if self.oidc_issuer:
            env |= {
                f"{prefix}AUTH_MODE": "oidc",
                f"{prefix}OIDC_ISSUER": self.oidc_issuer,
                f"{prefix}OIDC_AUDIENCE": self.oidc_audience,
                f"{prefix}SESSION_SECRET": secrets.token_urlsafe(32),
            }
        return env

    def plan(self) -> None:
        port = self.base_port
        oversikt_port = port
        self.processes[("oversikt", "NASJONAL")] = Process(
            "oversikt",
            "NASJONAL",
            oversikt_port,
            {
                **self._common_env("SP_OVERSIKT_"),
                "SP_OVERSIKT_HF": ",".join(self.trusts),
                "SP_OVERSIKT_DATABASE_URL": f"{self.pg_dsn}/{self.database('nasjonal', 'oversikt')}",
                "SP_OVERSIKT_BUS_URL": self.amqp_url(self.user("oversikt"), self.national_vhost),
                # Its own directory of the demo people (the national team and the trusts' decision
                # makers), not `katalog.sqlite` in the working directory, which `make run` uses.
                "SP_OVERSIKT_KATALOG_DATABASE_URL": f"{self.pg_dsn}/{self.database('nasjonal', 'katalog')}",
                "SP_OVERSIKT_KATALOG_SEED_DEMO": "true",
                "SP_OVERSIKT_EXPECTED_PUBLISHERS": json.dumps(
                    {hf: self.national_user(hf) for hf in self.trusts}
                ),
            },
            self.log_dir / "nasjonal-oversikt.log",
        )
        for t, hf in enumerate(self.trusts):
            ports = {
                service: self.base_port + 10 * (t + 1) + i + 1 for i, service in enumerate(TRUST_SERVICES)
            }
            links = {service: f"http://127.0.0.1:{p}/{service}" for service, p in ports.items()}
            links["oversikt"] = f"http://127.0.0.1:{oversikt_port}/oversikt"
            for service in TRUST_SERVICES:
                prefix = f"SP_{service.upper()}_"
                env = {
                    **self._common_env(prefix),
                    f"{prefix}HF": hf,
                    f"{prefix}DATABASE_URL": f"{self.pg_dsn}/{self.database(hf, service)}",
                    f"{prefix}BUS_URL": self.amqp_url(self.user(hf.lower()), self.vhost(hf)),
                    f"{prefix}LINKS": json.dumps(links),
                    # One directory per trust, shared by its services; seeded with the demo people,
                    # whose ids the tokens of this topology carry.
                    f"{prefix}KATALOG_DATABASE_URL": f"{self.pg_dsn}/{self.database(hf, 'katalog')}",
                    f"{prefix}KATALOG_SEED_DEMO": "true",
                }
                if service == "soknad":
                    # Look-ups (drug, ICD-10) and precedent are synchronous HTTP calls.
                    env[f"{prefix}INTEGRASJON_URL"] = f"http://127.0.0.1:{ports['integrasjon']}/integrasjon"
                    env[f"{prefix}OVERSIKT_URL"] = f"http://127.0.0.1:{oversikt_port}/oversikt"
                    # The privacy officer's access log reads the other services' logs the same way.
                    env[f"{prefix}VURDERING_URL"] = f"http://127.0.0.1:{ports['vurdering']}/vurdering"
                    env[f"{prefix}BESLUTNING_URL"] = f"http://127.0.0.1:{ports['beslutning']}/beslutning"
                if service == "integrasjon":
                    env[f"{prefix}NATIONAL_BUS_URL"] = self.amqp_url(
                        self.national_user(hf), self.national_vhost
                    )
                    env[f"{prefix}NATIONAL_USER_TEMPLATE"] = self.national_user(hf)
                    # The shipped sample FEST and ICD-10 files, as in the embedded default: with OIDC an
                    # empty catalogue waits for its first real import, and this topology has none.
                    env[f"{prefix}REGISTER_SEED_SAMPLE"] = "true"
                self.processes[(service, hf)] = Process(
                    service, hf, ports[service], env, self.log_dir / f"{hf.lower()}-{service}.log"
                )

    def start_process(self, proc: Process) -> None:
        env = {**os.environ, **self.extra_env, **proc.env}
        log = proc.log.open("ab")
        proc.popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"{proc.service}.app:create_standalone_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(proc.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, proc: Process, timeout_s: float | None = None) -> None:
        deadline = time.monotonic() + (self.ready_timeout_s if timeout_s is None else timeout_s)
        last = ""
        while time.monotonic() < deadline:
            if proc.popen is not None and proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.service} ({proc.hf}) exited; see {proc.log}")
            try:
                r = httpx.get(f"{proc.url}/health/ready", timeout=2)
                if r.status_code == 200:
                    return
                last = r.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{proc.service} ({proc.hf}) not ready: {last}; see {proc.log}")

    def start(self) -> None:
        if not self.processes:
            self.plan()
        for proc in self.processes.values():
            self.start_process(proc)
        for proc in self.processes.values():
            self.wait_ready(proc)

    def kill(self, service: str, hf: str) -> None:
        """SIGKILL: no graceful shutdown, unacked messages stay with the broker."""
        proc = self.processes[(service, hf)]
        if proc.popen is not None:
            proc.popen.send_signal(signal.SIGKILL)
            proc.popen.wait(timeout=30)
            proc.popen = None

    def restart(self, service: str, hf: str) -> None:
        proc = self.processes[(service, hf)]
        self.start_process(proc)
        self.wait_ready(proc)

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.popen is not None and proc.popen.poll() is None:
                proc.popen.terminate()
        for proc in self.processes.values():
            if proc.popen is not None:
                try:
                    proc.popen.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.popen.kill()
                proc.popen = None

    def url(self, service: str, hf: str) -> str:
        return self.processes[(service, "NASJONAL" if service == "oversikt" else hf)].url


class Stop(Exception):
    """Raised in the main thread by SIGINT or SIGTERM: leave whatever is running and tear down."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise Stop(signal.Signals(signum).name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trusts", default="HBE,OUS")
    parser.add_argument("--base-port", type=int, default=8100)
    parser.add_argument(
        "--name", help="prefix of every database, vhost and user this run creates (default: random)"
    )
    parser.add_argument("--oidc-issuer")
    parser.add_argument("--oidc-audience", default="soknadsportal")
    parser.add_argument("--keep", action="store_true", help="keep databases, vhosts and users on exit")
    args = parser.parse_args()
    if args.name is not None and not re.fullmatch(r"[a-z][a-z0-9]{1,20}", args.name):
        parser.error("--name: a lower-case letter, then 1-20 lower-case letters or digits")
    topology = Topology(
        trusts=tuple(t.strip().upper() for t in args.trusts.split(",") if t.strip()),
        base_port=args.base_port,
        oidc_issuer=args.oidc_issuer,
        oidc_audience=args.oidc_audience,
        **({"name": args.name} if args.name else {}),
    )
    # SIGTERM like Ctrl-C: both raise Stop wherever the main thread is (setting up, waiting for the
    # services, or idle), and the `finally` tears down. (A bare sigwait() without blocking the signals
    # first let SIGTERM kill the process before any teardown, leaving every service and resource behind.)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        topology.setup()
        topology.start()
        print(f"\nSøknadsportalen, distribuert ({topology.name}); logger i {topology.log_dir}\n")
        for (service, hf), proc in topology.processes.items():
            print(f"  {hf:9} {service:12} {proc.url}/")
        print("\nCtrl-C (eller SIGTERM) stopper alt.", flush=True)
        while True:
            signal.pause()
    except Stop as stop:
        print(f"\n{stop}: stopper tjenestene og rydder opp …", flush=True)
    finally:
        # The teardown runs to its end: a second Ctrl-C or SIGTERM must not leave half of it undone.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        topology.stop()
        if not args.keep:
            topology.teardown()
        print("Stoppet.", flush=True)


if __name__ == "__main__":
    main()
