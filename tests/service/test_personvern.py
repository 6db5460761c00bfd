"""The privacy officer's access log on the embedded default, in-process: a case driven through soknad,
vurdering and beslutning shows up in one merged timeline; the patient's log is found by a number sent in a
POST body and exported as CSV; every look is itself audited; other roles and trusts are refused."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from embedded.app import create_app
from embedded.settings import EmbeddedSettings
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.auth.session import CSRF_COOKIE
from shared.platform.runtime import ServiceRuntime
from tests.support.apps import SIGNER, DemoClient
from tests.support.builders import complete_innhold
from tests.support.triage import send_til_komite
from tests.support.waiting import wait_until

FNR = synthetic_fodselsnummer(date(1972, 6, 9), sex="mann", serial=3)
ANNEN_FNR = synthetic_fodselsnummer(date(1990, 1, 20), sex="kvinne", serial=5)


class Person(DemoClient):
    """One demo user talking to the whole embedded app, as the browser does."""

    def __init__(self, app: FastAPI, user_id: str):
        super().__init__(app, user_id, base_url="http://portal")

    async def token(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            await self.get("/")
        token = SIGNER.read_csrf(self.cookies.get(CSRF_COOKIE))
        assert token
        return token

    async def call(self, method: str, url: str, body: Any = None) -> Any:
        r = await self.request(method, url, json=body, headers={"x-csrf-token": await self.token()})
        assert r.status_code < 300, (url, r.status_code, r.text)
        return r.json()

    async def form(self, url: str, data: dict[str, str]) -> httpx.Response:
        return await self.post(url, data={**data, "csrf_token": await self.token()})


@dataclass
class Case:
    soknad_id: str
    lopenummer: str


@pytest_asyncio.fixture
async def portal(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = EmbeddedSettings(data_dir=tmp_path, seed_demo_data=False, bus_retry_delays_s=(0.05, 0.2))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def runtime(portal: FastAPI, service: str) -> ServiceRuntime:
    rt: ServiceRuntime = portal.state.services[service].state.runtime
    return rt


async def audit_rows(portal: FastAPI, service: str, **where: str) -> list[Any]:
    rt = runtime(portal, service)
    audit = rt.db.tables.audit
    query = select(audit).where(*(audit.c[k] == v for k, v in where.items())).order_by(audit.c.id)
    async with rt.engine.connect() as conn:
        return list(await conn.execute(query))


async def wait_for(person: Person, url: str, lopenummer: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def arrived() -> bool:
        for sak in await person.call("GET", url):
            if sak.get("lopenummer") == lopenummer:
                found.update(sak)
                return True
        return False

    await wait_until(arrived)
    return found


async def drive_case(portal: FastAPI, fnr: str = FNR) -> Case:
    """Written, saved, sent, anchored; then read by the committee and the medical director."""
    async with (
        Person(portal, "hbe-soker") as soker,
        Person(portal, "hbe-leder") as leder,
        Person(portal, "hbe-komite") as komite,
        Person(portal, "hbe-fagdirektor") as direktor,
    ):
        draft = await soker.call(
            "POST",
            "/soknad/api/soknader",
            {
                "type": "enkeltpasient",
                "kategori": "off_label",
                "enhet": "HBE-NEVRO",
                "innhold": complete_innhold(pasient_fodselsnummer=fnr),
            },
        )
        await soker.call(
            "PUT",
            f"/soknad/api/soknader/{draft['id']}",
            {"versjon": draft["versjon"], "innhold": {"dose": "500 mg"}},
        )
        sent = await soker.call("POST", f"/soknad/api/soknader/{draft['id']}/send", {})
        await leder.call(
            "POST",
            f"/soknad/api/soknader/{draft['id']}/forankring",
            {"begrunnelse": "Faglig og budsjettmessig forankret.", "kostnadssted": "HBE-4100"},
        )
        lopenummer = sent["lopenummer"]
        await send_til_komite(portal.state.bus, soknad_id=draft["id"], lopenummer=lopenummer)
        sak = await wait_for(komite, "/vurdering/api/saker", lopenummer)
        await komite.call("GET", f"/vurdering/api/saker/{sak['id']}")
        beslutning = await wait_for(direktor, "/beslutning/api/saker", lopenummer)
        await direktor.call("GET", f"/beslutning/api/saker/{beslutning['id']}")
        return Case(soknad_id=draft["id"], lopenummer=lopenummer)


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr>")[1:]


async def test_a_case_shows_one_timeline_across_the_services_and_the_look_is_audited(portal: FastAPI) -> None:
    case = await drive_case(portal)
    async with Person(portal, "hbe-personvern") as berit:
        r = await berit.get("/soknad/personvern/sak", params={"lopenummer": case.lopenummer})
    assert r.status_code == 200, r.text
    html = r.text
    assert f"Tilgangslogg for sak {case.lopenummer}" in html
    rows = table_rows(html)
    # Oldest first: the applicant created it in soknad before the committee and the director read it.
    first_soknad = next(i for i, row in enumerate(rows) if "Opprettet søknaden" in row)
    vurdering = next(i for i, row in enumerate(rows) if "Åpnet vurderingssaken" in row)
    beslutning = next(i for i, row in enumerate(rows) if "Åpnet vedtakssaken" in row)
    assert first_soknad < vurdering < beslutning
    assert "Ingrid Berg" in rows[vurdering] and "Vurderingskomité" in rows[vurdering]
    assert "Lars Haugen" in rows[beslutning] and "Fagdirektør" in rows[beslutning]
    saved = next(row for row in rows if "Endret søknaden" in row)
    assert "Kari Nordmann" in saved and "Dose" in saved  # the field's label, never its value
    assert "500 mg" not in html
    assert "svarte ikke" not in html

    # The look is in every service's own log, with why.
    for service in ("soknad", "vurdering", "beslutning", "integrasjon"):
        looks = await audit_rows(portal, service, what="revisjonslogg.vis", case_ref=case.lopenummer)
        assert len(looks) == 1, service
        assert looks[0].actor_id == "hbe-personvern" and looks[0].action == "les"
        assert looks[0].purpose == "Personvernkontroll: hvem har lest og endret saken"


async def test_the_api_answers_the_privacy_officer_of_the_trust_only(portal: FastAPI) -> None:
    case = await drive_case(portal)
    url = "/vurdering/api/revisjonslogg"
    async with Person(portal, "hbe-personvern") as berit:
        r = await berit.get(url, params={"case_ref": case.lopenummer})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["tjeneste"] == "vurdering" and body["neste"] is None
        assert {row["what"] for row in body["rader"]} >= {"vurdering.vis"}
        assert all(row["case_ref"] == case.lopenummer for row in body["rader"])
        # Bounded: a page of one row points to the next.
        paged = (await berit.get(url, params={"case_ref": case.lopenummer, "antall": "1"})).json()
        assert len(paged["rader"]) == 1 and paged["neste"] == paged["rader"][0]["id"]
        assert (await berit.get(url, params={"case_ref": case.lopenummer, "antall": "²"})).status_code == 422
        assert (await berit.get(url)).status_code == 422

    for user in ("hbe-soker", "hbe-leder", "hbe-komite", "hbe-fagdirektor", "hbe-controller", "hbe-admin"):
        async with Person(portal, user) as other:
            assert (await other.get(url, params={"case_ref": case.lopenummer})).status_code == 403, user
            page = await other.get("/soknad/personvern/sak", params={"lopenummer": case.lopenummer})
            assert page.status_code == 403, user
    async with Person(portal, "ous-personvern") as jon:
        assert (await jon.get(url, params={"case_ref": case.lopenummer})).status_code == 403
        page = await jon.get("/soknad/personvern/sak", params={"lopenummer": case.lopenummer})
        assert page.status_code == 403
        assert "annet helseforetak" in page.text
    # Refusals read nothing, so they leave no look behind.
    looks = await audit_rows(portal, "vurdering", what="revisjonslogg.vis")
    assert {row.actor_id for row in looks} == {"hbe-personvern"}


async def test_the_patient_is_found_by_a_posted_number_and_the_log_exports_as_csv(
    portal: FastAPI, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    case = await drive_case(portal)
    other = await drive_case(portal, fnr=ANNEN_FNR)
    urls: list[str] = []

    async def remember(request: httpx.Request) -> None:
        urls.append(str(request.url))

    caplog.set_level(logging.INFO)
    # What the officer's browser asks for, and what soknad asks the other services for on the way.
    for kilde in portal.state.services["soknad"].state.revisjonslogg_kilder:
        kilde.client.event_hooks["request"].append(remember)
    async with Person(portal, "hbe-personvern") as berit:
        berit.event_hooks["request"].append(remember)
        # With the space people type after the birth date.
        r = await berit.form("/soknad/personvern/pasient", {"fodselsnummer": f"{FNR[:6]} {FNR[6:]}"})
        assert r.status_code == 200, r.text
        assert "Pasientens tilgangslogg" in r.text
        assert case.lopenummer in r.text and other.lopenummer not in r.text
        assert "Åpnet vurderingssaken" in r.text and "Ingrid Berg" in r.text
        assert f"/soknad/personvern/sak?lopenummer={case.lopenummer}" in r.text  # on to the case's own log

        export = await berit.form(
            "/soknad/personvern/pasient/eksport", {"fodselsnummer": FNR, "format": "csv"}
        )
        assert export.status_code == 200
        assert export.headers["content-type"].startswith("text/csv")
        assert "attachment" in export.headers["content-disposition"]
        assert FNR not in export.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
        assert rows and {row["Løpenummer"] for row in rows} <= {case.lopenummer, "Utkast (ikke sendt)"}
        services = {row["Tjeneste"] for row in rows}
        assert {"Søknad", "Vurdering", "Beslutning"} <= services
        komite = next(row for row in rows if row["Hva"] == "Åpnet vurderingssaken")
        assert komite["Navn"] == "Ingrid Berg" and komite["Rolle"] == "Vurderingskomité"
        assert komite["Handling"] == "Lest" and komite["Formål"]
        # The look at the patient's log is the newest line of the export taken after it.
        assert any(row["Hva"] == "Så i tilgangsloggen" and row["Navn"] == "Berit Sand" for row in rows)
        assert FNR not in export.text and "Syntetisk Testpasient" not in export.text

        printable = await berit.form(
            "/soknad/personvern/pasient/eksport", {"fodselsnummer": FNR, "format": "utskrift"}
        )
        assert printable.status_code == 200 and "utskrift.css" in printable.text
        assert case.lopenummer in printable.text and FNR not in printable.text

    assert any("/api/revisjonslogg" in url for url in urls)
    assert not any(FNR in url for url in urls)
    logged = caplog.text + capsys.readouterr().err
    assert "route=/personvern/pasient" in logged  # the requests were logged, without the number
    assert FNR not in logged and f"{FNR[:6]} {FNR[6:]}" not in logged

    # The patient search and the export are each their own look, with their own purpose.
    looks = await audit_rows(portal, "soknad", case_ref=case.lopenummer, actor_id="hbe-personvern")
    assert [(row.what, row.purpose) for row in looks] == [
        ("revisjonslogg.vis", "Personvernkontroll: pasientens tilgangslogg"),
        ("revisjonslogg.eksport", "Pasientens tilgangslogg hentet ut for utlevering til pasienten"),
        ("revisjonslogg.eksport", "Pasientens tilgangslogg hentet ut for utlevering til pasienten"),
    ]
    exports = await audit_rows(portal, "vurdering", case_ref=case.lopenummer, what="revisjonslogg.eksport")
    assert len(exports) == 2


async def test_a_wrong_number_is_a_norwegian_message_and_no_number_is_echoed(portal: FastAPI) -> None:
    wrong = FNR[:10] + str((int(FNR[10]) + 1) % 10)
    async with Person(portal, "hbe-personvern") as berit:
        r = await berit.form("/soknad/personvern/pasient", {"fodselsnummer": wrong})
        assert r.status_code == 422
        assert "Kontrollsifrene stemmer ikke." in r.text
        assert wrong not in r.text
        nobody = await berit.form("/soknad/personvern/pasient", {"fodselsnummer": ANNEN_FNR})
        assert nobody.status_code == 200
        assert "Fant ingen søknader for denne pasienten" in nobody.text
    # A search that found nothing is still a look.
    looks = await audit_rows(portal, "soknad", what="revisjonslogg.vis", actor_id="hbe-personvern")
    assert len(looks) == 1 and looks[0].case_ref is None


async def test_a_service_that_does_not_answer_is_named_on_the_page(portal: FastAPI) -> None:
    case = await drive_case(portal)
    soknad = portal.state.services["soknad"]
    kilder = soknad.state.revisjonslogg_kilder
    beslutning = next(k for k in kilder if k.tjeneste == "beslutning")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("beslutning is down", request=request)

    working = beslutning.client
    beslutning.client = httpx.AsyncClient(transport=httpx.MockTransport(down), base_url="http://down")
    try:
        async with Person(portal, "hbe-personvern") as berit:
            r = await berit.get("/soknad/personvern/sak", params={"lopenummer": case.lopenummer})
    finally:
        await beslutning.client.aclose()
        beslutning.client = working
    assert r.status_code == 200
    assert "Beslutning svarte ikke." in r.text
    assert "Åpnet vurderingssaken" in r.text and "Åpnet vedtakssaken" not in r.text


async def test_the_start_page_lists_the_privacy_officers_and_login_lands_on_the_log(portal: FastAPI) -> None:
    async with Person(portal, "hbe-personvern") as anon:
        anon.cookies.clear()
        start = await anon.get("/")
        assert 'data-bruker="hbe-personvern"' in start.text and "Personvernombud – Berit Sand" in start.text
        assert 'data-bruker="ous-personvern"' in start.text and "Personvernombud – Jon Rø" in start.text
        r = await anon.post("/logg-inn", data={"bruker": "hbe-personvern", "csrf_token": await anon.token()})
        assert r.headers["location"] == "/soknad/personvern"
        page = await anon.get("/soknad/personvern")
        assert page.status_code == 200
        assert 'href="/soknad/personvern">Tilgangslogg</a>' in page.text
        assert 'method="post"' in page.text and 'name="fodselsnummer"' in page.text
