"""The national overview in-process (SQLite, memory bus): who may read it, the public page without login,
the search's filters (period included), v1 and v2 summaries, bad filter input, k-anonymised rows,
variation and its test, the flagged list, published group decisions, statistics and open data."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from oversikt.app import create_app
from oversikt.settings import OversiktSettings
from shared.events.contracts import SakSammendrag, SakSammendragV2
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.register_cases import SettableClock

NATIONAL = "nasjonal.sammendrag"
RHF = {"HBE": "HV", "OUS": "HSO", "UNN": "HN"}


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1)))
    await bus.connect()
    yield bus
    await bus.close()


@pytest.fixture
def klokke() -> SettableClock:
    """The real time unless a test moves it (2026 is published from 1 March 2027)."""
    return SettableClock(datetime.now(UTC))


@pytest_asyncio.fixture
async def app(tmp_path: Path, bus: MemoryBus, klokke: SettableClock) -> AsyncIterator[FastAPI]:
    settings = OversiktSettings(data_dir=tmp_path, log_json=False, bus_retry_delays_s=(0.05, 0.1))
    async with running(create_app(settings, bus=bus, clock=klokke)) as app:
        yield app


ETTER_2026 = datetime(2027, 3, 1, 12, tzinfo=UTC)
"""When the public page may publish 2026."""


_numbers: dict[str, int] = {}


def summary(hf: str = "HBE", *, v2: bool = False, **overrides: Any) -> SakSammendrag:
    _numbers[hf] = _numbers.get(hf, 0) + 1
    values: dict[str, Any] = {
        "lopenummer": f"{hf}-2026-{_numbers[hf]:06d}",
        "hf": hf,
        "rhf": RHF[hf],
        "sekvens": 1,
        "type": "enkeltpasient",
        "kategori": "off_label",
        "legemiddel_navn": "MabThera",
        "virkestoff": "rituksimab",
        "atc": "L01FA01",
        "icd10_kode": "G35",
        "icd10_tekst": "Multippel sklerose",
        "status": "vedtatt",
        "utfall": "innvilget",
        "vurderingsflyt": "komplett",
        "sendt_maned": "2026-03",
        "vedtak_maned": "2026-04",
        "behandlingstid_dager": 20,
        "aldersgruppe": "30-49",
        "kjonn": "kvinne",
        "kostnadsband": "100-500k",
        **overrides,
    }
    return SakSammendragV2(**values) if v2 else SakSammendrag(**values)


async def publish(bus: MemoryBus, *events: SakSammendrag) -> None:
    for event in events:
        env = Envelope(
            source=f"/hf/{event.hf}/integrasjon",
            type=event.TYPE,
            subject=event.lopenummer,
            hf=event.hf,
            correlationid="test",
            data=event.model_dump(mode="json"),
        )
        await bus.publish(
            env,
            exchange=NATIONAL,
            routing_key=f"{event.hf}.{event.TYPE}",
            user_id=f"integrasjon-{event.hf.lower()}",
        )
    await bus.drain()


async def seed(bus: MemoryBus) -> None:
    """HBE grants rituximab for MS, UNN refuses it (20 each: a clear disagreement); three alike OUS cases
    in January; one lone OUS case (too rare to show); a group decision (v2) and follow-up (v2)."""
    _numbers.clear()
    await publish(bus, *(summary("HBE") for _ in range(20)))
    await publish(bus, *(summary("UNN", utfall="avslatt", behandlingstid_dager=40) for _ in range(20)))
    await publish(
        bus,
        *(
            summary("OUS", sendt_maned="2026-01", vedtak_maned="2026-02", vurderingsflyt="forenklet")
            for _ in range(3)
        ),
    )
    await publish(
        bus,
        summary(
            "OUS",
            icd10_kode="G70.0",
            icd10_tekst="Myasthenia gravis",
            aldersgruppe="80+",
            kjonn="mann",
            sendt_maned="2025-07",
            vedtak_maned="2025-08",
        ),
    )
    await publish(
        bus,
        summary(
            "OUS",
            v2=True,
            type="gruppe",
            aldersgruppe=None,
            kjonn=None,
            gruppe_storrelse=40,
            gruppevedtak={
                "beskrivelse": "Voksne med aktiv relapserende MS ved nevrologisk avdeling",
                "dosering": "1000 mg hver 6. måned",
                "vilkar": [{"type": "registrering", "tekst": "Registreres i Norsk MS-register"}],
                "begrunnelse": "Godt dokumentert effekt og lav kostnad.",
                "gyldig_fra": "2026-04-01",
            },
        ),
        *(summary("HBE", v2=True, effekt="god", fortsetter=True, bivirkningsgrad="lett") for _ in range(3)),
    )


@pytest.mark.parametrize(
    "user", ["hbe-nasjonal", "hbe-komite", "ous-komite", "hbe-fagdirektor", "ous-fagdirektor"]
)
async def test_the_national_team_and_every_trusts_decision_makers_read_it(app: FastAPI, user: str) -> None:
    async with DemoClient(app, user) as client:
        for path in ("/", "/variasjon", "/flagg", "/statistikk", "/gruppevedtak"):
            page = await client.get(path, headers={"accept": "text/html"})
            assert page.status_code == 200, (user, path)
        for path in ("/api/saker", "/api/flagg", "/api/statistikk", "/api/variasjon"):
            assert (await client.get(path)).status_code == 200, (user, path)


@pytest.mark.parametrize("user", ["hbe-soker", "ous-leder", "hbe-admin", "ous-controller", "hbe-personvern"])
async def test_everyone_else_is_refused_with_a_norwegian_page(app: FastAPI, user: str) -> None:
    async with DemoClient(app, user) as client:
        page = await client.get("/", headers={"accept": "text/html"})
        assert page.status_code == 403
        assert "Du har ikke tilgang" in page.text and "fagdirektører" in page.text
        for path in ("/api/saker", "/api/flagg", "/api/statistikk", "/api/variasjon/utvalg", "/statistikk"):
            assert (await client.get(path)).status_code == 403, path
        # Published group decisions are for every signed-in user (the precedent panels link to them).
        assert (await client.get("/api/gruppevedtak")).status_code == 200


async def test_the_public_page_needs_no_login_and_names_the_licence(
    app: FastAPI, bus: MemoryBus, klokke: SettableClock
) -> None:
    klokke.at = ETTER_2026
    await seed(bus)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as anonymous:
        page = await anonymous.get("/offentlig", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "NLOD" in page.text and "<svg" in page.text and "Tall under 3 er skjult" in page.text
        data = (await anonymous.get("/api/offentlig", params={"ar": "2026"})).json()
        assert data["lisens"]["kortnavn"] == "NLOD 2.0" and data["ar"] == "2026"
        cells = [
            v for t in data["tabeller"] for r in t["rader"] for v in [*r["verdier"].values(), r["totalt"]]
        ]
        assert cells and all(v is None or v == 0 or v >= 3 for v in cells)
        table = await anonymous.get("/api/offentlig.csv", params={"ar": "2026", "tabell": "helseforetak"})
        assert table.status_code == 200 and "NLOD-2.0" in table.headers["content-disposition"]
        assert table.headers["link"] == '<https://data.norge.no/nlod/no/2.0>; rel="license"'
        months = await anonymous.get("/api/offentlig.csv", params={"ar": "2026", "tabell": "maned_kategori"})
        month_rows = list(csv.reader(io.StringIO(months.text.lstrip("\ufeff")), delimiter=";"))
        assert [r[0] for r in month_rows[1:4]] == ["2026M01", "2026M02", "2026M03"]
        # A suppressed count is «:», as on the page, never an empty cell that reads as nothing or zero.
        rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff")), delimiter=";"))
        assert rows[0][0] == "Helseforetak" and any(r[0] == "Helse Bergen" for r in rows)
        # A suppressed count is «:», as on the page, never an empty cell that reads as nothing or zero:
        # 2025 has one case only, so every count of it is hidden.
        lone = await anonymous.get("/api/offentlig.csv", params={"ar": "2025", "tabell": "helseforetak"})
        cells = [c for r in csv.reader(io.StringIO(lone.text.lstrip("\ufeff")), delimiter=";") for c in r[1:]]
        assert ":" in cells and "" not in cells
        bad = await anonymous.get("/api/offentlig", params={"ar": "1999"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "ar"
        # Nothing else without login.
        assert (await anonymous.get("/api/saker")).status_code == 401
        assert (await anonymous.get("/api/statistikk")).status_code == 401


async def test_a_year_is_published_once_it_is_over_and_then_never_changes(
    app: FastAPI, bus: MemoryBus, klokke: SettableClock
) -> None:
    await seed(bus)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as anonymous:
        # Still 2026 in the tests' world, or February 2027: the year is not over long enough.
        for now in (datetime(2026, 12, 31, 12, tzinfo=UTC), datetime(2027, 2, 28, 12, tzinfo=UTC)):
            klokke.at = now
            early = await anonymous.get("/api/offentlig", params={"ar": "2026"})
            assert early.status_code == 422 and "1. mars året etter" in early.json()["detail"]
            page = await anonymous.get("/offentlig", headers={"accept": "text/html"})
            assert '<option value="2026"' not in page.text and '<option value="2025" selected' in page.text

        klokke.at = ETTER_2026
        first = (await anonymous.get("/api/offentlig", params={"ar": "2026"})).json()
        assert first["fastsatt"].startswith("2027-03-01")
        # A case post-registered for 2026 afterwards, and a later reading: the release is as it was.
        await publish(bus, summary("OUS", sendt_maned="2026-06", vedtak_maned="2026-07"))
        klokke.at = datetime(2027, 6, 1, 12, tzinfo=UTC)
        assert (await anonymous.get("/api/offentlig", params={"ar": "2026"})).json() == first
        page = await anonymous.get("/offentlig", params={"ar": "2026"}, headers={"accept": "text/html"})
        assert "Tallene for 2026 ble fastsatt 1. mars 2027." in " ".join(page.text.split())
    # Inside the overview, the year's figures are live and count the new case.
    async with DemoClient(app, "hbe-nasjonal") as client:
        stat = (await client.get("/api/statistikk", params={"fra": "2026-01", "til": "2026-12"})).json()

    def total(release: dict[str, Any]) -> int:
        table = {t["id"]: t for t in release["tabeller"]}["maned_kategori"]
        return int(next(r["totalt"] for r in table["rader"] if r["nokkel"] == "totalt"))

    assert total(stat) == total(first) + 1


async def test_a_year_before_2000_is_published_like_any_other(app: FastAPI, bus: MemoryBus) -> None:
    """Post-registration takes decisions back to 1990: their year is offered on the public page and must
    open, not fail."""
    _numbers.clear()
    await publish(bus, *(summary("HBE", sendt_maned="1998-05", vedtak_maned="1998-06") for _ in range(4)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as anonymous:
        page = await anonymous.get("/offentlig", params={"ar": "1998"}, headers={"accept": "text/html"})
        assert page.status_code == 200 and '<option value="1998" selected' in page.text
        data = await anonymous.get("/api/offentlig", params={"ar": "1998"})
        assert data.status_code == 200 and data.json()["ar"] == "1998"
        assert (await anonymous.get("/api/offentlig.csv", params={"ar": "1998"})).status_code == 200


async def test_a_page_past_the_end_shows_the_last_page_and_a_case_leads_back_to_its_search(
    app: FastAPI, bus: MemoryBus
) -> None:
    await seed(bus)
    async with DemoClient(app, "hbe-nasjonal") as client:
        page = await client.get("/", params={"hf": "HBE", "side": "50"}, headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "Side 1 av 1" in page.text and "HBE-2026-000001" in page.text
        # The case's link carries the search, and its page links back to the same search.
        link = re.search(r'href="([^"]*/sak/HBE-2026-000001[^"]*)"', page.text)
        assert link is not None and "sok=" in link.group(1)
        case = await client.get(html.unescape(link.group(1)))
        back = re.search(r'href="([^"]*)">Tilbake til søket', case.text)
        assert back is not None and html.unescape(back.group(1)).endswith("/?hf=HBE")


async def test_a_refused_value_stays_in_its_field_beside_the_message(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-nasjonal") as client:
        page = await client.get("/", params={"fra": "2025-13", "virkestoff": "tocilizumab"})
    assert page.status_code == 422
    assert 'name="fra" value="2025-13"' in page.text and 'value="tocilizumab"' in page.text


async def test_filters_period_region_level_atc_and_chapter(app: FastAPI, bus: MemoryBus) -> None:
    await seed(bus)
    async with DemoClient(app, "ous-komite") as client:

        async def count(**params: str) -> int:
            response = await client.get("/api/saker", params=params)
            assert response.status_code == 200, response.text
            return int(response.json()["totalt"])

        assert await count() == 48
        assert await count(fra="2026-01", til="2026-01") == 3
        assert await count(til="2025-12") == 1
        assert await count(fra="1998-01", til="2025-12") == 1  # a post-registered decision may be old
        assert await count(fra="2026-02") == 44
        assert await count(rhf="HN") == 20
        assert await count(vurderingsflyt="forenklet") == 3
        assert await count(atc="L") == await count(atc="L01F") == await count(atc="l01fa01") == 48
        assert await count(atc="L04") == 0
        assert await count(kapittel="VI") == 48
        assert await count(kapittel="XIII") == 0
        assert await count(icd10="G700") == await count(icd10="G70.0") == 1
        assert await count(virkestoff="Rituksimab", type="gruppe") == 1
        assert await count(hf="UNN", utfall="avslatt") == 20
        row = (await client.get("/api/saker", params={"hf": "UNN"})).json()["saker"][0]
        assert row["hf"] == "UNN" and row["hf_navn"] == "Universitetssykehuset Nord-Norge"
        assert row["lopenummer"].startswith("UNN-")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"fra": "2026-13"}, "fra"),
        ({"til": "mars"}, "til"),
        ({"fra": "2026-05", "til": "2026-01"}, "til"),
        ({"atc": "L0"}, "atc"),
        ({"kapittel": "XXX"}, "kapittel"),
        ({"rhf": "NORD"}, "rhf"),
        ({"icd10": "35G"}, "icd10"),
        ({"virkestoff": "x" * 201}, "virkestoff"),
        ({"hf": "XXX"}, "hf"),
        ({"kategori": "foo"}, "kategori"),
        ({"type": "x"}, "type"),
        ({"status": "x"}, "status"),
        ({"utfall": "avslått"}, "utfall"),
        ({"vurderingsflyt": "x"}, "vurderingsflyt"),
    ],
)
async def test_a_bad_filter_is_a_422_naming_the_field_and_a_norwegian_message(
    app: FastAPI, params: dict[str, str], field: str
) -> None:
    async with DemoClient(app, "hbe-nasjonal") as client:
        response = await client.get("/api/saker", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field]
        page = await client.get("/", params=params, headers={"accept": "text/html"})
        assert page.status_code == 422
        assert response.json()["errors"][0]["message"] in page.text
        assert f'href="#felt-{field}"' in page.text


async def test_v1_and_v2_summaries_are_both_stored(app: FastAPI, bus: MemoryBus) -> None:
    await seed(bus)
    async with DemoClient(app, "hbe-fagdirektor") as client:
        v2 = (await client.get("/api/saker", params={"hf": "HBE", "per_side": "3"})).json()["saker"]
        assert {(s["effekt"], s["fortsetter"], s["bivirkningsgrad"]) for s in v2} == {("god", True, "lett")}
        v1 = (await client.get("/api/saker", params={"hf": "UNN", "per_side": "1"})).json()["saker"][0]
        assert (v1["effekt"], v1["endret"], v1["etterregistrert"]) == (None, False, False)
        group = (await client.get("/api/gruppevedtak", params={"hf": "OUS"})).json()["gruppevedtak"][0]
        assert group["beskrivelse"].startswith("Voksne med aktiv relapserende MS")
        assert group["vilkar"][0]["tekst"] == "Registreres i Norsk MS-register"
        assert group["url"].endswith(f"/gruppevedtak/{group['lopenummer']}")
        stable = await client.get(f"/api/gruppevedtak/{group['lopenummer']}")
        assert (
            stable.status_code == 200
            and stable.json()["begrunnelse"] == "Godt dokumentert effekt og lav kostnad."
        )
        page = await client.get(f"/gruppevedtak/{group['lopenummer']}", headers={"accept": "text/html"})
        assert page.status_code == 200 and "1000 mg hver 6. måned" in page.text
        assert "1. april 2026 til inntil videre" in page.text  # Norwegian dates, not the ISO text
        # An amended and revoked group decision is no longer published.
        revoked = summary(
            "OUS",
            v2=True,
            lopenummer=group["lopenummer"],
            sekvens=2,
            type="gruppe",
            status="opphevet",
            aldersgruppe=None,
            kjonn=None,
            endret=True,
        )
        await publish(bus, revoked)
        assert (await client.get("/api/gruppevedtak", params={"hf": "OUS"})).json()["totalt"] == 0
        assert (await client.get("/api/saker", params={"status": "opphevet"})).json()["totalt"] == 1


async def test_rows_are_k_anonymised_in_the_page_the_api_and_the_csv(app: FastAPI, bus: MemoryBus) -> None:
    await seed(bus)
    async with DemoClient(app, "hbe-nasjonal") as client:
        api = (await client.get("/api/saker", params={"hf": "OUS", "type": "enkeltpasient"})).json()
        # Three alike are shown as sent; the lone 80+ man with G70.0 is too rare even at the widest level.
        assert api["holdt_tilbake"] == 1
        assert {(s["aldersgruppe"], s["kjonn"], s["icd10"], s["periode"]) for s in api["saker"]} == {
            ("30-49", "kvinne", "G35", "2026-01")
        }
        # Asked for by its løpenummer, the withheld case answers with every quasi-identifier hidden.
        alone = (await client.get("/api/saker/OUS-2026-000004")).json()
        assert (alone["aldersgruppe"], alone["kjonn"], alone["icd10"], alone["icd10_tekst"]) == (None,) * 4
        assert alone["periode"] == "2025" and alone["generaliseringsniva"] == 9
        page = await client.get("/", params={"hf": "OUS"}, headers={"accept": "text/html"})
        assert "1 sak på denne siden vises ikke" in page.text and "G70.0" not in page.text
        export = await client.get("/api/saker.csv", params={"hf": "OUS"})
        rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
        assert len(rows) == 4 and all(r["ICD-10"] != "G70.0" for r in rows)  # three cases and the group
        # For a person in Norwegian Excel: Norwegian headings and words, months and bands Excel keeps.
        case = next(r for r in rows if r["Gjelder"] == "Enkeltpasient")
        assert case["Sendt"] == "2026M01" and case["Aldersgruppe"] == "30–49" and case["Kjønn"] == "Kvinne"
        assert (
            case["Ordning"] == "Utenfor godkjent indikasjon (off-label)" and case["Etterregistrert"] == "nei"
        )
        # Within UNN's 20 alike, a single case filtered out by period is not left alone: the release is
        # what the filter selects, and it is generalised as a whole.
        narrow = (
            await client.get("/api/saker", params={"hf": "OUS", "fra": "2026-01", "til": "2026-01"})
        ).json()
        assert narrow["holdt_tilbake"] == 0 and len(narrow["saker"]) == 3


async def test_variation_of_one_combination_flags_disagreeing_trusts(app: FastAPI, bus: MemoryBus) -> None:
    await seed(bus)
    async with DemoClient(app, "ous-fagdirektor") as client:
        detail = (
            await client.get("/api/variasjon/utvalg", params={"virkestoff": "rituksimab", "icd10": "G35"})
        ).json()
        assert detail["test"]["ulik_praksis"] is True and "Fishers eksakte test" in detail["test"]["metode"]
        per_hf = {h["kode"]: h for h in detail["per_hf"]}
        assert per_hf["HBE"]["andel_innvilget"] == 1.0 and per_hf["UNN"]["andel_innvilget"] == 0.0
        assert per_hf["UNN"]["behandlingstid"]["median"] == 40.0
        assert {r["kode"] for r in detail["per_rhf"]} == {"HV", "HSO", "HN"}
        by_group = await client.get("/api/variasjon/utvalg", params={"atc": "L01", "kapittel": "VI"})
        assert by_group.json()["vedtak"] == detail["vedtak"] + 1  # and the one G70.0 (chapter VI too)
        missing = await client.get("/api/variasjon/utvalg", params={"virkestoff": "rituksimab"})
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "icd10"
        page = await client.get(
            "/variasjon", params={"virkestoff": "rituksimab", "icd10": "G35"}, headers={"accept": "text/html"}
        )
        assert page.status_code == 200
        assert "Ulik praksis" in page.text and "<svg" in page.text and "<title" in page.text
        assert "Holm-korrigert" in page.text and 'id="tabell-variasjon-hf"' in page.text


async def test_the_flagged_list_has_disagreement_and_repeated_applications(
    app: FastAPI, bus: MemoryBus
) -> None:
    await seed(bus)
    async with DemoClient(app, "hbe-komite") as client:
        flagg = (await client.get("/api/flagg")).json()
        assert [(u["virkestoff"], u["icd10_kode"]) for u in flagg["ulik_praksis"]] == [("rituksimab", "G35")]
        repeated = {(g["hf"], g["ar"]): g for g in flagg["gjentatte"]}
        assert flagg["terskel"] == 5 and set(repeated) == {("HBE", "2026"), ("UNN", "2026")}
        assert repeated[("HBE", "2026")]["enkeltpasientsoknader"] == 23
        assert repeated[("HBE", "2026")]["har_gruppevedtak"] is False
        page = await client.get("/flagg", headers={"accept": "text/html"})
        assert page.status_code == 200 and "Gjentatte enkeltpasientsøknader (2)" in page.text
        # Each repeated combination leads to its cases: the trust's single-patient applications that year.
        cases = re.search(r'<a href="([^"]*)" aria-label="23 søknader: vis sakene">', page.text)
        assert cases is not None
        found = await client.get(html.unescape(cases.group(1)).replace("/?", "/api/saker?"))
        assert found.status_code == 200 and found.json()["totalt"] == 23
        # The variation page of the combination says so too, not only the flagged list.
        variation = await client.get("/variasjon", params={"virkestoff": "rituksimab", "icd10": "G35"})
        assert (
            "Gjentatte enkeltpasientsøknader:" in variation.text
            and "Helse Bergen 23 i 2026" in variation.text
        )


async def test_statistics_page_json_and_csv(app: FastAPI, bus: MemoryBus) -> None:
    await seed(bus)
    async with DemoClient(app, "hbe-nasjonal") as client:
        data = (await client.get("/api/statistikk")).json()
        tables = {t["id"]: t for t in data["tabeller"]}
        hf = {r["nokkel"]: r for r in tables["helseforetak"]["rader"]}
        assert hf["UNN"]["verdier"]["avslatt"] == 20 and hf["HN"]["delsum"] is True
        follow_up = tables["oppfolging"]["rader"][0]
        assert follow_up["verdier"]["god"] == 3
        assert {r["nokkel"] for r in data["behandlingstid"]} == {"HBE", "OUS", "UNN"}
        period = (await client.get("/api/statistikk", params={"fra": "2026-01", "til": "2026-01"})).json()
        assert [r["nokkel"] for r in period["tabeller"][0]["rader"]] == ["2026-01", "totalt"]
        page = await client.get("/statistikk", headers={"accept": "text/html"})
        assert page.status_code == 200 and page.text.count("<svg") == 3
        export = await client.get("/api/statistikk.csv", params={"tabell": "maned_resultat"})
        assert export.status_code == 200 and export.text.lstrip("\ufeff").startswith("Måned;Innvilget")
        bad = await client.get("/api/statistikk.csv", params={"tabell": "finnes_ikke"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tabell"
