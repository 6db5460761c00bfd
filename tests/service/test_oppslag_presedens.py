"""Drug and ICD-10 look-ups, and precedent before work, on the embedded default.

soknad proxies the catalogue of `integrasjon` and falls back to typing by hand when it is down; the
precedent shows the trust's own decisions from soknad's tables and the national picture from `oversikt`
(aggregated, small cells suppressed), with the caller's own credentials passed on."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from embedded.app import create_app as create_embedded
from embedded.settings import EmbeddedSettings
from shared.events.contracts import SakSammendrag
from shared.events.envelope import Envelope
from shared.platform.bus.memory import MemoryBus
from soknad.app import LOOKUP_TIMEOUT
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from soknad.store import Soknad
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold
from tests.support.embedded_server import free_port

PROBLEM = "application/problem+json"
NATIONAL = "nasjonal.sammendrag"


@pytest_asyncio.fixture
async def portal(tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = create_embedded(
        EmbeddedSettings(data_dir=tmp_path, seed_demo_data=False, bus_retry_delays_s=(0.05, 0.2))
    )
    async with app.router.lifespan_context(app):
        yield app


def as_user(portal: FastAPI, user_id: str) -> DemoClient:
    return DemoClient(portal, user_id, base_url="http://portal")


# --- the look-ups -----------------------------------------------------------------------------------------
async def test_drug_lookup_returns_catalogue_hits_with_everything_the_form_fills_in(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.get("/soknad/api/oppslag/legemidler", params={"q": "ritu"})
        assert r.status_code == 200
        body = r.json()
        assert body["tilgjengelig"] is True
        mabthera = next(t for t in body["treff"] if t["navn"] == "MabThera")
        assert mabthera["virkestoff"] == "rituksimab"
        assert mabthera["atc"] == "L01FA01"
        assert mabthera["legemiddelform"] and mabthera["styrke"] == "10 mg/ml"
        assert mabthera["fest_id"].startswith("ID_")
        assert mabthera["smpc_url"].startswith("https://")
        assert mabthera["krever_godkjenningsfritak"] is False

        melatonin = (await soker.get("/soknad/api/oppslag/legemidler", params={"q": "melatonin"})).json()
        assert any(t["krever_godkjenningsfritak"] for t in melatonin["treff"])

        diagnoser = (await soker.get("/soknad/api/oppslag/diagnoser", params={"q": "G35"})).json()
        assert diagnoser["tilgjengelig"] is True
        assert diagnoser["treff"][0]["kode"] == "G35"
        assert diagnoser["treff"][0]["tekst"]


async def test_lookup_search_text_too_long_is_a_422_naming_the_field(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.get("/soknad/api/oppslag/legemidler", params={"q": "x" * 101})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert [e["field"] for e in r.json()["errors"]] == ["q"]


ATTEMPTS: list[str] = []
"""The paths soknad_alone's app asked its closed neighbours for, in order."""


