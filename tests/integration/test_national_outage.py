"""A national outage never loses a summary: while the national vhost refuses the trust's user, the
decisions made meanwhile wait in integrasjon's outbox on PostgreSQL; when it is back they arrive, each
exactly once, and neither the messages nor the national database hold a fødselsnummer, a name, a
birth date or the applications' free text.

The outage is the national vhost closed to the trust (its permissions cleared and its connections
dropped, then given back), as `scripts/run_distributed.py` sets the user up; the machine's RabbitMQ
itself is never stopped."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import pytest
import pytest_asyncio
from fastapi import FastAPI

from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.base import EventContract
from shared.events.common import Forankring, Indikasjon, Kjonn, Legemiddel, Pasient, VedtakOmfang, Vilkar
from shared.events.contracts import (
    OppfolgingRegistrert,
    SakEtterregistrert,
    SakSammendragV2,
    SoknadForankret,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.factory import create_bus
from tests.support.apps import running
from tests.support.postgres import PG_HOST, PG_PORT, PG_USER, create_database, drop_database, url_for
from tests.support.rabbit import (
    UserFactory,
    close_connections,
    rabbitmqctl,
    set_permissions,
    set_topic_permissions,
    temporary_vhost,
    vhost_of,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

HF = "HBE"
NATIONAL = "nasjonal.sammendrag"
CAPTURE = "test.nasjonal.alle"
"""A second queue on the national exchange, beside oversikt's: every message as it went over the wire."""

PATIENTS: list[tuple[str, date, Kjonn]] = [
    ("Utbrudd Qvistesen", date(1961, 2, 14), "kvinne"),
    ("Avbrott Quarnes", date(2010, 9, 30), "mann"),
    ("Stansen Qoldberg", date(1988, 12, 1), "kvinne"),
]
FREE_TEXT = [
    "Tidligere behandlet med azatioprin uten effekt",  # the applicant's justification
    "Lederen støtter søknaden for pasienten",  # the anchoring's
    "Vurdert av kollegiet 12. mars",  # an answer in the form
    "Vedtaket begrunnes med alvorlig sykdom hos pasienten",  # a single patient's decision
    "Opphevet etter alvorlige infusjonsreaksjoner",  # the revocation's reasons
]


@pytest_asyncio.fixture
async def databases() -> AsyncIterator[dict[str, str]]:
    names = {"integrasjon": await create_database("io"), "oversikt": await create_database("oo")}
    try:
        yield {service: url_for(name) for service, name in names.items()}
    finally:
        for name in names.values():
            await drop_database(name)


def pasient(i: int) -> Pasient:
    navn, born, sex = PATIENTS[i]
    fnr = validate_fodselsnummer(synthetic_fodselsnummer(born, sex=sex, serial=i), allow_synthetic=True)
    return Pasient(fodselsnummer=fnr.value, navn=navn, fodselsdato=fnr.birth_date, kjonn=fnr.sex)


def lopenummer(i: int) -> str:
    return f"{HF}-2026-{900 + i:06d}"


def forankret(i: int, *, gruppe: bool = False) -> SoknadForankret:
    p = None if gruppe else pasient(i)
    sendt = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(days=i)
    return SoknadForankret(
        soknad_id=str(uuid.uuid5(uuid.NAMESPACE_URL, lopenummer(i))),
        lopenummer=lopenummer(i),
        hf=HF,
        type="gruppe" if gruppe else "enkeltpasient",
        kategori="off_label",
        enhet="HBE-NEVRO",
        soker_id="hbe-soker",
        soker_navn="Kari Nordmann",
        pasient=p,
        gruppe_beskrivelse="Voksne med NMOSD" if gruppe else None,
        gruppe_storrelse=20 if gruppe else None,
        legemiddel=Legemiddel(navn="MabThera", virkestoff="rituksimab", atc="L01FA01", verifisert=True),
        # Typed by hand, with the patient in it: the name must still not leave the trust.
        indikasjon=Indikasjon(
            kode="G36.0", tekst=f"NMOSD ({p.navn})" if p else "NMOSD", verifisert=p is None
        ),
        begrunnelse=f"{p.navn if p else 'Gruppen'}: {FREE_TEXT[0]}.",
        estimert_kostnad_nok=400_000,
        sendt_at=sendt,
        forankret_at=sendt + timedelta(days=1),
        forankring=Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse=FREE_TEXT[1], kostnadssted="4100"
        ),
        skjema_versjon=2,
        svar={"tidligere_behandling": FREE_TEXT[2], "fodselsnummer": p.fodselsnummer if p else None},
    )


