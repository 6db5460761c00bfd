"""Two trusts and the national overview as separate processes on real PostgreSQL and RabbitMQ, with
OIDC tokens from a local issuer: both trusts' cases reach the national overview; nothing personal
reaches it; a forged summary is refused."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
import pytest_asyncio

from scripts.run_distributed import NATIONAL_EXCHANGE, Topology
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer
from shared.events.contracts import SakSammendrag
from shared.events.envelope import Envelope
from shared.platform.bus.base import PublishError, RetryPolicy
from shared.platform.bus.rabbitmq import RabbitBus
from tests.support.builders import complete_innhold
from tests.support.embedded_server import free_port_block
from tests.support.oidc_issuer import TestIssuer
from tests.support.rabbit import require_broker
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PATIENTS = {
    "HBE": ("Solveig Testdatter", date(1984, 6, 2), "kvinne"),
    "OUS": ("Bjarne Syntetisk", date(1957, 11, 23), "mann"),
}
ENHET = {"HBE": "HBE-NEVRO", "OUS": "OUS-NEVRO"}


@pytest.fixture(scope="module")
def issuer() -> Iterator[TestIssuer]:
    with TestIssuer(audience="soknadsportal") as issuer:
        yield issuer


@pytest.fixture(scope="module")
def topology(issuer: TestIssuer) -> Iterator[Topology]:
    require_broker()
    topology = Topology(
        trusts=("HBE", "OUS"),
        base_port=free_port_block(),
        oidc_issuer=issuer.issuer,
        oidc_audience="soknadsportal",
        retry_delays_s=(0.2, 0.5, 1.0, 2.0),
    )
    topology.setup()
    # A tap on the national exchange, so the test can read every national message.
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", topology.national_vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    try:
        topology.start()
        yield topology
    except Exception:
        for proc in topology.processes.values():
            print(f"--- {proc.log} ---\n{proc.log.read_text()[-4000:] if proc.log.exists() else ''}")
        raise
    finally:
        topology.teardown()


class Api(httpx.AsyncClient):
    def __init__(self, base_url: str, token: str):
        super().__init__(base_url=base_url, headers={"authorization": f"Bearer {token}"}, timeout=20)

    async def ok(self, method: str, url: str, json: Any = None) -> Any:
        response = await self.request(method, url, json=json)
        assert response.status_code < 300, f"{method} {url}: {response.status_code} {response.text}"
        return response.json()


def token(issuer: TestIssuer, hf: str, role: str) -> str:
    return issuer.issue(f"{hf.lower()}-{role}", roles=[role], hf=hf, enhet=ENHET[hf], name=f"{role} {hf}")


@pytest_asyncio.fixture
async def national_tap(topology: Topology) -> AsyncIterator[list[bytes]]:
    url = f"amqp://guest:guest@127.0.0.1:5672/{topology.national_vhost}"
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(NATIONAL_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue("", exclusive=True)
    await queue.bind(exchange, "#")
    bodies: list[bytes] = []

    async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            bodies.append(message.body)

    await queue.consume(collect)
    yield bodies
    await connection.close()


async def run_case(topology: Topology, issuer: TestIssuer, hf: str) -> str:
    name, born, sex = PATIENTS[hf]
    fnr = synthetic_fodselsnummer(born, sex=sex)  # type: ignore[arg-type]
    async with Api(topology.url("soknad", hf), token(issuer, hf, "soker")) as soker:
        draft = await soker.ok(
            "POST",
            "/api/soknader",
            {
                "type": "enkeltpasient",
                "kategori": "off_label",
                "enhet": ENHET[hf],
                "innhold": complete_innhold(
                    pasient_fodselsnummer=fnr,
                    pasient_navn=name,
                    legemiddel={"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01"},
                    indikasjon={"kode": "G70.0", "tekst": "Myasthenia gravis"},
                    begrunnelse=f"{name} har ikke effekt av pyridostigmin.",
                    estimert_kostnad_nok=150_000,
                ),
            },
        )
        sent = await soker.ok("POST", f"/api/soknader/{draft['id']}/send", {})
    async with Api(topology.url("soknad", hf), token(issuer, hf, "leder")) as leder:
        await leder.ok(
            "POST",
            f"/api/soknader/{draft['id']}/forankring",
            {"begrunnelse": "Forankret", "kostnadssted": "4100"},
        )
    lopenummer: str = sent["lopenummer"]
    async with Api(topology.url("beslutning", hf), token(issuer, hf, "fagdirektor")) as direktor:
        # The director sends the case to the committee (the complete flow); only then is it theirs.
        sak = await _case(direktor, lopenummer)
        await direktor.ok(
            "POST",
            f"/api/saker/{sak['id']}/triage",
            {"flyt": "komplett", "medlemmer": [f"{hf.lower()}-komite"], "frist": FRIST},
        )
    async with Api(topology.url("vurdering", hf), token(issuer, hf, "komite")) as komite:
        sak = await _case(komite, lopenummer)
        await komite.ok(
            "POST",
            f"/api/saker/{sak['id']}/anbefaling",
            {
                "anbefaling": "innvilge",
                "begrunnelse": "Godt dokumentert.",
                "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
            },
        )
    async with Api(topology.url("beslutning", hf), token(issuer, hf, "fagdirektor")) as direktor:
        sak = await _case(direktor, lopenummer)
        await wait_until(lambda: _status(direktor, sak["id"], "klar_for_vedtak"), timeout=30)
        await direktor.ok(
            "POST",
            f"/api/saker/{sak['id']}/vedtak",
            {"utfall": "innvilget", "begrunnelse": "Innvilget etter anbefaling."},
        )
    return lopenummer


async def _case(client: Api, lopenummer: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def arrived() -> bool:
        for case in await client.ok("GET", "/api/saker"):
            if case["lopenummer"] == lopenummer:
                found.update(case)
                return True
        return False

    await wait_until(arrived, timeout=30, interval=0.1)
    return found


async def _status(client: Api, sak_id: str, status: str) -> bool:
    return bool((await client.ok("GET", f"/api/saker/{sak_id}"))["status"] == status)


async def test_both_trusts_reach_the_overview_without_personal_data(
    topology: Topology, issuer: TestIssuer, national_tap: list[bytes]
) -> None:
    numbers = await asyncio.gather(*(run_case(topology, issuer, hf) for hf in ("HBE", "OUS")))
    async with Api(topology.url("oversikt", "NASJONAL"), token(issuer, "OUS", "nasjonal")) as nasjonal:
        # Two lone cases are withheld from the lists (k-anonymity); each is still answered by its
        # løpenummer, with its quasi-identifiers hidden.
        async def decided() -> bool:
            for n in numbers:
                r = await nasjonal.request("GET", f"/api/saker/{n}")
                if r.status_code != 200 or r.json()["status"] != "vedtatt":
                    return False
            return True

        await wait_until(decided, timeout=60, interval=0.2)
        hbe = await nasjonal.ok("GET", f"/api/saker/{numbers[0]}")
        assert hbe["hf"] == "HBE" and hbe["utfall"] == "innvilget"

    forbidden = [
        v
        for name, born, _ in PATIENTS.values()
        for v in (name, *name.split(), born.isoformat(), born.strftime("%d.%m.%Y"), born.strftime("%d%m%y"))
    ]
    # The national database: every text in every table.
    conn = await asyncpg.connect(
        host="127.0.0.1", user="postgres", database=topology.database("nasjonal", "oversikt")
    )
    try:
        # The age band is stored (coarsened on the way), though the API hides it for a lone case.
        stored = await conn.fetchrow("SELECT aldersgruppe FROM sammendrag WHERE lopenummer = $1", numbers[0])
        assert stored is not None and stored["aldersgruppe"]
        tables = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        dump = "\n".join([str(dict(row)) for t in tables for row in await conn.fetch(f'SELECT * FROM "{t}"')])
    finally:
        await conn.close()
    assert all(n in dump for n in numbers)
    assert find_personnummer_like(dump) == []
    assert not [v for v in forbidden if v in dump]
    # oversikt's directory is a database of its own, not `katalog.sqlite` in the working directory,
    # which the embedded default (`make run`) uses.
    katalog = await asyncpg.connect(
        host="127.0.0.1", user="postgres", database=topology.database("nasjonal", "katalog")
    )
    try:
        assert await katalog.fetchval("SELECT count(*) FROM person") > 0
    finally:
        await katalog.close()
    # The national messages.
    await wait_until(lambda: len(national_tap) >= 4, timeout=30)
    messages = b"\n".join(national_tap).decode()
    assert find_personnummer_like(messages) == []
    assert not [v for v in forbidden if v in messages]


async def test_look_ups_and_precedent_cross_process_boundaries_with_the_callers_token(
    topology: Topology, issuer: TestIssuer
) -> None:
    """soknad calls its trust's integrasjon and the national oversikt over HTTP and passes the caller's own
    bearer token on: the catalogue answers, and an applicant sees the other trust's decision, suppressed."""
    await run_case(topology, issuer, "OUS")
    async with Api(topology.url("soknad", "HBE"), token(issuer, "HBE", "soker")) as soker:
        treff = (await soker.get("/api/oppslag/legemidler", params={"q": "ritu"})).json()
        assert treff["tilgjengelig"] and any(t["atc"] == "L01FA01" for t in treff["treff"])
        seen: dict[str, Any] = {}

        async def national() -> bool:
            r = await soker.get("/api/presedens", params={"virkestoff": "rituksimab", "icd10": "G70.0"})
            seen.update(r.json())
            return any(row["hf"] == "OUS" for row in r.json()["nasjonalt"]["per_hf"])

        await wait_until(national, timeout=60, interval=0.2)
        assert seen["nasjonalt"]["tilgjengelig"] is True
        ous = next(row for row in seen["nasjonalt"]["per_hf"] if row["hf"] == "OUS")
        assert ous["innvilget"] == "<5"
    # oversikt itself wants a login: soknad got the answer with the applicant's token, not its own.
    async with httpx.AsyncClient(base_url=topology.url("oversikt", "NASJONAL")) as anonymous:
        r = await anonymous.get("/api/presedens", params={"virkestoff": "rituksimab", "icd10": "G70.0"})
        assert r.status_code == 401


