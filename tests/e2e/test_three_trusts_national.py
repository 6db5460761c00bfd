"""Three trusts and the national overview as separate processes on real PostgreSQL and RabbitMQ (issue 9,
"Proof", first bullet).

HBE, OUS and SUS each run soknad, vurdering, beslutning and integrasjon against their own vhost; one
`oversikt` takes every trust's summaries from the national vhost. Cases go through the real HTTP APIs
(applicant sends, leader anchors, medical director triages, committee recommends or not, director
decides) with OIDC tokens from a local issuer. While decisions are made the national vhost is closed
to every trust (its user's permissions cleared and the vhost's connections dropped, as
tests/integration/test_national_outage.py does; the machine's RabbitMQ is never stopped), then opened
again:

- every summary arrives exactly once: in oversikt's database each case holds its last sequence number,
  applied as many times as there were summaries, each summary's event id once in the inbox; on the wire
  one summary per løpenummer and sequence number, 1..n with no gap;
- nothing personal reaches the nation: every text column of every table of oversikt's database and every
  message on the national exchange (body, headers, properties) is free of the synthetic patients'
  fødselsnummer, names and birth dates;
- forged and foreign summaries are refused: the broker refuses another trust's routing key and a side
  door past the exchange; oversikt dead-letters, and stores nothing of, a summary without user-id, one
  from an account that is not the trust's publisher and one whose body claims another trust.

tests/e2e/test_two_trusts.py covers a trust's user claiming another trust under its own key, and the
broker refusing a user-id that is not the connection's."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest

from scripts.run_distributed import NATIONAL_EXCHANGE, Topology
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer
from shared.events.common import NasjonalStatus
from shared.events.contracts import SakSammendragV2
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Role
from shared.platform.bus.base import PublishError, RetryPolicy
from shared.platform.bus.rabbitmq import USER_HEADER, RabbitBus
from tests.support.builders import complete_innhold
from tests.support.embedded_server import free_port_block
from tests.support.katalog_oppsett import bemann
from tests.support.oidc_issuer import TestIssuer
from tests.support.rabbit import (
    amqp_url,
    close_connections,
    rabbitmqctl,
    require_broker,
    set_permissions,
)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

TRUSTS = ("HBE", "OUS", "SUS")
ENHET = {"HBE": "HBE-NEVRO", "OUS": "OUS-NEVRO", "SUS": "SUS-NEVRO"}
SUS_PEOPLE = {
    Role.SOKER: "Sunniva Stavland",
    Role.LEDER: "Torleif Madla",
    Role.KOMITE: "Gunvor Hinna",
    Role.FAGDIREKTOR: "Reidar Tasta",
}
SPY = "test.nasjonal.spion"
"""A durable queue on the national exchange beside oversikt's: every national message as sent."""
SUMMARY_V2 = SakSammendragV2.TYPE


@dataclass(frozen=True)
class Pasient:
    navn: str
    fodt: date
    kjonn: str
    serial: int

    @property
    def fodselsnummer(self) -> str:
        return synthetic_fodselsnummer(self.fodt, sex=self.kjonn, serial=self.serial)  # type: ignore[arg-type]


# Per trust: one case anchored before the outage and decided during it (with the committee), and one
# sent, anchored and decided during it (by the director alone, the simplified flow).
PASIENTER: dict[str, tuple[Pasient, Pasient]] = {
    "HBE": (
        Pasient("Tretrine Qvamsdal", date(1966, 3, 17), "kvinne", 3),
        Pasient("Oddgeir Zwartstad", date(2009, 8, 5), "mann", 4),
    ),
    "OUS": (
        Pasient("Brynhild Xavanger", date(1952, 10, 29), "kvinne", 5),
        Pasient("Kjeldor Wyllemo", date(1993, 1, 8), "mann", 6),
    ),
    "SUS": (
        Pasient("Solfrid Yxnevik", date(1978, 5, 21), "kvinne", 7),
        Pasient("Haakonn Qirkebø", date(2015, 12, 2), "mann", 8),
    ),
}
UTFALL = {"komplett": "innvilget", "forenklet": "avslatt"}


# --- the topology -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[TestIssuer]:
    with TestIssuer(audience="soknadsportal") as issuer:
        yield issuer