def vedtatt(
    event: SoknadForankret, *, art: str = "vedtak", dager: int = 20, **overrides: Any
) -> VedtakFattet:
    values: dict[str, Any] = {
        "vedtak_id": f"{event.lopenummer}-{art}",
        "soknad_id": event.soknad_id,
        "lopenummer": event.lopenummer,
        "utfall": "innvilget",
        "begrunnelse": FREE_TEXT[3] if event.type == "enkeltpasient" else "Anbefalt nasjonalt.",
        "vurderingsflyt": "komplett",
        "fattet_av": "hbe-fagdirektor",
        "fattet_at": event.sendt_at + timedelta(days=dager),
        "art": art,
        "soknad_type": event.type,
        "omfang": VedtakOmfang(
            legemiddel=event.legemiddel,
            indikasjon=event.indikasjon,
            dosering="1000 mg x 2",
            enhet="HBE-NEVRO",
            enhet_navn="Nevrologisk avdeling",
        ),
        "vilkar_liste": [Vilkar(type="registrering", tekst="Registreres i kvalitetsregister.")],
    }
    return VedtakFattet(**{**values, **overrides})


def envelope(event: EventContract, subject: str) -> Envelope:
    return Envelope(
        source=f"/hf/{HF}/{event.PRODUCER}",
        type=event.TYPE,
        subject=subject,
        hf=HF,
        correlationid="outage-test",
        data=event.model_dump(mode="json"),
    )


def secrets() -> list[str]:
    found = [*FREE_TEXT, "Kari Nordmann", "Per Hansen"]
    for i in range(len(PATIENTS)):
        p = pasient(i)
        assert p.fodselsdato is not None
        found += [p.fodselsnummer, p.navn, *p.navn.split(), p.fodselsdato.isoformat()]
        found += [f"{p.fodselsdato:%d.%m.%Y}", f"{p.fodselsdato:%d%m%y}"]
    return found


def assert_clean(text: str, where: str) -> None:
    assert find_personnummer_like(text) == [], where
    for secret in secrets():
        assert secret not in text, (where, secret)


def oversikt_takes_v2(oversikt: FastAPI) -> bool:
    """Whether the national overview subscribes to the v2 summary (its own branch adds that)."""
    return SakSammendragV2.TYPE in {s.event_type for s in oversikt.state.runtime.subscriptions}