@pytest_asyncio.fixture
async def soknad_alone(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """soknad whose integrasjon and oversikt both listen on nothing; every attempt to reach them is
    recorded in ATTEMPTS."""
    bus = MemoryBus()
    await bus.connect()
    closed = free_port()
    ATTEMPTS.clear()

    async def record(request: httpx.Request) -> None:
        ATTEMPTS.append(request.url.path)

    def client(service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{closed}/{service}",
            timeout=LOOKUP_TIMEOUT,
            event_hooks={"request": [record]},
        )

    app = create_soknad(
        SoknadSettings(data_dir=tmp_path, log_json=False),
        bus=bus,
        integrasjon=client("integrasjon"),
        oversikt=client("oversikt"),
    )
    async with running(app):
        yield app
    await bus.close()


async def test_unreachable_integrasjon_answers_unavailable_at_once_and_hand_typing_still_sends(
    soknad_alone: FastAPI,
) -> None:
    async with DemoClient(soknad_alone, "hbe-soker") as soker:
        for path in ("/api/oppslag/legemidler", "/api/oppslag/diagnoser"):
            r = await soker.get(path, params={"q": "ritu"})
            assert r.status_code == 200
            assert r.json() == {"tilgjengelig": False, "treff": []}
        # At once: one attempt a lookup, no retry or wait on a neighbour that refuses the connection.
        assert len(ATTEMPTS) == 2 and all(path.startswith("/integrasjon/") for path in ATTEMPTS), ATTEMPTS

        # Typed by hand, marked as not checked against the registry: saved and sent all the same.
        innhold = complete_innhold(
            legemiddel={
                "navn": "Rituksimab inf kons",
                "virkestoff": "rituksimab",
                "atc": "L01FA01",
                "verifisert": False,
            },
            indikasjon={"kode": "G35", "tekst": "Multippel sklerose", "verifisert": False},
        )
        r = await soker.send_json(
            "POST",
            "/api/soknader",
            {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": {}},
        )
        assert r.status_code == 201, r.text
        draft = r.json()
        r = await soker.send_json(
            "PUT", f"/api/soknader/{draft['id']}", {"versjon": draft["versjon"], "innhold": innhold}
        )
        assert r.status_code == 200, r.text
        r = await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})
        assert r.status_code == 200, r.text
        sent = r.json()
        assert sent["lopenummer"].startswith("HBE-")
        assert sent["innhold"]["legemiddel"]["verifisert"] is False
        assert sent["innhold"]["indikasjon"]["verifisert"] is False

        # Precedent: the trust's own part still answers; the national part says it is unavailable.
        r = await soker.get("/api/presedens", params={"virkestoff": "rituksimab", "icd10": "G35"})
        assert r.status_code == 200
        assert r.json()["nasjonalt"] == {
            "tilgjengelig": False,
            "prikkegrense": None,
            "per_hf": [],
            "gruppevedtak": [],
        }
        assert r.json()["lokalt"]["enkeltvedtak"] == {"innvilget": 0, "avslatt": 0}
        page = await soker.get("/presedens", params={"virkestoff": "rituksimab", "icd10": "G35"})
        assert page.status_code == 200
        assert "Nasjonal oversikt er ikke tilgjengelig nå" in page.text


# --- local precedent --------------------------------------------------------------------------------------
async def add_cases(portal: FastAPI, *cases: dict[str, Any]) -> None:
    """Decided cases written straight into soknad's table: the precedent reads only case-level columns,
    so this does not depend on which answers the form requires before sending."""
    db = portal.state.services["soknad"].state.runtime.db
    now = datetime(2026, 3, 14, 12, tzinfo=UTC)
    async with db.sessions() as session, session.begin():
        for n, case in enumerate(cases):
            hf = case.get("hf", "HBE")
            soknad = Soknad(
                id=str(uuid.uuid4()),
                hf=hf,
                lopenummer=case.get("lopenummer") or f"{hf}-2026-{900 + n:06d}",
                type=case.get("type", "gruppe"),
                kategori="off_label",
                status=case.get("status", "vedtatt"),
                soker_id=f"{hf.lower()}-soker",
                soker_navn="Kari Nordmann",
                enhet=case.get("enhet", f"{hf}-NEVRO"),
                medforfattere=[],
                innhold={
                    "pasient_fodselsnummer": "15838500002" if case.get("type") == "enkeltpasient" else "",
                    "pasient_navn": "Test Testesen" if case.get("type") == "enkeltpasient" else "",
                    "gruppe_beskrivelse": "Voksne med aktiv sykdom",
                    "legemiddel": {
                        "navn": case.get("navn", "MabThera"),
                        "virkestoff": case.get("virkestoff", "Rituksimab"),
                        "atc": case.get("atc", "L01FA01"),
                    },
                    "indikasjon": {"kode": case["kode"], "tekst": case.get("tekst", "Tekst")},
                },
                vedtak={"utfall": case.get("utfall"), "gyldig_til": case.get("gyldig_til")},
                versjon=1,
                opprettet_at=now,
                endret_at=now,
                endret_av="test",
                sendt_at=None if case.get("status") == "utkast" else now,
                vedtatt_at=now if case.get("status", "vedtatt") == "vedtatt" else None,
                utfall=case.get("utfall", "innvilget"),
            )
            soknad.sync_search_columns()
            session.add(soknad)