@pytest.fixture(scope="module")
def topology(issuer: TestIssuer) -> Iterator[Topology]:
    require_broker()
    topology = Topology(
        trusts=TRUSTS,
        base_port=free_port_block(),
        oidc_issuer=issuer.issuer,
        oidc_audience="soknadsportal",
        retry_delays_s=(0.2, 0.5, 1.0, 2.0),
        ready_timeout_s=240.0,
    )
    try:
        topology.setup()
        # The spy: guest may read the national vhost, and the queue exists before anything is published.
        set_permissions("guest", topology.national_vhost, configure=".*", write=".*", read=".*")
        asyncio.run(_declare_spy(topology))
        topology.start()
        # The demo seed has people for HBE and OUS only; SUS gets its own, as its admin would add them.
        asyncio.run(
            bemann(
                f"{topology.pg_dsn}/{topology.database('SUS', 'katalog')}",
                "SUS",
                enhet=ENHET["SUS"],
                navn=SUS_PEOPLE,
            )
        )
        yield topology
    except Exception:
        for proc in topology.processes.values():
            print(f"--- {proc.log} ---\n{proc.log.read_text()[-4000:] if proc.log.exists() else ''}")
        raise
    finally:
        topology.teardown()


def _guest_url(topology: Topology) -> str:
    return amqp_url(topology.national_vhost)


async def _declare_spy(topology: Topology) -> None:
    connection = await aio_pika.connect(_guest_url(topology))
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            NATIONAL_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(SPY, durable=True)
        await queue.bind(exchange, "#")


async def spy_depth(topology: Topology) -> int:
    connection = await aio_pika.connect(_guest_url(topology))
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(SPY, passive=True)
        return int(queue.declaration_result.message_count or 0)


async def drain_spy(topology: Topology) -> list[aio_pika.abc.AbstractIncomingMessage]:
    messages = []
    connection = await aio_pika.connect(_guest_url(topology))
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(SPY, passive=True)
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            messages.append(message)
    return messages


# --- the trusts' people, through the HTTP APIs ---------------------------------------------------------


class Api(httpx.AsyncClient):
    def __init__(self, base_url: str, token: str):
        super().__init__(base_url=base_url, headers={"authorization": f"Bearer {token}"}, timeout=30)

    async def ok(self, method: str, url: str, json: Any = None) -> Any:
        response = await self.request(method, url, json=json)
        assert response.status_code < 300, f"{method} {url}: {response.status_code} {response.text}"
        return response.json()


def token(issuer: TestIssuer, hf: str, role: Role) -> str:
    name = SUS_PEOPLE.get(role, role.value) if hf == "SUS" else f"{role.value} {hf}"
    return issuer.issue(f"{hf.lower()}-{role.value}", roles=[role.value], hf=hf, enhet=ENHET[hf], name=name)


@dataclass(frozen=True)
class Sak:
    hf: str
    soknad_id: str
    lopenummer: str


async def send_and_anchor(topology: Topology, issuer: TestIssuer, hf: str, pasient: Pasient) -> Sak:
    """The applicant sends a complete application about `pasient` (named in its free text too); the
    unit's leader anchors it."""
    born = pasient.fodt.strftime("%d.%m.%Y")
    async with Api(topology.url("soknad", hf), token(issuer, hf, Role.SOKER)) as soker:
        draft = await soker.ok(
            "POST",
            "/api/soknader",
            {
                "type": "enkeltpasient",
                "kategori": "off_label",
                "enhet": ENHET[hf],
                "innhold": complete_innhold(
                    pasient_fodselsnummer=pasient.fodselsnummer,
                    pasient_navn=pasient.navn,
                    begrunnelse=f"{pasient.navn}, født {born}, har ikke effekt av azatioprin.",
                    tidligere_behandling=f"{pasient.navn} fikk azatioprin i 12 måneder.",
                ),
            },
        )
        sent = await soker.ok("POST", f"/api/soknader/{draft['id']}/send", {})
    async with Api(topology.url("soknad", hf), token(issuer, hf, Role.LEDER)) as leder:
        await leder.ok(
            "POST",
            f"/api/soknader/{draft['id']}/forankring",
            {"begrunnelse": f"Støtter søknaden for {pasient.navn}.", "kostnadssted": "4100"},
        )
    lopenummer: str = sent["lopenummer"]
    assert lopenummer.startswith(f"{hf}-"), lopenummer
    return Sak(hf, draft["id"], lopenummer)