async def unsent_national(conn: asyncpg.Connection) -> tuple[int, int]:
    """(unsent national summaries, failed attempts on them) in integrasjon's outbox."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(sum(attempts), 0) AS attempts FROM outbox"
        " WHERE destination = 'national' AND sent_at IS NULL"
    )
    assert row is not None
    return int(row["n"]), int(row["attempts"])


async def queue_depth(url: str, queue: str) -> int:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def drain_queue(url: str, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    messages = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        while (message := await declared.get(fail=False, no_ack=True)) is not None:
            messages.append(message)
    return messages


async def all_rows_as_text(url: str) -> dict[str, str]:
    """Every row of every table of a database, as JSON text per table: what a scan must see."""
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database=url.rsplit("/", 1)[1])
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return {
            table: json.dumps([dict(r) for r in await conn.fetch(f'SELECT * FROM "{table}"')], default=str)
            for table in tables
        }
    finally:
        await conn.close()


async def test_decisions_made_during_a_national_outage_arrive_once_when_it_is_back(
    tmp_path: Path, rabbit_vhost_url: str, rabbit_users: UserFactory, databases: dict[str, str]
) -> None:
    national_vhost = vhost_of(rabbit_vhost_url)
    user = f"integrasjon-hbe-{uuid.uuid4().hex[:8]}"
    # As run_distributed.py sets a trust up: write the national exchange only, only `HBE.` keys.
    national_url = rabbit_users(user, uuid.uuid4().hex, national_vhost, "^$", f"^{NATIONAL}$", "^$")
    set_topic_permissions(user, national_vhost, NATIONAL, "^HBE\\.", "^$")
    common: dict[str, Any] = {
        "log_json": False,
        "bus_retry_delays_s": (0.1, 0.2),
        "outbox_poll_interval_s": 0.1,
    }

    # The second national queue, declared before anything is published.
    setup = await aio_pika.connect(rabbit_vhost_url)
    async with setup:
        channel = await setup.channel()
        exchange = await channel.declare_exchange(NATIONAL, aio_pika.ExchangeType.TOPIC, durable=True)
        capture = await channel.declare_queue(CAPTURE, durable=True)
        await capture.bind(exchange, "#")

    oversikt_settings = OversiktSettings(
        data_dir=tmp_path / "o",
        database_url=databases["oversikt"],
        bus_url=rabbit_vhost_url,
        expected_publishers={HF: user},
        **common,
    )
    integrasjon_db = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=databases["integrasjon"].rsplit("/", 1)[1]
    )
    with temporary_vhost() as trust_url:
        oversikt = create_oversikt(oversikt_settings)
        integrasjon = create_integrasjon(
            IntegrasjonSettings(
                data_dir=tmp_path / "i",
                database_url=databases["integrasjon"],
                hf=[HF],
                bus_url=trust_url,
                national_bus_url=national_url,
                national_user_template=user,
                **common,
            )
        )
        soknad = create_bus(trust_url, retry=RetryPolicy())
        async with running(oversikt), running(integrasjon):
            await soknad.connect()
            try:
                # Before the outage: three single-patient applications and a group's are anchored.
                anchored = [forankret(0), forankret(1), forankret(2), forankret(3, gruppe=True)]
                for anchoring in anchored:
                    await soknad.publish(envelope(anchoring, anchoring.lopenummer), exchange="soknad.events")
                await wait_until(partial(_depth_is, rabbit_vhost_url, 4), timeout=60)

                # The outage: the national vhost refuses the trust and drops its connections.
                rabbitmqctl("clear_permissions", "-p", national_vhost, user)
                close_connections(national_vhost, "national outage (test)")

                # Meanwhile the trust decides, amends, revokes, follows up and post-registers.
                during: list[tuple[EventContract, str]] = [
                    (vedtatt(anchored[0]), "beslutning.events"),
                    (vedtatt(anchored[1], utfall="avslatt"), "beslutning.events"),
                    (vedtatt(anchored[2]), "beslutning.events"),
                    (vedtatt(anchored[3]), "beslutning.events"),
                ]
                for event, exchange_name in during:
                    await soknad.publish(envelope(event, lopenummer_of(event)), exchange=exchange_name)
                await wait_until(partial(_unsent_at_least, integrasjon_db, 4), timeout=60)
                after: list[tuple[EventContract, str]] = [
                    (
                        vedtatt(anchored[0], art="endring", dager=60, utfall="innvilget_med_vilkar"),
                        "beslutning.events",
                    ),
                    (
                        VedtakOpphevet(
                            vedtak_id=f"{anchored[2].lopenummer}-opphevet",
                            opphever_vedtak_id=f"{anchored[2].lopenummer}-vedtak",
                            soknad_id=anchored[2].soknad_id,
                            lopenummer=anchored[2].lopenummer,
                            begrunnelse=FREE_TEXT[4],
                            gjelder_fra=date(2026, 6, 1),
                            opphevet_av="hbe-fagdirektor",
                            opphevet_av_navn="Lars Haugen",
                            opphevet_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
                        ),
                        "beslutning.events",
                    ),
                    (
                        OppfolgingRegistrert(
                            soknad_id=anchored[3].soknad_id,
                            lopenummer=anchored[3].lopenummer,
                            effekt="god",
                            bivirkninger=False,
                            fortsetter=True,
                            registrert_at=datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
                        ),
                        "soknad.events",
                    ),
                    (
                        SakEtterregistrert(
                            soknad_id=str(uuid.uuid5(uuid.NAMESPACE_URL, lopenummer(4))),
                            lopenummer=lopenummer(4),
                            type="enkeltpasient",
                            kategori="unntaksordningen",
                            enhet="HBE-NEVRO",
                            pasient=pasient(1),
                            legemiddel=Legemiddel(
                                navn="Keytruda", virkestoff="pembrolizumab", atc="L01FF02", verifisert=True
                            ),
                            indikasjon=Indikasjon(kode="C53.9", tekst="Livmorhalskreft", verifisert=True),
                            utfall="innvilget",
                            sendt_dato=date(2024, 1, 10),
                            vedtak_dato=date(2024, 2, 1),
                            registrert_av="hbe-admin",
                            registrert_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
                        ),
                        "soknad.events",
                    ),
                ]
                for event, exchange_name in after:
                    await soknad.publish(envelope(event, lopenummer_of(event)), exchange=exchange_name)
            finally:
                await soknad.close()

            # Every one of them waits in the outbox, and the relay has tried and failed to send them.
            waiting = 4 + len(after)
            await wait_until(partial(_unsent_and_tried, integrasjon_db, waiting), timeout=60)
            assert await queue_depth(rabbit_vhost_url, CAPTURE) == 4  # nothing got through

            # The national vhost is back.
            set_permissions(user, national_vhost, configure="^$", write=f"^{NATIONAL}$", read="^$")
            await wait_until(partial(_unsent_at_most, integrasjon_db, 0), timeout=90)
            await wait_until(partial(_depth_is, rabbit_vhost_url, 4 + waiting), timeout=60)

            # Exactly once on the wire: every summary once, each case's in sequence with no gap.
            messages = await drain_queue(rabbit_vhost_url, CAPTURE)
            assert len(messages) == 4 + waiting
            envelopes = [Envelope.from_bytes(m.body) for m in messages]
            assert len({e.id for e in envelopes}) == len(envelopes)
            assert {m.user_id for m in messages} == {user}
            assert {e.type for e in envelopes} == {SakSammendragV2.TYPE}
            summaries = [SakSammendragV2.model_validate(e.data) for e in envelopes]
            per_case: dict[str, list[int]] = defaultdict(list)
            for s in summaries:
                per_case[s.lopenummer].append(s.sekvens)
            assert {k: sorted(v) for k, v in per_case.items()} == {
                lopenummer(0): [1, 2, 3],
                lopenummer(1): [1, 2],
                lopenummer(2): [1, 2, 3],
                lopenummer(3): [1, 2, 3],
                lopenummer(4): [1],
            }
            last = {s.lopenummer: s for s in summaries if s.sekvens == max(per_case[s.lopenummer])}
            assert (last[lopenummer(0)].utfall, last[lopenummer(0)].endret) == ("innvilget_med_vilkar", True)
            assert last[lopenummer(1)].utfall == "avslatt"
            assert last[lopenummer(2)].status == "opphevet"
            assert (last[lopenummer(3)].effekt, last[lopenummer(3)].gruppevedtak is not None) == ("god", True)
            assert (last[lopenummer(4)].etterregistrert, last[lopenummer(4)].aldersgruppe) == (True, "13-17")

            # No fødselsnummer, name, birth date or free text in any message, body or properties.
            for message in messages:
                assert_clean(message.body.decode(), "message body")
                assert_clean(json.dumps(message.headers, default=str), "message headers")
            # Nor in what integrasjon keeps for the nation (the projection).
            projection = (await all_rows_as_text(databases["integrasjon"]))["sak_projeksjon"]
            assert_clean(projection, "integrasjon.sak_projeksjon")

            if not oversikt_takes_v2(oversikt):
                pytest.skip(
                    "the messages are checked; oversikt does not subscribe to SakSammendragV2 yet, so its "
                    "database holds none of them (the oversikt branch adds it)"
                )
            # The national database: one row per case, each summary applied once, nothing personal.
            national_db = await asyncpg.connect(
                host=PG_HOST, port=PG_PORT, user=PG_USER, database=databases["oversikt"].rsplit("/", 1)[1]
            )
            try:
                await wait_until(partial(_inbox_count, national_db, 4 + waiting), timeout=60)
                rows = await national_db.fetch("SELECT lopenummer, sekvens, oppdateringer FROM sammendrag")
            finally:
                await national_db.close()
            assert {r["lopenummer"]: r["sekvens"] for r in rows} == {k: max(v) for k, v in per_case.items()}
            assert Counter(r["oppdateringer"] for r in rows) == Counter(len(v) for v in per_case.values())
            for table, text in (await all_rows_as_text(databases["oversikt"])).items():
                assert_clean(text, f"oversikt.{table}")
    await integrasjon_db.close()


async def _unsent_at_least(conn: asyncpg.Connection, n: int) -> bool:
    return (await unsent_national(conn))[0] >= n


async def _unsent_at_most(conn: asyncpg.Connection, n: int) -> bool:
    return (await unsent_national(conn))[0] <= n


async def _unsent_and_tried(conn: asyncpg.Connection, n: int) -> bool:
    unsent, attempts = await unsent_national(conn)
    return unsent == n and attempts > 0


async def _inbox_count(conn: asyncpg.Connection, n: int) -> bool:
    return int(await conn.fetchval("SELECT count(*) FROM inbox") or 0) >= n


async def _depth_is(url: str, n: int) -> bool:
    return await queue_depth(url, CAPTURE) == n


def lopenummer_of(event: EventContract) -> str:
    value = getattr(event, "lopenummer")  # noqa: B009 - every event here has one; the base class does not
    assert isinstance(value, str)
    return value