async def test_local_precedent_finds_the_trusts_approved_group_decision_only(portal: FastAPI) -> None:
    await add_cases(
        portal,
        {"lopenummer": "HBE-2026-000012", "kode": "G36"},  # the whole category: covers G36.0
        {"lopenummer": "HBE-2026-000013", "kode": "G36.1", "virkestoff": "", "atc": "L01FA01",
         "utfall": "innvilget_med_vilkar"},  # found by ATC; a sibling code, so not "covers"
        {"lopenummer": "HBE-2026-000014", "kode": "G36.0", "gyldig_til": "2026-01-31"},  # expired
        {"lopenummer": "OUS-2026-000012", "hf": "OUS", "kode": "G36.0"},  # another trust
        {"lopenummer": "HBE-2026-000015", "kode": "G36.0", "utfall": "avslatt"},  # refused
        {"lopenummer": "HBE-2026-000016", "kode": "G36.0", "status": "utkast", "utfall": None},  # draft
        {"lopenummer": "HBE-2026-000017", "kode": "G36.0", "status": "til_vurdering", "utfall": None},
        {"lopenummer": "HBE-2026-000018", "kode": "G36.0", "virkestoff": "tocilizumab", "atc": "L04AC07"},
        {"lopenummer": "HBE-2026-000019", "kode": "G35"},  # another category
        *({"type": "enkeltpasient", "kode": "G36.0", "utfall": u}
          for u in ("innvilget", "innvilget_med_vilkar", "innvilget", "avslatt")),
        {"type": "enkeltpasient", "kode": "G36.0", "hf": "OUS", "utfall": "avslatt"},
    )  # fmt: skip
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.get(
            "/soknad/api/presedens", params={"virkestoff": "rituksimab", "atc": "l01fa01", "icd10": "g360"}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["icd10"], body["icd10_kategori"]) == ("G36.0", "G36")
        lokalt = body["lokalt"]
        assert lokalt["hf"] == "HBE"
        found = {g["lopenummer"]: g for g in lokalt["gruppevedtak"]}
        assert list(found) == ["HBE-2026-000012", "HBE-2026-000013", "HBE-2026-000014"]
        covering = found["HBE-2026-000012"]
        assert covering["dekker_koden"] and covering["gjeldende"]
        assert covering["enhet_navn"] == "Nevrologisk avdeling, Haukeland"
        assert covering["vedtak_maned"] == "2026-03"
        assert covering["url"].endswith("/soknad/presedens/gruppevedtak/HBE-2026-000012")
        assert found["HBE-2026-000013"]["dekker_koden"] is False
        assert found["HBE-2026-000014"]["gjeldende"] is False
        assert lokalt["enkeltvedtak"] == {"innvilget": 3, "avslatt": 1}
        # Nothing about a patient: no fødselsnummer, no name.
        assert "15838500002" not in r.text and "Testesen" not in r.text

        # The page without JavaScript shows the same, with the sentence the applicant needs.
        page = await soker.get("/soknad/presedens", params={"virkestoff": "rituksimab", "icd10": "G36.0"})
        assert page.status_code == 200
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
        assert (
            "Gruppevedtak HBE-2026-000012 dekker rituksimab ved G36 i Nevrologisk avdeling, Haukeland. "
            "Du trenger kanskje ikke søke." in text
        )
        assert "Enkeltpasientvedtak i Helse Bergen: 3 innvilget, 1 avslått." in text

        # The group decision it links to opens for any applicant of the trust.
        decision = await soker.get(covering["url"])
        assert decision.status_code == 200 and "Gruppevedtak HBE-2026-000012" in decision.text
        refused = await soker.get("/soknad/presedens/gruppevedtak/HBE-2026-000015")
        assert refused.status_code == 404

    async with as_user(portal, "ous-soker") as other_trust:
        assert (await other_trust.get(covering["url"])).status_code == 404
        ous = (
            await other_trust.get(
                "/soknad/api/presedens", params={"virkestoff": "rituksimab", "icd10": "G36.0"}
            )
        ).json()["lokalt"]
        assert [g["lopenummer"] for g in ous["gruppevedtak"]] == ["OUS-2026-000012"]
        assert ous["enkeltvedtak"] == {"innvilget": 0, "avslatt": 1}


