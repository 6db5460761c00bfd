"""The trust's local statistics on the embedded default: tables, processing times, CSV, access."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi import FastAPI

from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.handlers.statistikk import default_period, month_of, percentile
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.register_cases import SettableClock, at, create, standard_cases

HTML = {"accept": "text/html"}
PERIOD = {"fra": "2026-01-01", "til": "2026-03-31"}
NEVRO, REVMA = "Nevrologisk avdeling, Haukeland", "Seksjon for revmatologi, Haukeland"


class Tables(HTMLParser):
    """The text of every cell of every table with an id, row by row."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id"):
            self._table = str(dict(attrs)["id"])
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif self._table and tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@asynccontextmanager
async def statistics_app(settings: SoknadSettings) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    clock = SettableClock(at("2026-01-01"))
    async with running(create_app(settings, bus=bus, clock=clock)) as app:
        await create(app, bus, clock, standard_cases())
        clock.at = at("2026-03-20", hour=12)
        yield app
    await bus.close()


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with statistics_app(SoknadSettings(data_dir=tmp_path, log_json=False)) as app:
        yield app


async def tables(client: DemoClient, **params: str) -> dict[str, list[list[str]]]:
    r = await client.get("/statistikk", params=params, headers=HTML)
    assert r.status_code == 200, r.text
    return Tables(r.text).tables


async def test_tables_count_what_was_created(app: FastAPI) -> None:
    await check_tables(app)


@pytest.mark.integration
async def test_same_numbers_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    async with statistics_app(SoknadSettings(data_dir=tmp_path, log_json=False, database_url=pg_url)) as app:
        await check_tables(app)


