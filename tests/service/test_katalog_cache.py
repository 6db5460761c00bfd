"""What the directory's in-process cache promises: this process sees its own changes at once; another
process trusts a session and units and roles for at most the cache's TTL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from shared.platform.auth.principal import Principal, Role
from shared.platform.katalog import katalog as katalog_module
from shared.platform.katalog.katalog import Katalog
from shared.platform.katalog.seed import seed_demo
from shared.platform.katalog.tables import okt

ADMIN = Principal("hbe-admin", "Anne Lie", frozenset({Role.ADMIN}), "HBE")


@pytest_asyncio.fixture
async def two_processes(tmp_path: Path) -> AsyncIterator[tuple[Katalog, Katalog]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'katalog.sqlite'}"
    here, there = Katalog(url, seed=seed_demo, cache_ttl_s=5.0), Katalog(url, cache_ttl_s=5.0)
    await here.start()
    await there.start()
    yield here, there
    await here.close()
    await there.close()


def clock_at(monkeypatch: pytest.MonkeyPatch, moment: float) -> None:
    monkeypatch.setattr(katalog_module.time, "monotonic", lambda: moment)


async def test_a_session_revoked_in_another_process_lives_there_at_most_the_ttl(
    two_processes: tuple[Katalog, Katalog], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = two_processes
    start = time.monotonic()
    clock_at(monkeypatch, start)
    session = await here.open_session("hbe-soker")
    assert await there.session_user(session) == "hbe-soker"
    await here.revoke_session(session)
    assert await here.session_user(session) is None  # the process that revoked it: at once
    clock_at(monkeypatch, start + 4.9)
    assert await there.session_user(session) == "hbe-soker"  # trusted from its cache
    clock_at(monkeypatch, start + 5.1)
    assert await there.session_user(session) is None
    # A refused session is never remembered: asked again, it is asked of the database.
    assert await there.session_user("aldri-utstedt") is None


async def test_own_changes_are_seen_at_once_and_another_processes_after_the_ttl(
    two_processes: tuple[Katalog, Katalog], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = two_processes
    start = time.monotonic()
    clock_at(monkeypatch, start)
    assert (await here.org("HBE")).ledere("HBE-NEVRO") == ["hbe-leder"]
    assert (await there.org("HBE")).ledere("HBE-NEVRO") == ["hbe-leder"]
    assert Role.SOKER in (await there.person("hbe-soker2")).roller  # type: ignore[union-attr]

    await here.fjern_leder(ADMIN, enhet="HBE-NEVRO", user_id="hbe-leder")
    await here.trekk_rolle(ADMIN, user_id="hbe-soker2", rolle="soker")
    assert (await here.org("HBE")).ledere("HBE-NEVRO") == []
    assert (await here.person("hbe-soker2")).roller == frozenset()  # type: ignore[union-attr]

    clock_at(monkeypatch, start + 4.9)
    assert (await there.org("HBE")).ledere("HBE-NEVRO") == ["hbe-leder"]
    clock_at(monkeypatch, start + 5.1)
    assert (await there.org("HBE")).ledere("HBE-NEVRO") == []
    assert (await there.person("hbe-soker2")).roller == frozenset()  # type: ignore[union-attr]


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


async def test_expired_and_revoked_sessions_are_cleared_out_of_the_table_by_logins_hourly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    katalog = Katalog(
        f"sqlite+aiosqlite:///{tmp_path / 'k.sqlite'}", seed=seed_demo, clock=clock, session_max_age_s=3600
    )
    await katalog.start()

    async def stored() -> set[str]:
        async with katalog.engine.connect() as conn:
            return set((await conn.execute(select(okt.c.user_id))).scalars())

    try:
        start = time.monotonic()
        clock_at(monkeypatch, start)
        old = await katalog.open_session("hbe-soker")
        revoked = await katalog.open_session("hbe-leder")
        await katalog.revoke_session(revoked)
        clock.moment += timedelta(minutes=70)  # the first session is now past its 60 minutes
        assert await katalog.session_user(old) is None
        clock_at(monkeypatch, start + 30 * 60)
        live = await katalog.open_session("hbe-komite")
        # Within the hour since this process last cleared: nothing is cleared on login.
        assert await stored() == {"hbe-soker", "hbe-leder", "hbe-komite"}
        clock_at(monkeypatch, start + 61 * 60)
        await katalog.open_session("hbe-fagdirektor")
        assert await stored() == {"hbe-komite", "hbe-fagdirektor"}
        assert await katalog.session_user(live) == "hbe-komite"
        assert await katalog.clear_expired_sessions() == 0
    finally:
        await katalog.close()
