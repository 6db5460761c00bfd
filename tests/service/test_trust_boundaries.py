"""A trust's services serve only that trust's users; the national overview serves every trust's."""

from __future__ import annotations

from pathlib import Path

from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.platform.bus.memory import MemoryBus
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


async def test_an_application_goes_only_to_a_unit_of_the_trust(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    app = create_soknad(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus)
    async with running(app), DemoClient(app, "hbe-soker") as client:
        body = {"type": "enkeltpasient", "kategori": "off_label", "enhet": "OUS-NEVRO"}
        refused = await client.send_json("POST", "/api/soknader", body)
        assert refused.status_code == 422
        assert refused.json()["errors"] == [
            {"field": "enhet", "message": "Velg en enhet i ditt helseforetak."}
        ]
        draft = await client.send_json("POST", "/api/soknader", {**body, "enhet": "HBE-NEVRO"})
        assert draft.status_code == 201
        moved = await client.send_json(
            "PUT", f"/api/soknader/{draft.json()['id']}", {"versjon": 1, "innhold": {}, "enhet": "UKJENT"}
        )
        assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "enhet"
    await bus.close()