async def decide(topology: Topology, issuer: TestIssuer, sak: Sak, flyt: str) -> None:
    """The director triages the case and decides it: `komplett` after the committee's recommendation,
    `forenklet` alone."""
    hf = sak.hf
    async with Api(topology.url("beslutning", hf), token(issuer, hf, Role.FAGDIREKTOR)) as direktor:
        found = await _case(direktor, sak.lopenummer)
        valg: dict[str, Any] = {"flyt": flyt}
        if flyt == "komplett":
            valg |= {
                "medlemmer": [f"{hf.lower()}-{Role.KOMITE.value}"],
                "frist": (date.today() + timedelta(days=14)).isoformat(),
            }
        await direktor.ok("POST", f"/api/saker/{found['id']}/triage", valg)
        if flyt == "komplett":
            async with Api(topology.url("vurdering", hf), token(issuer, hf, Role.KOMITE)) as komite:
                hos_komiteen = await _case(komite, sak.lopenummer)
                await komite.ok(
                    "POST",
                    f"/api/saker/{hos_komiteen['id']}/anbefaling",
                    {
                        "anbefaling": "innvilge",
                        "begrunnelse": "Godt dokumentert.",
                        "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
                    },
                )
            await wait_until(
                partial(_status_is, direktor, found["id"], "klar_for_vedtak"), timeout=45, interval=0.2
            )
        await direktor.ok(
            "POST",
            f"/api/saker/{found['id']}/vedtak",
            {"utfall": UTFALL[flyt], "begrunnelse": "Vedtatt i testen."},
        )


async def _case(client: Api, lopenummer: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def arrived() -> bool:
        for case in await client.ok("GET", "/api/saker"):
            if case["lopenummer"] == lopenummer:
                found.update(case)
                return True
        return False

    await wait_until(arrived, timeout=45, interval=0.2)
    return found


async def _status_is(client: Api, sak_id: str, status: str) -> bool:
    return bool((await client.ok("GET", f"/api/saker/{sak_id}"))["status"] == status)


# --- the databases -------------------------------------------------------------------------------------


async def connect_db(topology: Topology, hf: str, service: str) -> asyncpg.Connection:
    return await asyncpg.connect(host="127.0.0.1", user="postgres", database=topology.database(hf, service))


async def national_sekvens(conn: asyncpg.Connection, numbers: list[str]) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT lopenummer, sekvens FROM sammendrag WHERE lopenummer = ANY($1::text[])", numbers
    )
    return {r["lopenummer"]: r["sekvens"] for r in rows}


async def _national_has(conn: asyncpg.Connection, expected: dict[str, int]) -> bool:
    return await national_sekvens(conn, list(expected)) == expected


async def unsent_national(conn: asyncpg.Connection) -> tuple[int, int]:
    """(unsent national summaries, failed attempts on them) in a trust's integrasjon outbox."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(sum(attempts), 0) AS attempts FROM outbox"
        " WHERE destination = 'national' AND sent_at IS NULL"
    )
    assert row is not None
    return int(row["n"]), int(row["attempts"])


async def _waiting_and_tried(conns: dict[str, asyncpg.Connection], n: int) -> bool:
    states = [await unsent_national(c) for c in conns.values()]
    return all(unsent == n and attempts > 0 for unsent, attempts in states)


async def _all_sent(conns: dict[str, asyncpg.Connection]) -> bool:
    return all(unsent == 0 for unsent, _ in [await unsent_national(c) for c in conns.values()])


async def every_text(topology: Topology) -> dict[str, str]:
    """Every text column (text, varchar, char, json) of every table of oversikt's database, per table."""
    conn = await connect_db(topology, "nasjonal", "oversikt")
    try:
        columns: dict[str, list[str]] = defaultdict(list)
        for r in await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
            " ORDER BY table_name, ordinal_position"
        ):
            columns[r["table_name"]].append(r["column_name"])
        tables = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert set(columns) <= tables
        texts: dict[str, str] = {}
        for table, names in columns.items():
            select = ", ".join(f'"{c}"::text' for c in names)
            rows = await conn.fetch(f'SELECT {select} FROM "{table}"')
            texts[table] = "\n".join("\t".join(str(v) for v in row.values() if v is not None) for row in rows)
        return texts
    finally:
        await conn.close()


# --- what must never leave a trust ---------------------------------------------------------------------


