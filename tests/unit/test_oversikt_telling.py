"""The decision counts kept at ingest (`oversikt/telling.py`) always equal a fresh count of the summaries,
whatever order v1 and v2 summaries, older versions and replays arrive in and however they are grouped
into transactions; and the pages read from them answer exactly what the summaries answer."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from oversikt import handlers, store, telling
from oversikt.app import create_app
from oversikt.domain import Sokefilter
from oversikt.settings import OversiktSettings
from shared.events.contracts import SakSammendrag, SakSammendragV2
from shared.events.envelope import Envelope
from shared.platform.bus.memory import MemoryBus
from shared.platform.db.uow import Database
from tests.support.apps import running

CASES = [f"HBE-2026-{i:06d}" for i in range(4)] + [f"HNT-2026-{i:06d}" for i in range(3)]
DRUGS = [("rituksimab", "L01FA01", "G35", "MS"), ("rituksimab", "L01FA01", "G35", "Multippel sklerose"),
         ("anakinra", None, "D76.1", "HLH"), ("tocilizumab", "L04AC07", "M31.4", "Takayasu")]  # fmt: skip


UTFALL = ["innvilget", "innvilget_med_vilkar", "avslatt"]


@st.composite
def summaries(draw: st.DrawFn) -> SakSammendrag:
    lopenummer = draw(st.sampled_from(CASES))
    hf = lopenummer[:3]
    substance, atc, code, text = draw(st.sampled_from(DRUGS))
    status = draw(st.sampled_from(["til_vurdering", "vedtatt", "opphevet", "trukket"]))
    decided = status in ("vedtatt", "opphevet") and draw(st.booleans())
    values: dict[str, Any] = {
        "lopenummer": lopenummer,
        "hf": hf,
        "rhf": "HV" if hf == "HBE" else "HMN",
        "sekvens": draw(st.integers(1, 5)),
        "type": "enkeltpasient",
        "kategori": "off_label",
        "legemiddel_navn": "Navn",
        "virkestoff": substance,
        "atc": atc,
        "icd10_kode": code,
        "icd10_tekst": text,
        "status": status,
        "utfall": draw(st.sampled_from(["innvilget", "innvilget_med_vilkar", "avslatt"]))
        if decided
        else None,
        "sendt_maned": draw(st.sampled_from(["2025-11", "2026-01", "2026-02"])),
        "behandlingstid_dager": draw(st.none() | st.integers(0, 4)) if decided else None,
        "aldersgruppe": "30-49",
        "kjonn": "kvinne",
        "kostnadsband": "100-500k",
    }
    contract = draw(st.sampled_from([SakSammendrag, SakSammendragV2]))
    return contract(**values)


def envelope(event: SakSammendrag) -> Envelope:
    return Envelope(
        source=f"/hf/{event.hf}/integrasjon", type=event.TYPE, subject=event.lopenummer, hf=event.hf,
        correlationid="telling", data=event.model_dump(mode="json"),
    )  # fmt: skip


def oversikt_med_egen_lokke(
    path: Path, database_url: Callable[[AsyncExitStack], Awaitable[str]] | None = None
) -> Iterator[tuple[asyncio.AbstractEventLoop, Database]]:
    """One migrated oversikt and one event loop for all examples of a module (emptied before each); on
    SQLite in `path`, or on the database `database_url` makes (its clean-up pushed on the stack)."""
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()

    async def start() -> Database:
        url = await database_url(stack) if database_url is not None else ""
        bus = MemoryBus()
        await bus.connect()
        stack.push_async_callback(bus.close)
        settings = OversiktSettings(data_dir=path, database_url=url, log_json=False)
        app = await stack.enter_async_context(running(create_app(settings, bus=bus)))
        db: Database = app.state.runtime.db
        return db

    db = loop.run_until_complete(start())
    yield loop, db
    loop.run_until_complete(stack.aclose())
    loop.close()


@pytest.fixture(scope="module")
def miljo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.AbstractEventLoop, Database]]:
    yield from oversikt_med_egen_lokke(Path(tmp_path_factory.mktemp("telling")))


def expected(rows: list[Any]) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    """A fresh count of the stored summaries, written out independently of `telling.bidrag`."""
    vedtak: Counter[tuple[Any, ...]] = Counter()
    tider: Counter[tuple[Any, ...]] = Counter()
    for r in rows:
        if str(r.status) in ("vedtatt", "opphevet") and r.utfall is not None:
            base = (r.virkestoff_sok, r.icd10_kode)
            mid = (r.atc or "", r.icd10_kapittel, r.hf, r.rhf, str(r.status))
            vedtak[(*base, r.icd10_tekst, *mid, r.utfall, r.sendt_maned)] += 1
            if r.behandlingstid_dager is not None:
                tider[(*base, *mid, r.behandlingstid_dager)] += 1
    return vedtak, tider


async def ingest_and_compare(db: Database, groups: list[list[SakSammendrag]]) -> None:
    async with db.unit_of_work() as uow:
        for table in (store.Sammendrag, telling.VedtakTelling, telling.TidTelling):
            await uow.session.execute(delete(table))
        await uow.commit()
    newest: dict[str, int] = {}
    for group in groups:
        # One transaction per group, as the inbox runs the messages waiting together: a lone message goes
        # to the handler, a group to the group handler (batched on PostgreSQL).
        async with db.unit_of_work() as uow:
            if len(group) == 1:
                await handlers.on_sak_sammendrag(uow, group[0], envelope(group[0]))
            else:
                await handlers.on_sak_sammendrag_gruppe(uow, [(event, envelope(event)) for event in group])
            for event in group:
                newest[event.lopenummer] = max(newest.get(event.lopenummer, 0), event.sekvens)
            await uow.commit()
    async with db.unit_of_work() as uow:
        s = uow.session
        rows = list((await s.execute(select(store.Sammendrag))).scalars())
        assert {r.lopenummer: r.sekvens for r in rows} == newest
        want_vedtak, want_tider = expected(rows)
        v, t = telling.VedtakTelling, telling.TidTelling
        got_vedtak = Counter(
            {tuple(r[:-1]): r[-1] for r in (await s.execute(select(*v.__table__.c))).all() if r[-1]}
        )
        got_tider = Counter(
            {tuple(r[:-1]): r[-1] for r in (await s.execute(select(*t.__table__.c))).all() if r[-1]}
        )
        assert all(r[-1] >= 0 for r in (await s.execute(select(v.antall))).all())
        assert got_vedtak == want_vedtak
        assert got_tider == want_tider
        # What the pages read from the counts equals what the summaries give.
        for f in (
            Sokefilter(),
            Sokefilter(virkestoff="rituksimab", icd10="G35"),
            Sokefilter(atc="L04", kapittel="XIII"),
            Sokefilter(virkestoff="rituksimab", fra="2026-01", til="2026-02"),
            Sokefilter(hf="HBE", utfall="avslatt"),
            Sokefilter(status="opphevet"),
        ):
            assert await telling.variasjon(s, f) == await store.variasjon(s, f)
            assert sorted(await telling.kombinasjoner(s, f), key=repr) == sorted(
                await store.kombinasjoner(s, f), key=repr
            )
            fra_telling, fra_saker = await telling.vedtak_per_hf(s, f), await store.vedtak_per_hf(s, f)
            assert sorted(fra_telling.per_hf, key=repr) == sorted(fra_saker.per_hf, key=repr)
            assert fra_telling.tider_rhf == fra_saker.tider_rhf
            assert fra_telling.tider_alle == fra_saker.tider_alle


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(summaries(), min_size=1, max_size=20),
    cuts=st.lists(st.integers(1, 6), min_size=1, max_size=10),
    replays=st.lists(st.integers(0, 24), max_size=5),
)
def test_counts_equal_a_fresh_count(
    miljo: tuple[asyncio.AbstractEventLoop, Database], events: list[SakSammendrag], cuts: list[int],
    replays: list[int],
) -> None:  # fmt: skip
    loop, db = miljo
    loop.run_until_complete(ingest_and_compare(db, grouped(events, cuts, replays)))


def grouped(events: list[SakSammendrag], cuts: list[int], replays: list[int]) -> list[list[SakSammendrag]]:
    """The stream cut into the inbox's transactions. Replays: some summaries arrive again later (a
    redelivery under another event id, or a trust resending)."""
    stream = events + [events[i % len(events)] for i in replays]
    groups: list[list[SakSammendrag]] = []
    i = 0
    for n in cuts * (len(stream) // len(cuts) + 1):
        if i >= len(stream):
            break
        groups.append(stream[i : i + n])
        i += n
    return groups