async def check_tables(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        t = await tables(direktor, **PERIOD)
    assert t["tabell-kategori"] == [
        ["Måned", "Off-label", "Godkjenningsfritak", "Unntaksordningen", "Tilgangsordningen", "Totalt"],
        ["januar 2026", "1", "1", "0", "0", "2"],
        ["februar 2026", "1", "0", "1", "0", "2"],
        ["mars 2026", "3", "0", "0", "1", "4"],
    ]
    assert t["tabell-utfall"] == [
        ["Måned", "Innvilget", "Innvilget med vilkår", "Avslått", "Under behandling", "Trukket", "Totalt"],
        ["januar 2026", "1", "0", "1", "0", "0", "2"],
        ["februar 2026", "1", "1", "0", "0", "0", "2"],
        ["mars 2026", "1", "0", "0", "2", "1", "4"],
    ]
    # Processing time by the month of the decision: 2 and 4 days, 6 and 8, then 10.
    assert t["tabell-behandlingstid"][1:] == [
        ["januar 2026", "2", "3,0", "3,8"],
        ["februar 2026", "2", "7,0", "7,8"],
        ["mars 2026", "1", "10,0", "10,0"],
    ]
    assert t["tabell-enhet"][1:] == [
        [NEVRO, "5", "2", "0", "1", "1", "1", "3", "4,0", "8,8"],
        [REVMA, "3", "1", "1", "0", "1", "0", "2", "7,0", "7,8"],
    ]


async def test_overall_processing_time_median_and_p90(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        body = (await direktor.get("/api/statistikk", params=PERIOD)).json()
        page = (await direktor.get("/statistikk", params=PERIOD, headers=HTML)).text
    # 2, 4, 6, 8 and 10 days: the median is 6, the 90th percentile 8 + 0.6 * 2 = 9.2.
    assert body["behandlingstid"] == {"antall": 5, "median_dager": 6.0, "p90_dager": pytest.approx(9.2)}
    assert body["totalt"] == 8
    assert [m["totalt"] for m in body["maneder"]] == [2, 2, 4]
    nevro = next(e for e in body["enheter"] if e["enhet"] == "HBE-NEVRO")
    assert nevro["behandlingstid"]["median_dager"] == 4.0
    assert nevro["behandlingstid"]["p90_dager"] == pytest.approx(8.8)
    assert "6,0 dager" in page and "9,2 dager" in page


async def test_charts_are_accessible_svg_beside_their_tables(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        page = (await direktor.get("/statistikk", params=PERIOD, headers=HTML)).text
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="diagram-svg" role="img"') == 3
    for chart in ("diagram-kategori", "diagram-utfall", "diagram-behandlingstid"):
        assert f'<title id="{chart}-tittel">' in page and f'<desc id="{chart}-beskrivelse">' in page
    assert page.count("<caption>") == 4
    assert " style=" not in page  # the CSP refuses inline styles
    assert "<script" not in page
    assert "Til sammen 8 søknader" in page


async def test_csv_has_bom_semicolons_and_matches_the_table(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        r = await direktor.get("/statistikk.csv", params={"tabell": "maned", **PERIOD})
        t = await tables(direktor, **PERIOD)
        tid = await direktor.get("/statistikk.csv", params={"tabell": "behandlingstid", **PERIOD})
        enhet = await direktor.get("/statistikk.csv", params={"tabell": "enhet", **PERIOD})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "statistikk-maned-HBE-2026-01-01-2026-03-31.csv" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Måned", "Ordningskode", "Ordning", "Utfallskode", "Utfall", "Antall"]
    # One row per month x scheme x outcome, zeros included.
    assert len(rows) == 1 + 3 * 4 * 5
    counts = {(m, k, u): int(n) for m, k, _, u, _, n in rows[1:]}
    assert counts[("2026-03", "off_label", "under_behandling")] == 1
    assert counts[("2026-03", "off_label", "trukket")] == 1
    assert counts[("2026-03", "tilgangsordningen", "under_behandling")] == 1
    assert counts[("2026-02", "unntaksordningen", "innvilget_med_vilkar")] == 1
    kategorier = ["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"]
    for row, month in zip(t["tabell-kategori"][1:], ["2026-01", "2026-02", "2026-03"], strict=True):
        per_kategori = [
            sum(n for (m, k, _), n in counts.items() if (m, k) == (month, kat)) for kat in kategorier
        ]
        assert [str(n) for n in per_kategori] == row[1:5]
    tid_rows = list(csv.reader(io.StringIO(tid.content.decode("utf-8-sig")), delimiter=";"))
    assert tid.content.startswith(b"\xef\xbb\xbf")
    assert tid_rows[1:] == [
        ["2026-01", "2", "3,0", "3,8"],
        ["2026-02", "2", "7,0", "7,8"],
        ["2026-03", "1", "10,0", "10,0"],
    ]
    enhet_rows = list(csv.reader(io.StringIO(enhet.content.decode("utf-8-sig")), delimiter=";"))
    assert enhet_rows[1] == ["HBE-NEVRO", NEVRO, "5", "2", "0", "1", "1", "1", "3", "4,0", "8,8"]


async def test_leader_sees_their_own_unit_only(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-leder") as leder:
        t = await tables(leder, **PERIOD)
        body = (await leder.get("/api/statistikk", params=PERIOD)).json()
        r = await leder.get("/statistikk.csv", params={"tabell": "enhet", **PERIOD})
    assert [row[0] for row in t["tabell-enhet"][1:]] == [NEVRO]
    assert [row[-1] for row in t["tabell-kategori"][1:]] == ["2", "0", "3"]
    assert body["totalt"] == 5 and body["behandlingstid"]["antall"] == 3
    assert [e["enhet"] for e in body["enheter"]] == ["HBE-NEVRO"]
    assert "HBE-REVMA" not in r.text


async def test_other_trust_sees_only_its_own(app: FastAPI) -> None:
    async with DemoClient(app, "ous-fagdirektor") as ous:
        body = (await ous.get("/api/statistikk", params=PERIOD)).json()
    assert body["totalt"] == 1
    assert [e["enhet"] for e in body["enheter"]] == ["OUS-NEVRO"]


async def test_default_period_is_the_last_twelve_months(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-komite") as komite:
        body = (await komite.get("/api/statistikk")).json()
        page = (await komite.get("/statistikk", headers=HTML)).text
    assert (body["fra"], body["til"]) == ("2025-04-01", "2026-03-20")
    assert len(body["maneder"]) == 12 and body["maneder"][0]["maned"] == "2025-04"
    assert body["totalt"] == 8
    assert 'value="2025-04-01"' in page and 'value="2026-03-20"' in page


@pytest.mark.parametrize("user", ["hbe-soker", "hbe-nasjonal"])
async def test_applicant_and_national_team_are_refused(app: FastAPI, user: str) -> None:
    async with DemoClient(app, user) as client:
        for url in ("/statistikk", "/statistikk.csv", "/api/statistikk"):
            assert (await client.get(url, headers=HTML)).status_code == 403, url


async def test_bad_period_or_table_is_a_norwegian_422(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        page = await direktor.get("/statistikk", params={"fra": "2026-13-01"}, headers=HTML)
        assert page.status_code == 422
        assert (
            'id="feil-fra"' in page.text and "ÅÅÅÅ-MM-DD" in page.text and 'value="2026-13-01"' in page.text
        )
        r = await direktor.get("/api/statistikk", params={"fra": "2026-03-01", "til": "2026-02-01"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "til"
        r = await direktor.get("/api/statistikk", params={"fra": "2000-01-01", "til": "2026-01-01"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fra"
        r = await direktor.get("/statistikk.csv", params={"tabell": "pasienter"})
        assert r.status_code == 422 and "Ukjent tabell" in r.text


def test_month_is_norwegian_time_and_percentiles_interpolate() -> None:
    # 23:30 UTC on 31 January is already February in Norway.
    assert month_of(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == "2026-02"
    assert month_of(datetime(2026, 6, 30, 21, 59, tzinfo=UTC)) == "2026-06"
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([10.0, 2.0, 8.0, 4.0, 6.0], 0.5) == 6.0
    assert percentile([2.0, 4.0, 6.0, 8.0, 10.0], 0.9) == pytest.approx(9.2)
    assert default_period(date(2026, 1, 15)).fra == date(2025, 2, 1)
