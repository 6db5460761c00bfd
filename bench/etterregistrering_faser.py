"""Where the post-registration benchmark's time goes: wall and CPU time per phase of the import, the SQL
statements SQLAlchemy sent, PostgreSQL's CPU, and the relay's share, printed to stderr. PostgreSQL's CPU
is that of every backend of the server, so other work on the same server (a neighbour's tests) counts
too: compare it between runs on a quiet machine only.

Only for `ETTERREG_PROFILE=phases|cprofile`: it wraps the import's steps in place (module attributes,
looked up at each call), so the code measured is the code that runs, not a copy of it. A phase's wall
time includes what ran on the event loop while it awaited (the relay, mostly); its CPU time is the
process's during the phase, so the same holds for it. The relay's own figures say how much of that is
its."""

from __future__ import annotations

import cProfile
import functools
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.infra import named_cpu_seconds


@dataclass
class _Totals:
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0


@dataclass
class Faser:
    phases: dict[str, _Totals] = field(default_factory=lambda: defaultdict(_Totals))
    statements: dict[str, _Totals] = field(default_factory=lambda: defaultdict(_Totals))
    postgres_cpu_started: float = 0.0
    profiler: cProfile.Profile | None = None

    @classmethod
    def install(cls, engine: AsyncEngine) -> Faser:
        from shared.platform.db.uow import UnitOfWork
        from shared.platform.outbox.relay import OutboxRelay
        from soknad.etterregistrering import handlers, jobb, katalogoppslag, skriving

        self = cls()
        for owner, name in (
            (jobb.Etterregistrering, "_check"),
            (katalogoppslag.Katalogoppslag, "resolve"),
            (handlers, "record_checked"),
            (handlers, "import_rows"),
            (skriving, "_claim_keys"),
            (skriving, "_reserve_lopenumre"),
            (handlers, "refresh_statistics"),
            (handlers, "finish_import"),
            (UnitOfWork, "commit"),
            (OutboxRelay, "_claim"),
            (OutboxRelay, "_send"),
            (OutboxRelay, "_record"),
        ):
            label = f"{getattr(owner, '__name__', '').rsplit('.', 1)[-1]}.{name}"
            setattr(owner, name, self._timed_async(label, getattr(owner, name)))
        bulk_insert = skriving.bulk_insert
        by_table = {
            name: self._timed_async(f"bulk_insert {name}", bulk_insert)
            for name in ("soknad", "historikk", "revisjonslogg", "outbox")
        }

        async def timed_bulk_insert(uow: Any, table: Any, *args: Any, **kwargs: Any) -> Any:
            return await by_table.get(table.name, bulk_insert)(uow, table, *args, **kwargs)

        skriving.bulk_insert = timed_bulk_insert
        jobb.check_row = self._timed_sync("check_row", jobb.check_row)
        # In a worker thread but for the first batch: its CPU time is the whole process's meanwhile.
        jobb.forbered = self._timed_sync("forbered (a batch)", jobb.forbered)

        def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
            conn.info.setdefault("started", []).append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
            started = conn.info.get("started")
            if not started:
                return  # began before the listener was installed
            took = time.perf_counter() - started.pop()
            totals = self.statements[" ".join(statement.split())[:90]]
            totals.calls += 1
            totals.wall += took

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
        self.postgres_cpu_started = named_cpu_seconds("postgres")
        if os.environ.get("ETTERREG_PROFILE") == "cprofile":
            self.profiler = cProfile.Profile()
            self.profiler.enable()
        return self

    def _timed_async(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        totals = self.phases[name]

        @functools.wraps(fn)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return await fn(*args, **kwargs)
            finally:
                totals.calls += 1
                totals.wall += time.perf_counter() - wall
                totals.cpu += time.process_time() - cpu

        return timed

    def _timed_sync(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        totals = self.phases[name]

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                totals.calls += 1
                totals.wall += time.perf_counter() - wall
                totals.cpu += time.process_time() - cpu

        return timed

    def report(self, elapsed: float, cpu: float) -> None:
        if self.profiler is not None:
            self.profiler.disable()
        postgres = named_cpu_seconds("postgres") - self.postgres_cpu_started
        out = sys.stderr
        print(
            f"  phases: {elapsed:.1f} s wall, {cpu:.1f} s CPU here, {postgres:.1f} s CPU in PostgreSQL, "
            f"load {os.getloadavg()[0]:.2f}",
            file=out,
        )
        for name, t in sorted(self.phases.items(), key=lambda kv: -kv[1].wall):
            print(f"    {name:<40} {t.calls:>7} calls {t.wall:8.2f} s wall {t.cpu:8.2f} s CPU", file=out)
        print("  SQL through SQLAlchemy (COPY and the driver's own statements are not here):", file=out)
        for text, t in sorted(self.statements.items(), key=lambda kv: -kv[1].wall)[:15]:
            print(f"    {t.calls:>7} × {t.wall:7.2f} s  {text}", file=out)
        if self.profiler is not None:
            buffer = io.StringIO()
            stats = pstats.Stats(self.profiler, stream=buffer)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(40)
            print(buffer.getvalue(), file=out)