def forbidden_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """The patients' fødselsnummer, names (whole and each part) and birth dates in the usual spellings."""
    found: list[tuple[str, re.Pattern[str]]] = []
    for pasient in (p for pair in PASIENTER.values() for p in pair):
        found.append(("fødselsnummer", re.compile(re.escape(pasient.fodselsnummer))))
        for part in (pasient.navn, *pasient.navn.split()):
            found.append(("navn", re.compile(re.escape(part), re.IGNORECASE)))
        d = pasient.fodt
        for spelling in (d.isoformat(), f"{d:%d.%m.%Y}", f"{d:%d.%m.%y}", f"{d:%d/%m/%Y}", f"{d:%Y%m%d}"):
            found.append(("fødselsdato", re.compile(rf"(?<!\d){re.escape(spelling)}(?!\d)")))
        # The fødselsnummer's first six digits (ddmmyy) as a number of its own.
        found.append(("fødselsdato", re.compile(rf"(?<!\d){d:%d%m%y}(?!\d)")))
    return found


def leaks(text: str) -> list[str]:
    hits = [f"{kind}: {m.group(0)}" for kind, pattern in forbidden_patterns() for m in pattern.finditer(text)]
    return hits + [f"personnummer-like: {n}" for n in find_personnummer_like(text)]


def message_text(message: aio_pika.abc.AbstractIncomingMessage) -> str:
    """Body, headers and every property of a message as it went over the wire."""
    properties = {
        "routing_key": message.routing_key,
        "message_id": message.message_id,
        "correlation_id": message.correlation_id,
        "user_id": message.user_id,
        "app_id": message.app_id,
        "type": message.type,
        "reply_to": message.reply_to,
        "headers": message.headers,
    }
    return message.body.decode() + "\n" + json.dumps(properties, default=str, ensure_ascii=False)


# --- the tests -----------------------------------------------------------------------------------------


