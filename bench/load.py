"""The load generator of the autosave benchmarks, in a process of its own so it never shares the
server's event loop: `python -m bench.load '<json config>'` prints one JSON line of results.

Modes: `editors` (each client is an editor saving on a fixed tick, like autosave.js) and `closed`
(each client sends its next request as soon as the last one is answered: saturation)."""

from __future__ import annotations

import asyncio
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvloop

from bench.infra import cpu_seconds, machine_cpu_seconds, named_cpu_seconds
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.principal import Principal, Role
from shared.platform.auth.session import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, CookieSigner
from shared.platform.settings import ServiceSettings

SIGNER = CookieSigner(ServiceSettings().session_secret.get_secret_value())
SOKERE = [p for p in DEMO_USERS.values() if Role.SOKER in p.roles]
MAX_TEXT_BYTES = 3000

# What a physician writes under "begrunnelse"; editors type through it a few words per save.
SETNINGER = (
    "Pasienten er en 46 år gammel kvinne med residiverende-remitterende multippel sklerose fra 2014.",
    "Hun har tidligere brukt interferon beta, teriflunomid og fingolimod uten tilstrekkelig effekt.",
    "Under behandling med fingolimod fikk hun to attakker med nye kontrastladende lesjoner på MR.",
    "Natalizumab er ikke aktuelt fordi hun er JC-virus-positiv med høy indeks.",
    "Vi ønsker derfor å starte behandling med rituksimab, som er i utstrakt bruk ved norske sykehus.",
    "Rituksimab er ikke godkjent for denne indikasjonen; søknaden gjelder bruk utenfor godkjent indikasjon.",
    "Effekten er dokumentert i flere observasjonsstudier og i den svenske RIFUND-MS-studien.",
    "Forventet effekt er færre attakker, mindre sykdomsaktivitet på MR og stabil funksjon over tid.",
    "Behandlingen gis som infusjon 1000 mg ved oppstart og deretter 500 mg hver sjette måned.",
    "Vi vil evaluere effekten etter tolv måneder med klinisk undersøkelse, EDSS og MR av hjernen.",
    "Behandlingen avsluttes ved nye attakker, alvorlige infeksjoner eller hypogammaglobulinemi.",
    "Bivirkninger følges opp med blodprøver før hver infusjon og melding til Legemiddelverket ved behov.",
    "Pasienten er informert om at behandlingen er utenfor godkjent indikasjon og har samtykket skriftlig.",
    "Kostnaden er beregnet ut fra sykehusapotekets innkjøpspris og to infusjoner per år.",
    "Alternativet er autolog stamcelletransplantasjon, som er mer krevende og har høyere risiko.",
    "Alvorlighetsgraden er høy fordi pasienten er i arbeid og har små barn som er avhengige av henne.",
    "Faggruppen ved nevrologisk avdeling har drøftet saken og anbefaler behandlingen.",
    "Vi viser også til de nasjonale faglige retningslinjene for diagnostikk og behandling av MS.",
)
NAVN = ("Kari Testesen", "Ola Prøvesen", "Åse Eksempel", "Bjørn Fiktiv", "Sølvi Demo", "Per Oppdiktet")