# --- national precedent -----------------------------------------------------------------------------------
async def publish_summaries(portal: FastAPI, *summaries: dict[str, Any]) -> None:
    """Summaries as each trust's integrasjon publishes them (its own user-id), onto the national bus."""
    bus: MemoryBus = portal.state.bus
    for n, values in enumerate(summaries):
        hf = values.get("hf", "HBE")
        event = SakSammendrag(
            **{
                "lopenummer": f"{hf}-2026-{500 + n:06d}",
                "hf": hf,
                "rhf": "HV" if hf == "HBE" else "HSO",
                "sekvens": 1,
                "type": "enkeltpasient",
                "kategori": "off_label",
                "legemiddel_navn": "MabThera",
                "virkestoff": "Rituksimab",
                "atc": "L01FA01",
                "icd10_kode": "G35",
                "icd10_tekst": "Multippel sklerose",
                "status": "vedtatt",
                "utfall": "innvilget",
                "sendt_maned": "2026-01",
                "vedtak_maned": "2026-02",
                "aldersgruppe": "30-49",
                "kjonn": "kvinne",
                **values,
            }
        )
        envelope = Envelope(
            source=f"/hf/{hf}/integrasjon",
            type=SakSammendrag.TYPE,
            subject=event.lopenummer,
            hf=hf,
            correlationid="test",
            data=event.model_dump(mode="json"),
        )
        await bus.publish(
            envelope, exchange=NATIONAL, routing_key=envelope.routing_key, user_id=f"integrasjon-{hf.lower()}"
        )
    await bus.drain()


NATIONAL_CASES: list[dict[str, Any]] = [
    *({"hf": "OUS"} for _ in range(6)),
    *({"hf": "OUS", "utfall": "avslatt"} for _ in range(2)),
    {"hf": "OUS", "utfall": "innvilget_med_vilkar", "med_vilkar": True},
    {"hf": "OUS", "icd10_kode": "G35.9", "utfall": "avslatt"},  # same category
    {"hf": "OUS", "status": "til_vurdering", "utfall": None, "vedtak_maned": None},  # not decided
    {"hf": "OUS", "icd10_kode": "G36.0", "utfall": "avslatt"},  # other category
    {"hf": "OUS", "virkestoff": "Tocilizumab", "atc": "L04AC07"},  # other drug
    {"hf": "HBE", "utfall": "innvilget_med_vilkar", "med_vilkar": True},
    {"hf": "OUS", "type": "gruppe", "aldersgruppe": None, "kjonn": None, "gruppe_storrelse": 40},
    {"hf": "OUS", "type": "gruppe", "utfall": "avslatt", "aldersgruppe": None, "kjonn": None},
    {"hf": "HBE", "type": "gruppe", "aldersgruppe": None, "kjonn": None, "gruppe_storrelse": 25},
]

PER_HF_KEYS = {"hf", "hf_navn", "rhf", "innvilget", "innvilget_med_vilkar", "avslatt"}
GRUPPE_KEYS = {
    "lopenummer", "hf", "hf_navn", "legemiddel_navn", "virkestoff", "atc", "icd10_kode", "icd10_tekst",
    "utfall", "vedtak_maned", "dekker_koden",
}  # fmt: skip