async def test_decisions_during_a_national_outage_reach_the_nation_once_and_without_personal_data(
    topology: Topology, issuer: TestIssuer
) -> None:
    national = await connect_db(topology, "nasjonal", "oversikt")
    integrasjon = {hf: await connect_db(topology, hf, "integrasjon") for hf in TRUSTS}
    try:
        # Before the outage: every trust's first case is sent and anchored, and reaches the nation.
        anchored = await asyncio.gather(
            *(send_and_anchor(topology, issuer, hf, PASIENTER[hf][0]) for hf in TRUSTS)
        )
        first = {sak.hf: sak.lopenummer for sak in anchored}
        await wait_until(
            partial(_national_has, national, {n: 1 for n in first.values()}), timeout=60, interval=0.2
        )
        assert await spy_depth(topology) == len(TRUSTS)

        # The outage: the national vhost refuses every trust and drops the connections it has.
        await asyncio.gather(
            *(
                asyncio.to_thread(
                    rabbitmqctl,
                    "clear_permissions",
                    "-p",
                    topology.national_vhost,
                    topology.national_user(hf),
                )
                for hf in TRUSTS
            )
        )
        close_connections(topology.national_vhost, "national outage (test)")

        # Meanwhile every trust decides its first case and sends, anchors and decides a second one.
        async def during(sak: Sak) -> Sak:
            await decide(topology, issuer, sak, "komplett")
            ny = await send_and_anchor(topology, issuer, sak.hf, PASIENTER[sak.hf][1])
            await decide(topology, issuer, ny, "forenklet")
            return ny

        second = {sak.hf: sak.lopenummer for sak in await asyncio.gather(*(during(s) for s in anchored))}

        # Each trust's three summaries wait in its outbox, tried and refused; none reached the nation.
        await wait_until(partial(_waiting_and_tried, integrasjon, 3), timeout=60, interval=0.2)
        assert await spy_depth(topology) == len(TRUSTS)
        assert await national_sekvens(national, [*first.values(), *second.values()]) == {
            n: 1 for n in first.values()
        }

        # The national vhost is back: the trusts get their permissions again (topic permissions stayed).
        await asyncio.gather(
            *(
                asyncio.to_thread(
                    set_permissions,
                    topology.national_user(hf),
                    topology.national_vhost,
                    configure="^$",
                    write=f"^{NATIONAL_EXCHANGE}$",
                    read="^$",
                )
                for hf in TRUSTS
            )
        )
        await wait_until(partial(_all_sent, integrasjon), timeout=90, interval=0.2)
        expected = {n: 2 for n in (*first.values(), *second.values())}
        await wait_until(partial(_national_has, national, expected), timeout=60, interval=0.2)

        # On the wire: one summary per løpenummer and sequence number, 1..2, from the trust's own user.
        messages = await drain_spy(topology)
        envelopes = [Envelope.from_bytes(m.body) for m in messages]
        ids_of: dict[tuple[str, int], set[str]] = defaultdict(set)
        for message, envelope in zip(messages, envelopes, strict=True):
            summary = SakSammendragV2.model_validate(envelope.data)
            ids_of[(summary.lopenummer, summary.sekvens)].add(envelope.id)
            hf = summary.lopenummer.split("-")[0]
            assert (envelope.type, envelope.hf, summary.hf) == (SUMMARY_V2, hf, hf)
            assert message.routing_key == f"{hf}.{SUMMARY_V2}"
            assert message.user_id == topology.national_user(hf)
        assert {key: len(ids) for key, ids in ids_of.items()} == {(n, s): 1 for n in expected for s in (1, 2)}
        redelivered = len(messages) - len(ids_of)
        assert redelivered >= 0

        # In oversikt's database: each summary's event once in the inbox, each applied once, the last kept.
        event_ids = [i for ids in ids_of.values() for i in ids]
        inbox = await national.fetch(
            "SELECT event_id, count(*) AS n FROM inbox WHERE event_id = ANY($1::text[]) GROUP BY event_id",
            event_ids,
        )
        assert Counter({r["event_id"]: r["n"] for r in inbox}) == Counter({i: 1 for i in event_ids})
        rows = await national.fetch(
            "SELECT lopenummer, hf, sekvens, oppdateringer, status, utfall, vurderingsflyt, aldersgruppe"
            " FROM sammendrag WHERE lopenummer = ANY($1::text[])",
            list(expected),
        )
        stored = {r["lopenummer"]: dict(r) for r in rows}
        assert len(stored) == 2 * len(TRUSTS)
        for hf in TRUSTS:
            for lopenummer, flyt in ((first[hf], "komplett"), (second[hf], "forenklet")):
                row = stored[lopenummer]
                assert (row["hf"], row["sekvens"], row["oppdateringer"]) == (hf, 2, 2), row
                assert (row["status"], row["utfall"], row["vurderingsflyt"]) == (
                    "vedtatt",
                    UTFALL[flyt],
                    flyt,
                )
                assert row["aldersgruppe"]  # the age travels as a band only
        # Every trust's outbox sent each of its summaries once.
        for hf, conn in integrasjon.items():
            sent = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE destination = 'national' AND sent_at IS NOT NULL"
            )
            assert sent == 4, hf

        # Privacy: every text of the national database and every national message.
        texts = await every_text(topology)
        assert all(n in texts["sammendrag"] for n in expected)  # the scan sees the cases
        for table, text in texts.items():
            assert leaks(text) == [], f"oversikt.{table}"
        for message in messages:
            assert leaks(message_text(message)) == [], message.message_id
        # The patients' data did reach their trusts (so the scan looked for something real).
        soknad = await connect_db(topology, "HBE", "soknad")
        try:
            dump = json.dumps([dict(r) for r in await soknad.fetch("SELECT * FROM soknad")], default=str)
        finally:
            await soknad.close()
        assert PASIENTER["HBE"][0].fodselsnummer in dump and PASIENTER["HBE"][0].navn in dump
    finally:
        await national.close()
        for conn in integrasjon.values():
            await conn.close()


def forged(lopenummer: str, *, hf: str, payload_hf: str | None = None) -> Envelope:
    summary = SakSammendragV2(
        lopenummer=lopenummer,
        hf=payload_hf or hf,
        rhf="HV",
        sekvens=1,
        type="enkeltpasient",
        kategori="off_label",
        legemiddel_navn="MabThera",
        virkestoff="rituksimab",
        icd10_kode="G36.0",
        icd10_tekst="Neuromyelitis optica",
        status=NasjonalStatus.VEDTATT,
        utfall="innvilget",
        sendt_maned="2026-11",
    )
    return Envelope(
        source=f"/hf/{hf}/integrasjon",
        type=SUMMARY_V2,
        hf=hf,
        subject=lopenummer,
        correlationid="forged",
        data=summary.model_dump(mode="json"),
        time=datetime.now(UTC),
    )


