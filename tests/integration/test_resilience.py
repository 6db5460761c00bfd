"""Resilience of the whole chain, checked by counting: 500 applications flow from soknad through
vurdering and beslutning to integrasjon and the national oversikt while the broker is restarted twice
and three consumer processes are SIGKILLed mid-stream. Every case must reach the national overview
exactly once: 0 lost, 0 duplicated effects.

The services run as separate processes (`scripts/run_distributed.Topology`) against PostgreSQL and a
PRIVATE RabbitMQ node (`tests/support/rabbit_node.py`), so restarting "the broker" never touches the
machine's RabbitMQ. It prints a summary (phase timings, HTTP retries, redeliveries absorbed by the
inboxes) but asserts no timing: only counts.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from scripts.run_distributed import TRUST_SERVICES, Topology
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.auth.session import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from tests.support.apps import SIGNER, login_over_http
from tests.support.builders import complete_innhold
from tests.support.embedded_server import free_port_block
from tests.support.postgres import PG_HOST, PG_PORT, PG_USER
from tests.support.rabbit_node import RabbitNode
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

HF = "HBE"
N = 500
CONCURRENCY = 16
ENHET = "HBE-NEVRO"
KILL_PAUSE_S = 3.0
"""How long a killed process stays down: long enough for its queues to pile up unacked work."""
KILL_GRACE_S = 2.0
"""After a restart, requests that started inside the kill window may still fail on a dead pooled
connection; only those are retried."""
ALREADY_DONE = "ugyldig_overgang"
"""Problem type of a 409 for an action already taken (as opposed to `versjonskonflikt`)."""


# --- the distributed topology on a private broker ----------------------------------------------------
def _dump_logs(topology: Topology, node: RabbitNode) -> None:
    for proc in topology.processes.values():
        text = proc.log.read_text(errors="replace") if proc.log.exists() else ""
        print(f"\n--- {proc.hf} {proc.service}: {proc.log} (last 4000 chars) ---\n{text[-4000:]}")
    print(f"\n--- private RabbitMQ node {node.name} ---\n{node.log_tail()}")


@pytest.fixture(scope="module")
def topology(rabbit_node: RabbitNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    topology = Topology(
        trusts=(HF,),
        # Under pytest's temp root, which keeps the last few runs' process logs and drops older ones.
        log_dir=tmp_path_factory.mktemp("resilience-logs"),
        base_port=free_port_block(),
        amqp_port=rabbit_node.port,
        rabbitmqctl=rabbit_node.ctl,
        # Short delays: an event that overtakes another is retried within the test's time.
        retry_delays_s=(0.2, 0.5, 1.0, 2.0, 5.0),
    )
    try:
        topology.setup()
        topology.start()
        yield topology
    except BaseException:
        _dump_logs(topology, rabbit_node)
        raise
    finally:
        topology.teardown()


# --- HTTP with retries only inside kill windows ------------------------------------------------------
@dataclass
class Chaos:
    """When each process was down, so only requests disturbed by a kill are retried."""

    windows: dict[str, list[tuple[float, float | None]]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)

    def note(self, text: str) -> None:
        self.log.append(f"{time.monotonic() - self.t0:7.1f}s  {text}")

    def open(self, service: str) -> None:
        self.windows.setdefault(service, []).append((time.monotonic(), None))

    def close(self, service: str) -> None:
        start, _ = self.windows[service][-1]
        self.windows[service][-1] = (start, time.monotonic())

    def disturbed(self, service: str, since: float) -> bool:
        """Was `service` down at some point after `since` (a request's start)?"""
        return any(
            end is None or since <= end + KILL_GRACE_S for _start, end in self.windows.get(service, [])
        )


@dataclass
class Stats:
    requests: int = 0
    retried_requests: int = 0
    retry_attempts: int = 0
    already_done: int = 0


class Portal(httpx.AsyncClient):
    """One process as one demo user: the session cookie signed with the default demo secret, and the
    CSRF header on unsafe requests (the process sets the `sp_csrf` cookie on its first response)."""

    def __init__(self, topology: Topology, service: str, user_id: str, chaos: Chaos, stats: Stats):
        super().__init__(
            base_url=topology.url(service, HF),
            timeout=httpx.Timeout(60.0, connect=5.0),
            limits=httpx.Limits(max_connections=CONCURRENCY + 4, max_keepalive_connections=CONCURRENCY + 4),
        )
        self.service = service
        self.chaos = chaos
        self.stats = stats
        self.user_id = user_id
        self._csrf: str | None = None
        self._login_lock = asyncio.Lock()

    async def _csrf_token(self) -> str:
        if self._csrf is None:
            await self.call("GET", "health/live")
            token = SIGNER.read_csrf(self.cookies.get(CSRF_COOKIE))
            assert token, "the process set no CSRF cookie"
            self._csrf = token
        return self._csrf

    async def _login(self) -> None:
        # The session is stored by the trust's directory: log in through the process's start page,
        # once for all the workers sharing this client (each login rotates the CSRF cookie).
        async with self._login_lock:
            if SESSION_COOKIE not in self.cookies:
                await login_over_http(self, self.user_id)

    async def call(
        self, method: str, url: str, body: Any = None, *, expect: int = 200, may_be_done: bool = False
    ) -> Any:
        """The JSON of a response with status `expect`.

        Connection errors and 503 are retried only while this process is (or just was) killed. A 409
        "already done" is accepted only on a retry of a `may_be_done` request: the first attempt
        committed but its response was lost with the process. Anything else fails the test."""
        await self._login()
        headers = {CSRF_HEADER: await self._csrf_token()} if method not in ("GET", "HEAD") else {}
        started = time.monotonic()
        attempt = 0
        self.stats.requests += 1
        while True:
            attempt += 1
            try:
                response = await self.request(method, url, json=body, headers=headers)
            except httpx.TransportError as exc:
                # A POST or PUT whose request may have reached the process is repeated only when the
                # caller can tell a committed first attempt from a refusal (`may_be_done`); a refused
                # connection sent nothing, so any request may be repeated then.
                repeatable = isinstance(exc, httpx.ConnectError) or method == "GET" or may_be_done
                if not (repeatable and self._may_retry(started, attempt)):
                    raise AssertionError(
                        f"{self.service} {method} {url}: {exc!r} (not retried: outside a kill window "
                        "or not repeatable)"
                    ) from exc
            else:
                if response.status_code == 503 and self._may_retry(started, attempt):
                    pass
                elif response.status_code == expect:
                    return response.json()
                elif (
                    response.status_code == 409
                    and may_be_done
                    and attempt > 1
                    and str(response.json().get("type", "")).endswith(ALREADY_DONE)
                ):
                    self.stats.already_done += 1
                    return None
                else:
                    raise AssertionError(
                        f"{self.service} {method} {url} (attempt {attempt}): "
                        f"{response.status_code} {response.text[:500]}"
                    )
            if attempt == 1:  # this request is about to be retried for the first time
                self.stats.retried_requests += 1
            self.stats.retry_attempts += 1
            await asyncio.sleep(min(0.1 * attempt, 1.0))

    def _may_retry(self, started: float, attempt: int) -> bool:
        # Bounded: a process that never comes back must fail the test, not hang it.
        return attempt < 300 and self.chaos.disturbed(self.service, started)


# --- running things while the requests flow ----------------------------------------------------------
Action = Callable[[], Coroutine[Any, Any, None]]


class Milestones:
    """Start fault actions when a phase has completed a given number of operations, without pausing it."""

    def __init__(self, actions: dict[int, Action]):
        self.actions = actions
        self.done = 0
        self.tasks: list[asyncio.Task[None]] = []

    def progress(self) -> None:
        self.done += 1
        action = self.actions.get(self.done)
        if action is not None:
            self.tasks.append(asyncio.create_task(action()))

    async def finish(self) -> None:
        await asyncio.gather(*self.tasks)


async def run_bounded(items: list[Any], work: Callable[[Any], Awaitable[None]]) -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while not queue.empty():
            await work(queue.get_nowait())

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def broker_restart(node: RabbitNode, chaos: Chaos) -> Action:
    async def act() -> None:
        chaos.note("broker: stop_app")
        # In a thread: rabbitmqctl blocks for seconds, and the requests must keep flowing meanwhile.
        await asyncio.to_thread(node.restart)
        chaos.note(f"broker: started again ({node.restarts[-1]:.1f}s)")

    return act


def kill_and_restart(topology: Topology, service: str, chaos: Chaos) -> Action:
    async def act() -> None:
        chaos.open(service)
        try:
            await asyncio.to_thread(topology.kill, service, HF)
            chaos.note(f"{service}: SIGKILL")
            await asyncio.sleep(KILL_PAUSE_S)  # fault timing, not synchronisation
            await asyncio.to_thread(topology.restart, service, HF)
            chaos.note(f"{service}: restarted and ready")
        finally:
            # Also when the restart failed: requests must then fail instead of retrying for minutes.
            chaos.close(service)

    return act


# --- the application flow ----------------------------------------------------------------------------
def patient(i: int) -> tuple[str, str]:
    born = date(1940, 1, 1) + timedelta(days=23 * i)
    fnr = synthetic_fodselsnummer(born, sex="kvinne" if i % 2 else "mann")
    return fnr, f"Syntetisk Pasient {i}"


def innhold(i: int) -> dict[str, Any]:
    fnr, navn = patient(i)
    return complete_innhold(
        pasient_fodselsnummer=fnr,
        pasient_navn=navn,
        indikasjon={"kode": "G35", "tekst": "Multippel sklerose"},
        estimert_kostnad_nok=100_000 + i,
    )


ANBEFALING = {
    "anbefaling": "innvilge",
    "begrunnelse": "Godt dokumentert.",
    "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
}
VEDTAK = {"utfall": "innvilget", "begrunnelse": "Innvilget etter komiteens anbefaling."}


async def list_cases(client: Portal) -> list[dict[str, Any]]:
    return list(await client.call("GET", "api/saker"))


# --- counting in the databases -----------------------------------------------------------------------
class Databases:
    def __init__(self, topology: Topology):
        self.topology = topology
        self.conns: dict[str, asyncpg.Connection] = {}

    async def open(self) -> None:
        names = {s: self.topology.database(HF, s) for s in TRUST_SERVICES}
        names["oversikt"] = self.topology.database("nasjonal", "oversikt")
        for service, name in names.items():
            self.conns[service] = await asyncpg.connect(
                host=PG_HOST, port=PG_PORT, user=PG_USER, database=name, timeout=10
            )

    async def close(self) -> None:
        for conn in self.conns.values():
            await conn.close()

    async def scalar(self, service: str, sql: str) -> int:
        return int(await self.conns[service].fetchval(sql))

    async def unsent(self) -> dict[str, int]:
        return {
            s: await self.scalar(s, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") for s in self.conns
        }


async def queue_depths(node: RabbitNode, topology: Topology) -> dict[str, int]:
    depths: dict[str, int] = {}
    for vhost in (topology.vhost(HF), topology.national_vhost):
        for name, count in (await asyncio.to_thread(node.queue_depths, vhost)).items():
            depths[f"{vhost}/{name}"] = count
    return depths


def log_counts(topology: Topology) -> dict[str, int]:
    """How often the faults made the machinery work: redeliveries absorbed, retries, failed publishes."""
    markers = {
        "duplicates skipped (inbox)": "event_duplicate_skipped",
        "handler retries": "message will be retried",
        "outbox publish failures": "outbox_publish_failed",
        "dead-lettered": "message dead-lettered",
    }
    counts = Counter[str]()
    for proc in topology.processes.values():
        text = proc.log.read_text(errors="replace") if proc.log.exists() else ""
        for label, marker in markers.items():
            counts[label] += text.count(marker)
    return dict(counts)


# --- the test ----------------------------------------------------------------------------------------
async def test_500_cases_reach_the_overview_exactly_once_through_broker_restarts_and_kills(
    topology: Topology, rabbit_node: RabbitNode, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        summary = await _run(topology, rabbit_node)
    except BaseException:
        _dump_logs(topology, rabbit_node)
        raise
    with capsys.disabled():
        print("\n" + summary)


async def _run(topology: Topology, node: RabbitNode) -> str:
    chaos, stats = Chaos(), Stats()
    timings: dict[str, float] = {}
    fnrs = {patient(i)[0] for i in range(N)}
    assert len(fnrs) == N, "the synthetic fødselsnummer must be distinct per application"

    def portal(service: str, user: str) -> Portal:
        return Portal(topology, service, user, chaos, stats)

    async with (
        portal("soknad", "hbe-soker") as soker,
        portal("soknad", "hbe-leder") as leder,
        portal("vurdering", "hbe-komite") as komite,
        portal("beslutning", "hbe-fagdirektor") as direktor,
        portal("oversikt", "hbe-nasjonal") as nasjonal,
    ):
        # Phase 1: write, send and anchor 500 applications; restart the broker after 150 anchored and
        # kill the committee's consumer process after 300, while the requests keep coming.
        started = time.monotonic()
        lopenumre: dict[str, str] = {}  # soknad id -> løpenummer
        anchored = Milestones(
            {150: broker_restart(node, chaos), 300: kill_and_restart(topology, "vurdering", chaos)}
        )

        async def submit(i: int) -> None:
            draft = await soker.call(
                "POST",
                "api/soknader",
                {"type": "enkeltpasient", "kategori": "off_label", "enhet": ENHET, "innhold": {}},
                expect=201,
            )
            saved = await soker.call(
                "PUT", f"api/soknader/{draft['id']}", {"versjon": draft["versjon"], "innhold": innhold(i)}
            )
            sent = await soker.call("POST", f"api/soknader/{draft['id']}/send", {"versjon": saved["versjon"]})
            lopenumre[draft["id"]] = sent["lopenummer"]
            await leder.call(
                "POST",
                f"api/soknader/{draft['id']}/forankring",
                {"begrunnelse": "Faglig og budsjettmessig enig.", "kostnadssted": "4100"},
                may_be_done=True,
            )
            anchored.progress()

        await run_bounded(list(range(N)), submit)
        timings["phase 1: 500 × create, save, send, anchor (HTTP)"] = time.monotonic() - started
        await anchored.finish()
        assert len(set(lopenumre.values())) == N

        # Phase 1b: the director sends every case to the committee (the complete flow): only then do
        # they enter the committee's queue.
        started = time.monotonic()
        inbox: dict[str, str] = {}

        async def all_in_the_directors_inbox() -> bool:
            cases = await list_cases(direktor)
            inbox.update({c["lopenummer"]: c["id"] for c in cases})
            return len(cases) >= N

        await wait_until(all_in_the_directors_inbox, timeout=180, interval=0.5)
        triage = {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": str(date.today() + timedelta(14))}

        async def send_to_committee(sak_id: str) -> None:
            await direktor.call("POST", f"api/saker/{sak_id}/triage", triage, may_be_done=True)

        await run_bounded(list(inbox.values()), send_to_committee)
        timings["phase 1b: 500 × triage to the committee (HTTP)"] = time.monotonic() - started

        # Phase 2: the committee recommends every case; kill beslutning (which consumes the
        # recommendations) and restart the broker once more on the way.
        started = time.monotonic()
        vurdering_cases: dict[str, str] = {}

        async def all_assessment_cases() -> bool:
            cases = await list_cases(komite)
            vurdering_cases.update({c["lopenummer"]: c["id"] for c in cases})
            return len(cases) >= N

        await wait_until(all_assessment_cases, timeout=180, interval=0.5)
        timings["phase 2a: wait until vurdering lists 500 cases"] = time.monotonic() - started
        assert set(vurdering_cases) == set(lopenumre.values())
        started = time.monotonic()
        # The kill comes first, while beslutning is busy consuming recommendations (a broker outage
        # would leave it idle); the broker restart may then meet beslutning while it starts up.
        recommended = Milestones(
            {150: kill_and_restart(topology, "beslutning", chaos), 400: broker_restart(node, chaos)}
        )

        async def recommend(sak_id: str) -> None:
            await komite.call("POST", f"api/saker/{sak_id}/anbefaling", ANBEFALING, may_be_done=True)
            recommended.progress()

        await run_bounded(list(vurdering_cases.values()), recommend)
        await recommended.finish()
        timings["phase 2b: 500 recommendations (HTTP)"] = time.monotonic() - started

        # Phase 3: the director decides every case once it is ready; kill integrasjon (which turns
        # decisions into national summaries) on the way.
        started = time.monotonic()
        ready: dict[str, str] = {}

        async def all_ready_for_decision() -> bool:
            cases = await list_cases(direktor)
            ready.clear()
            ready.update({c["lopenummer"]: c["id"] for c in cases if c["status"] == "klar_for_vedtak"})
            return len(ready) >= N

        await wait_until(all_ready_for_decision, timeout=180, interval=0.5)
        timings["phase 3a: wait until beslutning has 500 klar_for_vedtak"] = time.monotonic() - started
        assert set(ready) == set(lopenumre.values())
        started = time.monotonic()
        decided = Milestones({250: kill_and_restart(topology, "integrasjon", chaos)})

        async def decide(sak_id: str) -> None:
            await direktor.call("POST", f"api/saker/{sak_id}/vedtak", VEDTAK, expect=201, may_be_done=True)
            decided.progress()

        await run_bounded(list(ready.values()), decide)
        await decided.finish()
        timings["phase 3b: 500 decisions (HTTP)"] = time.monotonic() - started

        # The national overview, through its API: 500 cases, all decided.
        started = time.monotonic()

        async def national_all_decided() -> bool:
            page = await nasjonal.call("GET", f"api/saker?status=vedtatt&per_side={N}")
            return int(page["totalt"]) >= N

        await wait_until(national_all_decided, timeout=180, interval=0.5)
        national: list[dict[str, Any]] = []
        side = 1
        while True:
            page = await nasjonal.call("GET", f"api/saker?per_side=100&side={side}")
            national.extend(page["saker"])
            if side * int(page["per_side"]) >= int(page["totalt"]):
                break
            side += 1
        timings["final: wait until oversikt shows 500 vedtatt"] = time.monotonic() - started

    assert len(national) == N, f"oversikt lists {len(national)} cases"
    assert Counter(c["status"] for c in national) == {"vedtatt": N}
    assert {c["lopenummer"] for c in national} == set(lopenumre.values())

    # Counting in the databases, once nothing is in flight any more (queues empty, outboxes sent).
    started = time.monotonic()
    db = Databases(topology)
    await db.open()
    try:
        settled: dict[str, Any] = {}

        async def quiescent() -> bool:
            settled["queues"] = {q: n for q, n in (await queue_depths(node, topology)).items() if n}
            settled["unsent"] = {s: n for s, n in (await db.unsent()).items() if n}
            settled["soknad vedtatt"] = await db.scalar(
                "soknad", "SELECT count(*) FROM soknad WHERE status = 'vedtatt'"
            )
            settled["vurdering avsluttet"] = await db.scalar(
                "vurdering", "SELECT count(*) FROM sak WHERE status = 'avsluttet'"
            )
            return (
                not settled["queues"]
                and not settled["unsent"]
                and settled["soknad vedtatt"] == N
                and settled["vurdering avsluttet"] == N
            )

        try:
            await wait_until(quiescent, timeout=120, interval=1.0)
        except TimeoutError:
            pytest.fail(f"the chain did not settle: {settled}")
        timings["final: wait until every queue and outbox is empty"] = time.monotonic() - started
        await _assert_counts(db, lopenumre)
        dead_letters = {
            q: n for q, n in (await queue_depths(node, topology)).items() if q.endswith(".dlq") and n
        }
        assert dead_letters == {}, f"dead-lettered messages: {dead_letters}"
    finally:
        await db.close()

    lines = ["resilience: 500 cases through 2 broker restarts and 3 SIGKILLs — 0 lost, 0 duplicated"]
    lines += [f"  {name:55} {seconds:6.1f}s" for name, seconds in timings.items()]
    lines.append(
        f"  HTTP: {stats.requests} requests, {stats.retried_requests} needed a retry "
        f"({stats.retry_attempts} extra attempts), {stats.already_done} retries found the work already done"
    )
    lines.append("  broker restarts took " + ", ".join(f"{s:.1f}s" for s in node.restarts))
    lines.append("  " + ", ".join(f"{k}: {v}" for k, v in log_counts(topology).items()))
    lines += [f"  {entry}" for entry in chaos.log]
    return "\n".join(lines)


async def _assert_counts(db: Databases, lopenumre: dict[str, str]) -> None:
    s = db.scalar
    # soknad: every application decided, each anchoring published exactly once.
    assert await s("soknad", "SELECT count(*) FROM soknad") == N
    assert await s("soknad", "SELECT count(*) FROM soknad WHERE status = 'vedtatt'") == N
    rows = await db.conns["soknad"].fetch("SELECT id, lopenummer FROM soknad")
    assert {r["id"]: r["lopenummer"] for r in rows} == lopenumre
    forankret = "no.soknadsportal.soknad.soknad_forankret.v1"
    assert await s("soknad", f"SELECT count(*) FROM outbox WHERE event_type = '{forankret}'") == N

    # vurdering: one case per application, one recommendation per case, published once.
    assert await s("vurdering", "SELECT count(*) FROM sak") == N
    assert await s("vurdering", "SELECT count(DISTINCT soknad_id) FROM sak") == N
    assert await s("vurdering", "SELECT count(*) FROM anbefaling") == N
    anbefalt = "no.soknadsportal.vurdering.anbefaling_avgitt.v1"
    assert await s("vurdering", f"SELECT count(*) FROM outbox WHERE event_type = '{anbefalt}'") == N

    # beslutning: one case and one decision per application, published once.
    assert await s("beslutning", "SELECT count(*) FROM sak") == N
    assert await s("beslutning", "SELECT count(DISTINCT soknad_id) FROM sak") == N
    assert await s("beslutning", "SELECT count(*) FROM vedtak") == N
    assert await s("beslutning", "SELECT count(DISTINCT sak_id) FROM vedtak") == N
    vedtatt = "no.soknadsportal.beslutning.vedtak_fattet.v1"
    assert await s("beslutning", f"SELECT count(*) FROM outbox WHERE event_type = '{vedtatt}'") == N
    triagert = "no.soknadsportal.beslutning.sak_sendt_til_komite.v1"
    assert await s("beslutning", f"SELECT count(*) FROM outbox WHERE event_type = '{triagert}'") == N

    # integrasjon: one projection per case; the summaries it emitted, per case.
    assert await s("integrasjon", "SELECT count(*) FROM sak_projeksjon") == N
    assert await s("integrasjon", "SELECT count(*) FROM sak_projeksjon WHERE status = 'vedtatt'") == N
    emitted = {
        r["lopenummer"]: int(r["summaries"])
        for r in await db.conns["integrasjon"].fetch(
            "SELECT envelope::json->>'subject' AS lopenummer, count(*) AS summaries "
            "FROM outbox WHERE destination = 'national' GROUP BY 1"
        )
    }
    sekvens = {
        r["lopenummer"]: int(r["sekvens"])
        for r in await db.conns["integrasjon"].fetch("SELECT lopenummer, sekvens FROM sak_projeksjon")
    }
    assert set(emitted) == set(lopenumre.values())
    assert sekvens == emitted, "a projection's sequence must count the summaries it emitted"
    # Anchored, then decided: two summaries per case; more would be a duplicated effect upstream.
    assert Counter(emitted.values()) == {2: N}

    # oversikt: one row per case, all decided, each accepted summary counted once.
    rows = await db.conns["oversikt"].fetch(
        "SELECT lopenummer, status, sekvens, oppdateringer FROM sammendrag"
    )
    assert len(rows) == N
    assert len({r["lopenummer"] for r in rows}) == N
    assert {r["lopenummer"] for r in rows} == set(lopenumre.values())
    assert Counter(r["status"] for r in rows) == {"vedtatt": N}
    wrong = {
        r["lopenummer"]: (r["oppdateringer"], r["sekvens"], emitted[r["lopenummer"]])
        for r in rows
        if r["oppdateringer"] != emitted[r["lopenummer"]] or r["sekvens"] != emitted[r["lopenummer"]]
    }
    assert wrong == {}, f"(oppdateringer, sekvens, emitted) differ: {dict(list(wrong.items())[:10])}"

    # Nothing left to send anywhere.
    assert await db.unsent() == {service: 0 for service in db.conns}
