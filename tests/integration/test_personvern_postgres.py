"""The patient's access log on real PostgreSQL: the search by the number inside the answers (JSON) finds the
patient's applications there as on SQLite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold

pytestmark = pytest.mark.integration

FNR = synthetic_fodselsnummer(date(1968, 11, 2), sex="mann", serial=7)
OTHER = synthetic_fodselsnummer(date(1968, 11, 2), sex="mann", serial=8)


async def test_the_patients_applications_are_found_by_the_posted_number(pg_url: str, tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(database_url=pg_url, data_dir=tmp_path, log_json=False)
    async with running(create_app(settings, bus=bus)) as app:
        async with DemoClient(app, "hbe-soker") as soker:
            ids = []
            for fnr in (FNR, OTHER, FNR):
                r = await soker.send_json(
                    "POST",
                    "/api/soknader",
                    {
                        "type": "enkeltpasient",
                        "kategori": "off_label",
                        "enhet": "HBE-NEVRO",
                        "innhold": complete_innhold(pasient_fodselsnummer=fnr),
                    },
                )
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])
        async with DemoClient(app, "hbe-personvern") as berit:
            r = await berit.post(
                "/personvern/pasient/eksport",
                data={"fodselsnummer": FNR, "format": "csv", "csrf_token": await berit.csrf()},
            )
    await bus.close()
    assert r.status_code == 200, r.text
    # Drafts (no løpenummer yet): two of the patient's, none of the other patient's.
    rows = r.text.splitlines()[1:]
    assert len(rows) == 2 and all("Opprettet søknaden" in row for row in rows)
    assert FNR not in r.text