def national_bus(topology: Topology, user: str) -> RabbitBus:
    return RabbitBus(
        topology.amqp_url(user, topology.national_vhost),
        retry=RetryPolicy((0.2,)),
        connection_name=f"forger-{uuid.uuid4().hex[:6]}",
    )


def oversikt_v2_queue(topology: Topology) -> str:
    names = rabbitmqctl("list_queues", "-p", topology.national_vhost, "--no-table-headers", "name").split()
    main = [
        n for n in names if n.startswith("evt-") and n.endswith(f"{SUMMARY_V2}--oversikt.on_sak_sammendrag")
    ]
    assert len(main) == 1, names
    return main[0]


async def test_forged_and_foreign_summaries_are_refused(topology: Topology) -> None:
    """Run after the outage test: the trusts' restored permissions are no wider than before."""
    users = {hf: topology.national_user(hf) for hf in TRUSTS}
    queue = oversikt_v2_queue(topology)

    # The broker: a trust's user cannot write another trust's routing key, whatever it claims.
    for hf, other in zip(TRUSTS, (*TRUSTS[1:], TRUSTS[0]), strict=True):
        bus = national_bus(topology, users[hf])
        await bus.connect()
        try:
            with pytest.raises(PublishError):
                await bus.publish(
                    forged(f"{other}-2026-980001", hf=other), exchange=NATIONAL_EXCHANGE, user_id=users[hf]
                )
        finally:
            await bus.close()
    # ... nor go past the exchange to oversikt's queue, where a retry's user-id header would be believed.
    connection = await aio_pika.connect(topology.amqp_url(users["SUS"], topology.national_vhost))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        envelope = forged("HBE-2026-980002", hf="HBE")
        with pytest.raises(aio_pika.exceptions.AMQPError):
            await channel.default_exchange.publish(
                aio_pika.Message(envelope.to_bytes(), headers={USER_HEADER: users["HBE"]}), routing_key=queue
            )

    # oversikt: accepted by the broker, refused and dead-lettered, never stored.
    refused = {
        "SUS-2026-990001": "no user-id",
        "HBE-2026-990002": "user-id is not the trust's publisher",
        "OUS-2026-990003": "payload hf differs from envelope hf",
    }
    sus = national_bus(topology, users["SUS"])
    other_account = national_bus(topology, topology.user("oversikt"))
    await sus.connect()
    await other_account.connect()
    sent: list[Envelope] = []
    try:
        # SUS's own key and trust, but no user-id.
        sent.append(forged("SUS-2026-990001", hf="SUS"))
        await sus.publish(sent[-1], exchange=NATIONAL_EXCHANGE)
        # An account with write access that is not HBE's publisher, speaking for HBE under its own id.
        sent.append(forged("HBE-2026-990002", hf="HBE"))
        await other_account.publish(sent[-1], exchange=NATIONAL_EXCHANGE, user_id=topology.user("oversikt"))
        # SUS's own key, user-id and envelope, but the body is OUS's case.
        sent.append(forged("OUS-2026-990003", hf="SUS", payload_hf="OUS"))
        await sus.publish(sent[-1], exchange=NATIONAL_EXCHANGE, user_id=users["SUS"])

        async def dead_lettered() -> bool:
            letters = await other_account.dead_letters(queue)
            return all(any(n in d.envelope_json for d in letters) for n in refused)

        await wait_until(dead_lettered, timeout=45, interval=0.2)
        letters = await other_account.dead_letters(queue)
    finally:
        await sus.close()
        await other_account.close()
    for lopenummer, reason in refused.items():
        mine = [d for d in letters if lopenummer in d.envelope_json]
        assert len(mine) == 1, lopenummer
        assert mine[0].reason.startswith("permanent:"), mine[0].reason
        assert mine[0].reason.endswith(f"summary refused: {reason}"), mine[0].reason
    # The broker refused the first four outright: none of them is anywhere.
    assert not [d for d in letters if "-98000" in d.envelope_json]

    national = await connect_db(topology, "nasjonal", "oversikt")
    try:
        numbers = [*refused, "HBE-2026-980001", "OUS-2026-980001", "SUS-2026-980001", "HBE-2026-980002"]
        assert await national_sekvens(national, numbers) == {}
        inbox = await national.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = ANY($1::text[])", [e.id for e in sent]
        )
        assert inbox == 0
    finally:
        await national.close()