@pytest.mark.parametrize("user", ["hbe-soker", "ous-soker2", "hbe-leder", "ous-nasjonal"])
async def test_national_precedent_is_aggregated_suppressed_and_open_to_every_trusts_users(
    portal: FastAPI, user: str
) -> None:
    await publish_summaries(portal, *NATIONAL_CASES)
    async with as_user(portal, user) as client:
        r = await client.get("/oversikt/api/presedens", params={"virkestoff": "rituksimab", "icd10": "G35"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["prikkegrense"] == 5
    per_hf = {row["hf"]: row for row in body["per_hf"]}
    assert per_hf["OUS"] == {
        "hf": "OUS", "hf_navn": "Oslo universitetssykehus", "rhf": "HSO",
        "innvilget": 6, "innvilget_med_vilkar": "<5", "avslatt": "<5",
    }  # fmt: skip
    assert (per_hf["HBE"]["innvilget"], per_hf["HBE"]["innvilget_med_vilkar"], per_hf["HBE"]["avslatt"]) == (
        0,
        "<5",
        0,
    )
    assert {g["lopenummer"][:3] for g in body["gruppevedtak"]} == {"OUS", "HBE"}
    assert all(g["utfall"] != "avslatt" for g in body["gruppevedtak"])
    # Only the allow-listed, aggregated fields: no case list, no age band or sex, no personal data.
    assert all(set(row) == PER_HF_KEYS for row in body["per_hf"])
    assert all(set(g) == GRUPPE_KEYS for g in body["gruppevedtak"])
    assert not re.search(r"\d{11}", r.text)
    assert "aldersgruppe" not in r.text and "kjonn" not in r.text


async def test_national_precedent_needs_a_login(portal: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal), base_url="http://portal") as anon:
        r = await anon.get("/oversikt/api/presedens", params={"virkestoff": "rituksimab", "icd10": "G35"})
    assert r.status_code == 401


async def test_soknad_forwards_the_callers_login_and_shows_the_national_picture(portal: FastAPI) -> None:
    await publish_summaries(portal, *NATIONAL_CASES)
    await add_cases(portal, {"lopenummer": "HBE-2026-000031", "kode": "G35"})
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.get("/soknad/api/presedens", params={"virkestoff": "Rituksimab", "icd10": "G35"})
        assert r.status_code == 200, r.text
        nasjonalt = r.json()["nasjonalt"]
        assert nasjonalt["tilgjengelig"] is True
        assert {row["hf"]: row["avslatt"] for row in nasjonalt["per_hf"]} == {"HBE": 0, "OUS": "<5"}
        # The trust's own group decisions are in the local part, not twice.
        assert [g["hf"] for g in nasjonalt["gruppevedtak"]] == ["OUS"]
        assert [g["lopenummer"] for g in r.json()["lokalt"]["gruppevedtak"]] == ["HBE-2026-000031"]

        page = await soker.get("/soknad/presedens", params={"virkestoff": "rituksimab", "icd10": "G35"})
        assert page.status_code == 200
        assert "<caption>Enkeltpasientvedtak per helseforetak" in page.text
        assert '<span class="visuelt-skjult">færre enn 5</span>' in page.text
        assert "Oslo universitetssykehus" in page.text


# --- bad input --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["/soknad", "/oversikt"])
@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"virkestoff": "x" * 101, "icd10": "G35"}, "virkestoff", "for lang"),
        ({"virkestoff": "rituksimab", "icd10": "QQQ"}, "icd10", "ICD-10"),
        ({"virkestoff": "rituksimab", "icd10": "G35.12345"}, "icd10", "for lang"),
        ({"virkestoff": "rituksimab"}, "icd10", "Oppgi en ICD-10-kode"),
        ({"atc": "L0FA1", "icd10": "G35"}, "atc", "ATC"),
        ({"icd10": "G35"}, "virkestoff", "virkestoff eller ATC"),
    ],
)
async def test_bad_precedent_query_is_a_422_naming_the_field(
    portal: FastAPI, prefix: str, params: dict[str, str], field: str, fragment: str
) -> None:
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.get(f"{prefix}/api/presedens", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    errors = r.json()["errors"]
    assert any(e["field"] == field and fragment in e["message"] for e in errors), errors


async def test_bad_precedent_query_on_the_page_keeps_the_text_and_explains_next_to_the_field(
    portal: FastAPI,
) -> None:
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.get("/soknad/presedens", params={"virkestoff": "rituksimab", "icd10": "QQQ"})
    assert r.status_code == 422
    assert 'value="QQQ"' in r.text and 'value="rituksimab"' in r.text
    assert re.search(r'id="felt-icd10-feil">Skriv en ICD-10-kode', r.text)
    assert 'href="#felt-icd10"' in r.text


async def test_draft_page_without_javascript_links_to_the_precedent_once_drug_and_indication_are_saved(
    portal: FastAPI,
) -> None:
    async with as_user(portal, "hbe-soker") as soker:
        r = await soker.send_json(
            "POST",
            "/soknad/api/soknader",
            {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": {}},
        )
        assert r.status_code == 201, r.text
        draft = r.json()
        page = (await soker.get(f"/soknad/s/{draft['id']}")).text
        assert 'id="presedens"' in page and "Før du skriver mer" not in page

        innhold = {
            "legemiddel": {"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01"},
            "indikasjon": {"kode": "G36.0", "tekst": "Neuromyelitis optica"},
        }
        r = await soker.send_json(
            "PUT", f"/soknad/api/soknader/{draft['id']}", {"versjon": draft["versjon"], "innhold": innhold}
        )
        assert r.status_code == 200, r.text
        page = (await soker.get(f"/soknad/s/{draft['id']}")).text
        link = re.search(r'<section id="presedens"[^>]*><p><a href="([^"]+)">([^<]+)</a>', page)
        assert link, page[page.find('id="presedens"') - 200 :][:800]
        assert link.group(2) == "Før du skriver mer: se tidligere vedtak for rituksimab ved G36.0"
        target = link.group(1).replace("&amp;", "&")
        assert target.endswith("/soknad/presedens?virkestoff=rituksimab&atc=L01FA01&icd10=G36.0")
        r = await soker.get(target)
        assert r.status_code == 200
        assert "Før du skriver mer: tidligere vedtak for rituksimab ved G36.0" in r.text
