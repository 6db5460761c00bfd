"""The soknad API and pages on the embedded default: bad input gets a clear 4xx, nothing saved is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI

from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold

PROBLEM = "application/problem+json"

COMPLETE = complete_innhold()


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, max_body_bytes=50_000)
    async with running(create_app(settings, bus=bus)) as app:
        yield app
    await bus.close()


async def new_draft(client: DemoClient, innhold: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await client.send_json(
        "POST",
        "/api/soknader",
        {
            "type": "enkeltpasient",
            "kategori": "off_label",
            "enhet": "HBE-NEVRO",
            "innhold": innhold or {},
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_draft_autosave_send_and_anchor(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker)
        r = await soker.send_json("PUT", f"/api/soknader/{draft['id']}", {"versjon": 1, "innhold": COMPLETE})
        assert r.status_code == 200 and r.json()["versjon"] == 2
        r = await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {"versjon": 2})
        assert r.status_code == 200
        assert r.json()["lopenummer"].startswith("HBE-")
        assert r.json()["status"] == "til_forankring"
    async with DemoClient(app, "hbe-leder") as leder:
        inbox = (await leder.get("/api/soknader", params={"rolle": "leder"})).json()
        assert [s["id"] for s in inbox] == [draft["id"]]
        r = await leder.send_json(
            "POST",
            f"/api/soknader/{draft['id']}/forankring",
            {"begrunnelse": "Faglig enig", "kostnadssted": "4100"},
        )
        assert r.json()["status"] == "til_vurdering"
    outbox = app.state.runtime.tables.outbox
    async with app.state.runtime.db.sessions() as session:
        rows = (await session.execute(outbox.select())).all()
    assert [r.event_type for r in rows] == [
        "no.soknadsportal.soknad.soknad_sendt.v1",
        "no.soknadsportal.soknad.soknad_forankret.v1",
    ]


async def test_lopenummer_is_unique_and_sequential(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        numbers = []
        for _ in range(3):
            draft = await new_draft(soker, COMPLETE)
            numbers.append(
                (await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})).json()["lopenummer"]
            )
    seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]


@pytest.mark.parametrize(
    ("innhold", "field", "fragment"),
    [
        ({"pasient_navn": "x" * 500}, "innhold.pasient_navn", "for lang"),  # kort tekst
        ({"begrunnelse": ["liste"]}, "innhold.begrunnelse", "Må være tekst"),  # lang tekst
        ({"antall_kurer": "tre"}, "innhold.antall_kurer", "heltall"),  # heltall
        ({"antall_kurer": 0}, "innhold.antall_kurer", "minst 1"),
        ({"estimert_kostnad_nok": -5}, "innhold.estimert_kostnad_nok", "minst 0"),  # beløp
        ({"estimert_kostnad_nok": "mye"}, "innhold.estimert_kostnad_nok", "hele kroner"),
        ({"samtykke_dato": "2026-02-30"}, "innhold.samtykke_dato", "gyldig dato"),  # dato
        ({"samtykke_dato": "2999-01-01"}, "innhold.samtykke_dato", "frem i tid"),
        ({"administrasjonsvei": "telepatisk"}, "innhold.administrasjonsvei", "Velg et av"),  # valg
        ({"pasient_informert": "kanskje"}, "innhold.pasient_informert", "ja eller nei"),  # ja/nei
        ({"pasient_fodselsnummer": "15838500003"}, "innhold.pasient_fodselsnummer", "Kontrollsifrene"),
        ({"pasient_fodselsnummer": "1583850"}, "innhold.pasient_fodselsnummer", "11 siffer"),
        ({"legemiddel": {"atc": "99"}}, "innhold.legemiddel.atc", "ATC"),  # legemiddel
        ({"legemiddel": {"pris": "1"}}, "innhold.legemiddel.pris", "Ukjent felt"),
        ({"indikasjon": {"kode": "QQQ"}}, "innhold.indikasjon.kode", "ICD-10"),  # icd10
        ({"hemmelig": "x"}, "innhold.hemmelig", "Ukjent spørsmål"),  # not in the form
    ],
)
async def test_invalid_field_names_the_field_and_keeps_what_was_saved(
    app: FastAPI, innhold: dict[str, Any], field: str, fragment: str
) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, COMPLETE)
        r = await soker.send_json("PUT", f"/api/soknader/{draft['id']}", {"versjon": 1, "innhold": innhold})
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM
        errors = r.json()["errors"]
        assert any(e["field"] == field and fragment in e["message"] for e in errors), errors
        saved = (await soker.get(f"/api/soknader/{draft['id']}")).json()
        assert saved["versjon"] == 1
        assert saved["innhold"] == draft["innhold"]


async def test_a_save_keeps_answers_left_out_and_reports_what_the_page_needs(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker)
        assert draft["skjema_versjon"] == 1
        assert "klinisk_eksepsjonell" not in draft["synlige"]
        assert draft["fullforing"]["pasient"] == {
            "besvart": 0,
            "pakrevd": 2,
            "komplett": False,
            "status": "ikke_startet",
        }
        fnr = COMPLETE["pasient_fodselsnummer"]
        r = await soker.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {"versjon": 1, "innhold": {"pasient_fodselsnummer": fnr, "dose": "1000 mg"}},
        )
        assert r.status_code == 200
        assert r.json()["avledet"]["pasient_fodselsnummer"]["kjonn"] == "kvinne"
        assert r.json()["fullforing"]["pasient"]["status"] == "mangler"
        # Another scheme asks other questions: the answer says so at once.
        r = await soker.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {
                "versjon": 2,
                "kategori": "unntaksordningen",
                "innhold": {"pasient_navn": "Syntetisk Testpasient"},
            },
        )
        body = r.json()
        assert body["kategori"] == "unntaksordningen"
        assert {"klinisk_eksepsjonell", "markedsforingstillatelse", "nye_metoder_id"} <= set(body["synlige"])
        assert body["fullforing"]["pasient"]["status"] == "komplett"
        assert body["innhold"] == {
            "pasient_fodselsnummer": fnr,
            "dose": "1000 mg",
            "pasient_navn": "Syntetisk Testpasient",
        }
        # An empty answer clears; an unchanged save makes no new version.
        r = await soker.send_json(
            "PUT", f"/api/soknader/{draft['id']}", {"versjon": 3, "innhold": {"dose": ""}}
        )
        assert "dose" not in r.json()["innhold"] and r.json()["versjon"] == 4
        r = await soker.send_json(
            "PUT", f"/api/soknader/{draft['id']}", {"versjon": 4, "innhold": {"dose": ""}}
        )
        assert r.json()["versjon"] == 4


async def test_autosave_asks_for_a_minimal_answer_and_gets_the_version_and_form_state(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, {"begrunnelse": "Første setning."})
        url = f"/api/soknader/{draft['id']}"
        fnr = COMPLETE["pasient_fodselsnummer"]
        headers = {"x-csrf-token": await soker.csrf(), "prefer": "handling=strict, return=minimal"}
        body = {"versjon": 1, "innhold": {"pasient_fodselsnummer": fnr}}
        r = await soker.put(url, json=body, headers=headers)
        assert r.status_code == 200 and r.headers["preference-applied"] == "return=minimal"
        minimal = r.json()
        assert set(minimal) == {"id", "versjon", "endret_at", "synlige", "fullforing", "avledet"}
        assert minimal["id"] == draft["id"] and minimal["versjon"] == 2
        assert minimal["avledet"]["pasient_fodselsnummer"]["kjonn"] == "kvinne"
        assert minimal["fullforing"]["pasient"]["status"] == "mangler"
        # Nothing was lost by not sending it back: the application holds both answers.
        full = (await soker.get(url)).json()
        assert full["innhold"] == {"begrunnelse": "Første setning.", "pasient_fodselsnummer": fnr}
        assert full["versjon"] == 2 and full["endret_at"] == minimal["endret_at"]
        # Without the preference the answer is the whole application, as before.
        r = await soker.send_json("PUT", url, {"versjon": 2, "innhold": {"dose": "5 mg"}})
        assert "preference-applied" not in r.headers
        assert r.json()["innhold"]["dose"] == "5 mg" and r.json()["versjon"] == 3


async def test_synthetic_numbers_refused_when_the_deployment_forbids_them(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, allow_synthetic_personnummer=False)
    async with running(create_app(settings, bus=bus)) as app, DemoClient(app, "hbe-soker") as soker:
        r = await soker.send_json(
            "POST",
            "/api/soknader",
            {
                "type": "enkeltpasient",
                "kategori": "off_label",
                "enhet": "HBE-NEVRO",
                "innhold": {"pasient_fodselsnummer": "15838500002"},
            },
        )
        assert r.status_code == 422
        assert "Syntetiske" in r.json()["errors"][0]["message"]
    await bus.close()


async def test_unknown_enum_and_missing_field(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        r = await soker.send_json(
            "POST", "/api/soknader", {"type": "alle", "kategori": "off_label", "enhet": "X"}
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "type"
        assert "Tillatte verdier" in r.json()["errors"][0]["message"]
        r = await soker.send_json("POST", "/api/soknader", {"type": "gruppe", "enhet": "HBE-NEVRO"})
        assert r.status_code == 422
        assert r.json()["errors"] == [{"field": "kategori", "message": "Feltet må fylles ut."}]


async def test_malformed_json_and_oversized_body(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, COMPLETE)
        headers = {"x-csrf-token": await soker.csrf(), "content-type": "application/json"}
        r = await soker.put(
            f"/api/soknader/{draft['id']}", content=b'{"versjon": 1, "innhold": ', headers=headers
        )
        assert r.status_code == 400
        assert r.headers["content-type"] == PROBLEM
        big = {"versjon": 1, "innhold": {**COMPLETE, "begrunnelse": "x" * 60_000}}
        r = await soker.send_json("PUT", f"/api/soknader/{draft['id']}", big)
        assert r.status_code == 413
        assert r.json()["title"] == "Forespørselen er for stor"
        saved = (await soker.get(f"/api/soknader/{draft['id']}")).json()
        assert saved["innhold"]["begrunnelse"] == COMPLETE["begrunnelse"]


async def test_stale_version_is_a_conflict_with_both_versions(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, COMPLETE)
        first = {**COMPLETE, "begrunnelse": "Første forfatter"}
        second = {**COMPLETE, "begrunnelse": "Andre forfatter"}
        assert (
            await soker.send_json("PUT", f"/api/soknader/{draft['id']}", {"versjon": 1, "innhold": first})
        ).status_code == 200
        r = await soker.send_json("PUT", f"/api/soknader/{draft['id']}", {"versjon": 1, "innhold": second})
        assert r.status_code == 409
        body = r.json()
        assert body["din_versjon"] == 1 and body["lagret_versjon"] == 2
        assert body["lagret_innhold"]["begrunnelse"] == "Første forfatter"


async def test_not_allowed_transitions_are_409(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, COMPLETE)
        assert (await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})).status_code == 200
        r = await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})
        assert r.status_code == 409
        assert r.json()["title"] == "Handlingen er ikke mulig nå"


async def test_sending_incomplete_lists_every_missing_field(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, {"pasient_navn": "Syntetisk Testpasient", "skriftlig_samtykke": "ja"})
        r = await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM
        assert [e["field"] for e in r.json()["errors"]] == [
            "innhold.pasient_fodselsnummer",
            "innhold.indikasjon.kode",
            "innhold.indikasjon.tekst",
            "innhold.alvorlighetsgrad",
            "innhold.alvorlighet_beskrivelse",
            "innhold.legemiddel.navn",
            "innhold.legemiddel.virkestoff",
            "innhold.dose",
            "innhold.administrasjonsvei",
            "innhold.doseringsintervall",
            "innhold.behandlingsvarighet",
            "innhold.godkjent_bruk",
            "innhold.tiltenkt_bruk",
            "innhold.tidligere_behandling",
            "innhold.tidligere_behandling_utfall",
            "innhold.klinisk_studie",
            "innhold.dokumentasjon",
            "innhold.dokumentasjon_niva",
            "innhold.forventet_effekt",
            "innhold.estimert_kostnad_nok",
            "innhold.kostnad_grunnlag",
            "innhold.evalueringsplan",
            "innhold.evaluering_tidspunkt",
            "innhold.stoppkriterier",
            "innhold.bivirkninger_oppfolging",
            "innhold.register_registrering",
            "innhold.pasient_informert",
            "innhold.samtykke_dato",  # opened by the written consent answered above
            "innhold.begrunnelse",
        ]
        assert "29 opplysning(er)" in r.json()["detail"]
        saved = (await soker.get(f"/api/soknader/{draft['id']}")).json()
        assert saved["status"] == "utkast" and saved["innhold"]["pasient_navn"] == "Syntetisk Testpasient"


async def test_relations_other_trust_and_other_applicant_cannot_read(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, COMPLETE)
    for user in ("ous-soker", "hbe-soker2", "hbe-nasjonal", "hbe-leder"):
        async with DemoClient(app, user) as other:
            r = await other.get(f"/api/soknader/{draft['id']}")
            assert r.status_code in (403, 404), user


async def test_csrf_and_security_headers(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        r = await soker.get("/", headers={"accept": "text/html"})
        assert r.status_code == 200
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["referrer-policy"]
        cookie = r.headers.get("set-cookie", "")
        assert "HttpOnly" in cookie and "SameSite" in cookie
        r = await soker.post(
            "/api/soknader", json={"type": "gruppe", "kategori": "off_label", "enhet": "HBE-NEVRO"}
        )
        assert r.status_code == 403
        assert "Skjemaet er utløpt" in r.json()["detail"]


async def test_readable_norwegian_error_page_for_people(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        r = await soker.get("/s/finnes-ikke", headers={"accept": "text/html"})
        assert r.status_code == 404
        assert "text/html" in r.headers["content-type"]
        assert "finnes ikke" in r.text


async def test_audit_log_records_reads_of_personal_data(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, COMPLETE)
        await soker.get(f"/api/soknader/{draft['id']}")
    audit = app.state.runtime.tables.audit
    async with app.state.runtime.db.sessions() as session:
        rows = (await session.execute(audit.select().where(audit.c.action == "les"))).all()
    assert [(r.actor_id, r.actor_role, r.case_ref, r.what) for r in rows] == [
        ("hbe-soker", "soker", draft["id"], "soknad.vis")
    ]


async def test_health_openapi_and_metrics(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as client:
        assert (await client.get("/health/live")).json() == {"status": "ok"}
        assert (await client.get("/health/ready")).json() == {"status": "klar"}
        assert "/api/soknader" in (await client.get("/openapi.json")).json()["paths"]
        metrics = (await client.get("/metrics")).text
        assert "sp_http_requests_total" in metrics and "sp_outbox_backlog" in metrics
