"""The periodic check for overdue cases: the director is notified when a case passes its deadline,
not only when she happens to load her inbox."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from beslutning.handlers.saker import varsle_forfalte
from shared.platform.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


class ForfaltSjekk:
    """Started and stopped with the service (`ServiceRuntime.extra_start` / `extra_stop`)."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self, runtime: ServiceRuntime) -> None:
        self._task = asyncio.create_task(self._run(runtime), name="beslutning-forfalt")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self, runtime: ServiceRuntime) -> None:
        while True:
            try:
                created = await varsle_forfalte(runtime.db)
                if created:
                    log.info("forfalte_saker_varslet", antall=created)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The database may be away for a moment (a restart); the next round tries again.
                log.warning("forfalt_sjekk_feilet", error=str(exc))
            await asyncio.sleep(self.interval_s)
