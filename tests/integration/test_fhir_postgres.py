"""The FHIR API on real PostgreSQL: the searches that read inside JSON (the patient's number in the answers,
a replaced decision's id in the kept decision history) find there what they find on SQLite, and the reads
land in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.fhir.ressurser import GRUPPE_PASIENT
from shared.fhir.systemer import FODSELSNUMMER, VEDTAK_ID
from shared.platform.db.revisjonslogg import MAX_ROWS, rows_for_cases
from tests.support.apps import DemoClient
from tests.support.builders import complete_innhold
from tests.support.fhir_validering import errors
from tests.support.soknad_flyt import SOKER, send_soknad, soknadsflyt, vedtak

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
FNR = complete_innhold()["pasient_fodselsnummer"]


async def test_patient_and_decision_searches_on_postgres(pg_url: str, tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW, database_url=pg_url) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        other_id, _ = await send_soknad(flyt, pasient_fodselsnummer=None, type_="gruppe")
        first = vedtak(soknad_id, lopenummer)
        await flyt.publish(first, lopenummer=lopenummer)
        amended = vedtak(
            soknad_id, lopenummer, utfall="innvilget", art="endring", erstatter_vedtak_id=first.vedtak_id
        )
        await flyt.publish(amended, lopenummer=lopenummer)
        async with DemoClient(flyt.app, SOKER) as soker:
            by_patient = (
                await soker.get("/fhir/Claim", params={"patient.identifier": f"{FODSELSNUMMER}|{FNR}"})
            ).json()
            replaced = await soker.get(f"/fhir/ClaimResponse/{first.vedtak_id}")
            by_vedtak = (
                await soker.get(
                    "/fhir/ClaimResponse", params={"identifier": f"{VEDTAK_ID}|{amended.vedtak_id}"}
                )
            ).json()
            group = await soker.get(f"/fhir/Claim/{other_id}")
        async with flyt.app.state.runtime.db.unit_of_work() as uow:
            utdrag = await rows_for_cases(uow, hf="HBE", case_refs=[lopenummer], etter=None, antall=MAX_ROWS)
        audited = [rad.purpose for rad in utdrag.rader if "FHIR" in rad.purpose]
    assert [e["resource"]["id"] for e in by_patient["entry"]] == [soknad_id]
    assert replaced.status_code == 200 and replaced.json()["status"] == "cancelled"
    assert [e["resource"]["id"] for e in by_vedtak["entry"]] == [amended.vedtak_id]
    assert group.status_code == 200 and group.json()["patient"] == {"display": GRUPPE_PASIENT}
    assert sorted(audited) == [
        "Lest som FHIR ClaimResponse (FHIR-API)",
        "Søk etter Claim (FHIR-API)",
        "Søk etter ClaimResponse (FHIR-API)",
    ]
    assert errors([by_patient, replaced.json(), by_vedtak, group.json()]) == []
