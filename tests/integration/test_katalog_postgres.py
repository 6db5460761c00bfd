"""The directory on PostgreSQL: its own migrations run (once, however many services start at the same
time), and a round trip of changes, sessions and searches behaves as on SQLite."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import NotFound
from shared.platform.katalog import Katalog
from shared.platform.katalog.seed import seed_demo

pytestmark = pytest.mark.integration

ADMIN = Principal("hbe-admin", "Anne Lie", frozenset({Role.ADMIN}), "HBE")


async def test_the_directory_migrates_once_and_round_trips_on_postgres(pg_url: str) -> None:
    # Every service of a trust starts at the same moment against the one directory database.
    katalogs = [Katalog(pg_url, seed=seed_demo, cache_ttl_s=0.0) for _ in range(4)]
    try:
        await asyncio.gather(*(k.start() for k in katalogs))
        first, other = katalogs[0], katalogs[1]
        assert await first.is_current()
        async with first.engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM person WHERE kilde = 'seed'")) == 20

        await first.legg_til_enhet(ADMIN, kode="HEMA", navn="Hematologisk seksjon", resh_id="900103")
        await first.legg_til_kostnadssted(ADMIN, enhet="HBE-HEMA", kode="4610", navn="Hematologi")
        await first.fjern_leder(ADMIN, enhet="HBE-REVMA", user_id="hbe-leder2")
        await first.utnevn_leder(ADMIN, enhet="HBE-HEMA", user_id="hbe-leder2")
        await first.register_from_token(hf="HBE", user_id="helseid-9", navn="Ørjan Ås", hpr_nummer="1234567")
        await first.tildel_rolle(ADMIN, user_id="helseid-9", rolle="soker")
        await first.legg_til_komite(ADMIN, user_id="helseid-9")

        # Another process sees it (its cache lives no longer than its TTL, here none).
        org = await other.org("HBE")
        hema = org.enhet("HBE-HEMA")
        assert hema is not None and hema.ledere == ("hbe-leder2",) and hema.resh_id == "900103"
        assert hema.kostnadssteder == (("4610", "Hematologi"),)
        assert "helseid-9" in org.komite
        orjan = await other.person("helseid-9")
        assert (
            orjan is not None and orjan.roller == {Role.SOKER, Role.KOMITE} and orjan.hpr_nummer == "1234567"
        )
        assert [p.user_id for p in await other.personer("HBE", sok="orjan as")] == ["helseid-9"]
        assert [p.user_id for p in await other.medforfatter_kandidater("HBE", "ØRJAN")] == ["helseid-9"]

        session = await first.open_session("helseid-9")
        assert await other.session_user(session) == "helseid-9"
        await other.revoke_session(session)
        assert await first.session_user(session) is None

        await first.deaktiver(ADMIN, user_id="helseid-9")
        assert not (await other.person("helseid-9")).aktiv  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            await first.utnevn_leder(ADMIN, enhet="OUS-NEVRO", user_id="hbe-soker")

        changes = [(e.handling, e.objekt) for e in await other.endringer("HBE")]
        assert changes == [
            ("person_deaktivert", "helseid-9"),
            ("komitemedlem_lagt_til", "helseid-9"),
            ("rolle_tildelt", "helseid-9"),
            ("person_registrert", "helseid-9"),
            ("leder_utnevnt", "HBE-HEMA"),
            ("leder_fjernet", "HBE-REVMA"),
            ("kostnadssted_lagt_til", "HBE-HEMA"),
            ("enhet_lagt_til", "HBE-HEMA"),
        ]
    finally:
        for k in katalogs:
            await k.close()