async def test_a_forged_summary_is_refused(topology: Topology) -> None:
    forged = SakSammendrag(
        lopenummer="HBE-2026-999999",
        hf="HBE",
        rhf="HV",
        sekvens=1,
        type="enkeltpasient",
        kategori="off_label",
        legemiddel_navn="X",
        virkestoff="x",
        icd10_kode="G35",
        icd10_tekst="x",
        status="vedtatt",
        sendt_maned="2026-01",
    )
    envelope = Envelope(
        source="/hf/OUS/integrasjon",
        type=SakSammendrag.TYPE,
        hf="HBE",
        subject=forged.lopenummer,
        correlationid="forged",
        data=forged.model_dump(mode="json"),
        time=datetime.now(UTC),
    )
    ous_user = topology.national_user("OUS")
    bus = RabbitBus(
        topology.amqp_url(ous_user, topology.national_vhost),
        retry=RetryPolicy((0.2,)),
        connection_name="forger",
    )
    await bus.connect()
    try:
        # The broker refuses a routing key of another trust (topic permission) ...
        with pytest.raises(PublishError):
            await bus.publish(envelope, exchange=NATIONAL_EXCHANGE, user_id=ous_user)
        # ... and a user-id that is not the connection's own ...
        with pytest.raises(PublishError):
            await bus.publish(
                envelope,
                exchange=NATIONAL_EXCHANGE,
                routing_key=f"OUS.{envelope.type}",
                user_id=topology.national_user("HBE"),
            )
        # ... and oversikt refuses a summary for HBE arriving from OUS's user under OUS's key.
        await bus.publish(
            envelope, exchange=NATIONAL_EXCHANGE, routing_key=f"OUS.{envelope.type}", user_id=ous_user
        )
    finally:
        await bus.close()

    oversikt_bus = RabbitBus(
        topology.amqp_url(topology.user("oversikt"), topology.national_vhost),
        retry=RetryPolicy((0.2,)),
        connection_name="inspector",
    )
    await oversikt_bus.connect()
    try:
        queue = _oversikt_queue(topology, envelope.type)

        async def dead_lettered() -> bool:
            return await oversikt_bus.dead_letter_count(queue) >= 1

        await wait_until(dead_lettered, timeout=30, interval=0.2)
        letters = await oversikt_bus.dead_letters(queue)
        assert any("HBE-2026-999999" in d.envelope_json for d in letters)
    finally:
        await oversikt_bus.close()
    conn = await asyncpg.connect(
        host="127.0.0.1", user="postgres", database=topology.database("nasjonal", "oversikt")
    )
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN "
                "('inbox', 'outbox', 'alembic_version', 'revisjonslogg')"
            )
        ]
        dump = "\n".join([str(dict(row)) for t in tables for row in await conn.fetch(f'SELECT * FROM "{t}"')])
    finally:
        await conn.close()
    assert "HBE-2026-999999" not in dump


FRIST = (date.today() + timedelta(days=14)).isoformat()


def _oversikt_queue(topology: Topology, event_type: str) -> str:
    """oversikt's queue for one version of the summary (it consumes v1 and v2, one queue each)."""
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", topology.national_vhost, "name"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = [line.strip() for line in out.splitlines() if line.strip().startswith("evt-")]
    main = [n for n in names if not n.endswith(".dlq") and ".retry." not in n and f"-{event_type}--" in n]
    assert len(main) == 1, names
    return main[0]