class Utfylling:
    """What one editor's page holds: a begrunnelse of 1–3 kB that grows by a few words per save, as
    someone typing between saves, and other answers that mostly stay as they are (autosave.js sends
    every field of the form each time)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = " ".join(rng.sample(SETNINGER, len(SETNINGER))).split()
        self.next = 0
        self.typed: list[str] = []
        self.navn = rng.choice(NAVN)
        self.kostnad = 40_000 + 1000 * rng.randrange(200)
        target = rng.randint(1000, 1900)
        while len(self.text().encode()) < target:
            self.grow(1)

    def innhold(self) -> dict[str, Any]:
        if self.rng.random() < 0.1:
            self.kostnad += 1000
        return {"begrunnelse": self.grow(), "pasient_navn": self.navn, "estimert_kostnad_nok": self.kostnad}

    def grow(self, words: int = 5) -> str:
        for _ in range(words):
            self.typed.append(self.words[self.next % len(self.words)])
            self.next += 1
        while len(self.text().encode()) > MAX_TEXT_BYTES:
            del self.typed[:10]
        return self.text()

    def text(self) -> str:
        return " ".join(self.typed)


@dataclass
class Results:
    window_start: float
    window_end: float
    latencies_ms: list[float] = field(default_factory=list)
    completed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    missed_ticks: int = 0

    def record(self, sent: float, done: float, outcome: str) -> None:
        if not (self.window_start <= sent and done <= self.window_end):
            return
        if outcome != "200" and outcome != "201":
            self.errors[outcome] += 1
            return
        self.completed += 1
        self.latencies_ms.append((done - sent) * 1000)


class Connection:
    """One keep-alive HTTP/1.1 connection, as a browser holds one per origin. Deliberately minimal
    (Content-Length bodies only): httpx costs about 2 ms of CPU per request, which on a two-core machine
    would take CPU from the server under test and cap the saturation figures."""

    def __init__(self, url: str):
        parsed = httpx.URL(url)
        self.host = parsed.host
        self.port = parsed.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: bytes, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        try:
            self.writer.write(
                f"{method} {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n"
                f"content-length: {len(body)}\r\n".encode()
                + headers
                + b"\r\n"
                + body
            )
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif name == b"transfer-encoding":
                    raise RuntimeError("chunked responses are not supported")
            content = await self.reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Editor:
    """One user's draft on a connection of its own: the session's cookies and CSRF header, and the
    version last saved."""

    connection: Connection
    headers: bytes
    soknad_id: str = ""
    versjon: int = 0


async def login(url: str, user: Principal) -> bytes:
    """Headers of a logged-in demo user: logged in through the start page's form, as a browser is (the
    session is stored server-side), with the CSRF cookie the login sets and its token."""
    async with httpx.AsyncClient() as client:
        await client.get(f"{url}/")
        first = SIGNER.read_csrf(client.cookies[CSRF_COOKIE]) or ""
        response = await client.post(f"{url}/logg-inn", data={"bruker": user.user_id, "csrf_token": first})
        assert response.status_code == 303 and SESSION_COOKIE in client.cookies, "demo login failed"
        session = client.cookies[SESSION_COOKIE]
        csrf_cookie = client.cookies[CSRF_COOKIE]
    token = SIGNER.read_csrf(csrf_cookie)
    assert token is not None
    return (
        f"cookie: {SESSION_COOKIE}={session}; {CSRF_COOKIE}={csrf_cookie}\r\n"
        f"{CSRF_HEADER}: {token}\r\n"
        # As autosave.js: a save asks for the new version and the form's state, not the application.
        "content-type: application/json\r\naccept: application/json\r\nprefer: return=minimal\r\n"
    ).encode()


async def create_drafts(url: str, count: int) -> list[Editor]:
    logins = {u.user_id: await login(url, u) for u in SOKERE}
    users = [SOKERE[i % len(SOKERE)] for i in range(count)]
    editors = [Editor(Connection(url), logins[user.user_id]) for user in users]

    async def create(user: Principal, editor: Editor) -> None:
        body = json.dumps({"type": "enkeltpasient", "kategori": "off_label", "enhet": user.enhet}).encode()
        status, content = await editor.connection.request(
            "POST", "/soknad/api/soknader", editor.headers, body
        )
        if status != 201:
            raise RuntimeError(f"creating a draft: {status} {content[:500]!r}")
        created = json.loads(content)
        editor.soknad_id = created["id"]
        editor.versjon = created["versjon"]

    for start in range(0, count, 20):
        await asyncio.gather(*(create(users[i], editors[i]) for i in range(start, min(start + 20, count))))
    return editors


async def save(editor: Editor, utfylling: Utfylling, results: Results) -> None:
    # Like JSON.stringify in the browser: UTF-8, æøå not escaped.
    body = json.dumps(
        {"versjon": editor.versjon, "innhold": utfylling.innhold()}, ensure_ascii=False
    ).encode()
    sent = time.perf_counter()
    try:
        status, content = await editor.connection.request(
            "PUT", f"/soknad/api/soknader/{editor.soknad_id}", editor.headers, body
        )
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        results.record(sent, time.perf_counter(), type(exc).__name__)
        return
    results.record(sent, time.perf_counter(), str(status))
    if status == 200:
        editor.versjon = json.loads(content)["versjon"]


async def insert_row(editor: Editor, utfylling: Utfylling, results: Results) -> None:
    body = json.dumps({"tekst": utfylling.grow()}, ensure_ascii=False).encode()
    sent = time.perf_counter()
    try:
        status, _ = await editor.connection.request("POST", "/rad", editor.headers, body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        results.record(sent, time.perf_counter(), type(exc).__name__)
        return
    results.record(sent, time.perf_counter(), str(status))


async def editor_loop(editor: Editor, seed: int, config: dict[str, Any], results: Results) -> None:
    """Save every `interval_s`; a save still running at the next tick makes that tick wait, as
    autosave.js never sends two saves of one form at once (counted as a missed tick)."""
    rng = random.Random(seed)
    utfylling = Utfylling(rng)
    interval = config["interval_s"]
    tick = results.window_start - config["warmup_s"] + rng.uniform(0, interval)
    while tick < results.window_end:
        await asyncio.sleep(max(0.0, tick - time.perf_counter()))
        await save(editor, utfylling, results)
        tick += interval
        now = time.perf_counter()
        while tick < now:
            tick += interval
            if results.window_start <= tick <= results.window_end:
                results.missed_ticks += 1


async def closed_loop(editor: Editor, seed: int, config: dict[str, Any], results: Results) -> None:
    utfylling = Utfylling(random.Random(seed))
    send = save if config["target"] == "autosave" else insert_row
    while time.perf_counter() < results.window_end:
        await send(editor, utfylling, results)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


async def main(config: dict[str, Any]) -> dict[str, Any]:
    url = config["url"]
    clients = config["clients"]
    if config["target"] == "autosave":
        editors = await create_drafts(url, clients)
    else:
        plain = b"content-type: application/json\r\n"
        editors = [Editor(Connection(url), plain) for _ in range(clients)]
    start = time.perf_counter()
    results = Results(
        window_start=start + config["warmup_s"],
        window_end=start + config["warmup_s"] + config["duration_s"],
    )
    loop = editor_loop if config["mode"] == "editors" else closed_loop

    async def cpu_at(moment: float) -> tuple[float, float, float, float]:
        await asyncio.sleep(moment - time.perf_counter())
        return (
            time.process_time(),
            cpu_seconds(config["server_pid"]),
            named_cpu_seconds("postgres"),
            machine_cpu_seconds(),
        )

    cpu = asyncio.gather(cpu_at(results.window_start), cpu_at(results.window_end))
    await asyncio.gather(*(loop(e, i, config, results) for i, e in enumerate(editors)))
    start_cpu, end_cpu = await cpu
    client, server, postgres, machine = (
        (end - begin) / config["duration_s"] for begin, end in zip(start_cpu, end_cpu, strict=True)
    )
    for editor in editors:
        editor.connection.close()
    latencies = sorted(results.latencies_ms)
    return {
        "completed": results.completed,
        "per_s": results.completed / config["duration_s"],
        "errors": sum(results.errors.values()),
        "error_kinds": dict(results.errors),
        "missed_ticks": results.missed_ticks,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "client_cpu": client,
        "server_cpu": server,
        "postgres_cpu": postgres,
        "machine_cpu": machine,
        # Whatever else ran: other work on a shared machine disturbs the figures.
        "other_cpu": max(0.0, machine - client - server - postgres),
    }


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(json.dumps(runner.run(main(json.loads(sys.argv[1])))), flush=True)
