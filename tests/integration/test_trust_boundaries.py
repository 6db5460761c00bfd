"""A trust's services serve only that trust's users; the national overview serves every trust's."""

from __future__ import annotations

from pathlib import Path

from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.bus.memory import MemoryBus
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running


async def test_users_of_another_trust_are_refused_by_a_trusts_service(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    app = create_soknad(SoknadSettings(hf=["HBE"], data_dir=tmp_path, log_json=False), bus=bus)
    async with running(app):
        for user in ("ous-soker", "ous-nasjonal", "ous-admin"):
            async with DemoClient(app, user) as client:
                response = await client.get("/api/soknader")
                assert response.status_code == 403, user
                assert "helseforetak" in response.json()["detail"]
        async with DemoClient(app, "hbe-soker") as client:
            assert (await client.get("/api/soknader")).status_code == 200
    await bus.close()


async def test_the_national_overview_serves_every_trust(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    app = create_oversikt(OversiktSettings(hf=["HBE"], data_dir=tmp_path, log_json=False), bus=bus)
    async with running(app), DemoClient(app, "ous-nasjonal") as client:
        assert (await client.get("/api/saker")).status_code == 200
    await bus.close()
