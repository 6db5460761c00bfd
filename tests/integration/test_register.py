"""The trust's register on the embedded default: filters, sorting, pages, access, audit, privacy, input."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import pytest
import pytest_asyncio
from fastapi import FastAPI

import soknad.handlers.utkast
from shared.domain.identifiers import find_personnummer_like
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.register_cases import Case, SettableClock, at, create, standard_cases
from tests.support.visible_text import readable_values, visible_text

PROBLEM = "application/problem+json"
HTML = {"accept": "text/html"}


@dataclass
class World:
    app: FastAPI
    bus: MemoryBus
    clock: SettableClock
    cases: dict[str, Case]

    def ids(self, *keys: str) -> set[str]:
        return {self.cases[k].lopenummer for k in keys}


# The number `make test` once found in the list page: not a patient's, but the tail of a random UUID in
# a case link that happened to pass the mod-11 check (about one UUID in 9,000 does). Every application
# id of the test world ends in it, so the privacy test meets it on every run instead of by chance.
MOD11_VALID_ID_TAIL = "22753823704"


def deterministic_ids() -> SimpleNamespace:
    counter = itertools.count(1)
    return SimpleNamespace(
        uuid4=lambda: uuid.UUID(f"{next(counter):08x}-0000-4000-8000-a{MOD11_VALID_ID_TAIL}")
    )


@asynccontextmanager
async def build_world(settings: SoknadSettings) -> AsyncIterator[World]:
    bus = MemoryBus()
    await bus.connect()
    clock = SettableClock(at("2026-01-01"))
    async with running(create_app(settings, bus=bus, clock=clock)) as app:
        with patch.object(soknad.handlers.utkast, "uuid", deterministic_ids()):
            cases = await create(app, bus, clock, standard_cases())
        clock.at = at("2026-03-20", hour=12)
        yield World(app, bus, clock, cases)
    await bus.close()


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with build_world(SoknadSettings(data_dir=tmp_path, log_json=False)) as w:
        yield w


async def found(client: DemoClient, **params: Any) -> list[str]:
    r = await client.get("/api/register", params=params)
    assert r.status_code == 200, r.text
    return [t["lopenummer"] for t in r.json()["treff"]]


async def register_audit_rows(app: FastAPI) -> list[Any]:
    audit = app.state.runtime.tables.audit
    async with app.state.runtime.db.sessions() as session:
        return list(
            (await session.execute(audit.select().where(audit.c.what == "soknad.register.vis"))).all()
        )


async def test_director_sees_every_sent_application_of_the_trust_and_nothing_else(world: World) -> None:
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        r = await direktor.get("/api/register")
        body = r.json()
        assert body["totalt"] == 8 and body["side"] == 1 and body["sider"] == 1
        assert set(await found(direktor)) == world.ids(*"ABCDEFGH")
    async with DemoClient(world.app, "ous-fagdirektor") as ous:
        # Another trust's director sees their own case only, and cannot open ours.
        assert await found(ous) == [world.cases["OUS"].lopenummer]
        r = await ous.get(f"/register/{world.cases['A'].id}", headers=HTML)
        assert r.status_code == 404
        assert (await ous.get(f"/api/register/{world.cases['A'].id}")).status_code == 404
        page = (await ous.get("/register", headers=HTML)).text
        assert "HBE-2026" not in page


FILTERS: list[tuple[dict[str, str], str]] = [
    ({"status": "vedtatt"}, "ABCDE"),
    ({"status": "til_forankring"}, "G"),
    ({"status": "trukket"}, "H"),
    ({"utfall": "avslatt"}, "B"),
    ({"kategori": "off_label"}, "ADEGH"),
    ({"type": "gruppe"}, "C"),
    ({"legemiddel": "ritu"}, "AE"),
    ({"legemiddel": "L04"}, "DFGH"),
    ({"legemiddel": "l04ac"}, "DF"),
    ({"legemiddel": "keyTRUDA"}, "C"),
    ({"legemiddel": "%"}, ""),
    ({"icd10": "M3"}, "DG"),
    ({"icd10": "g36"}, "E"),
    ({"icd10": "G360"}, "E"),
    ({"enhet": "HBE-REVMA"}, "CDG"),
    ({"soker": "hbe-soker"}, "ACEFH"),
    ({"soker": "mona"}, "BDG"),
    ({"fra": "2026-02-01", "til": "2026-02-28"}, "CD"),
    ({"fra": "2026-03-05"}, "FGH"),
    ({"til": "2026-01-10"}, "A"),
    ({"kategori": "off_label", "enhet": "HBE-NEVRO", "status": "vedtatt"}, "AE"),
]


async def test_each_filter_narrows(world: World) -> None:
    await check_filters(world)


async def check_filters(world: World) -> None:
    # One data set for every filter (building it is the slow part), each case reported with its filter.
    async with DemoClient(world.app, "hbe-komite") as komite:
        for params, expected in FILTERS:
            assert set(await found(komite, **params)) == world.ids(*expected), params
            # The page shows the same rows as the API.
            page = (await komite.get("/register", params=params, headers=HTML)).text
            assert set(re.findall(r"HBE-2026-\d{6}", page)) == world.ids(*expected), params


SORT_KEYS: dict[str, Any] = {
    "lopenummer": lambda c: c.lopenummer,
    "sendt": lambda c: c.sendt_at,
    "legemiddel": lambda c: c.drug[0].lower(),
    # Ties (same unit) are broken by the løpenummer, in the same direction.
    "enhet": lambda c: (c.enhet, c.lopenummer),
}


async def test_sorting_both_ways(world: World) -> None:
    await check_sorting(world)


async def check_sorting(world: World) -> None:
    sent = [world.cases[k] for k in "ABCDEFGH"]
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        for sorter, key in SORT_KEYS.items():
            up = await found(direktor, sorter=sorter, retning="stigende")
            down = await found(direktor, sorter=sorter, retning="synkende")
            assert up == [c.lopenummer for c in sorted(sent, key=key)], sorter
            assert down == [c.lopenummer for c in sorted(sent, key=key, reverse=True)], sorter


async def test_status_sorts_in_the_order_of_the_flow(world: World) -> None:
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        up = await found(direktor, sorter="status", retning="stigende")
    assert up[0] == world.cases["G"].lopenummer  # til forankring comes first
    assert up[-1] == world.cases["H"].lopenummer  # withdrawn comes last
    assert up[1] == world.cases["F"].lopenummer  # then til vurdering, then the decided ones


async def test_default_order_is_newest_first_and_the_list_shows_its_columns(world: World) -> None:
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        body = (await direktor.get("/api/register")).json()
        page = (await direktor.get("/register", headers=HTML)).text
    assert body["treff"][0]["lopenummer"] == world.cases["H"].lopenummer
    first = body["treff"][-1]
    assert first["lopenummer"] == world.cases["A"].lopenummer
    assert (
        first["utfall"] == "innvilget"
        and first["virkestoff"] == "rituksimab"
        and first["icd10_kode"] == "G35"
    )
    assert first["soker_navn"] == "Kari Nordmann" and first["enhet"] == "HBE-NEVRO"
    assert not any(key.startswith("pasient") for t in body["treff"] for key in t)
    for text in (
        "Løpenummer",
        "MabThera",
        "G35",
        "Nevrologisk avdeling, Haukeland",
        "Kari Nordmann",
        "Innvilget",
    ):
        assert text in page
    assert 'aria-sort="descending"' in page


async def test_paging_and_total(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    clock = SettableClock(at("2026-01-01"))
    async with running(
        create_app(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus, clock=clock)
    ) as app:
        many = [
            Case(f"n{i}", "hbe-soker", "off_label", "HBE-NEVRO", ("MabThera", "rituksimab", "L01FA01"),
                 ("G35", "Multippel sklerose"), at(f"2026-01-{1 + i:02d}"))
            for i in range(27)
        ]  # fmt: skip
        cases = await create(app, bus, clock, many)
        async with DemoClient(app, "hbe-fagdirektor") as direktor:
            first = (
                await direktor.get("/api/register", params={"sorter": "sendt", "retning": "stigende"})
            ).json()
            second = (
                await direktor.get(
                    "/api/register", params={"sorter": "sendt", "retning": "stigende", "side": 2}
                )
            ).json()
            beyond = (await direktor.get("/api/register", params={"side": 5})).json()
            page = (await direktor.get("/register", params={"side": 2}, headers=HTML)).text
    await bus.close()
    assert (first["totalt"], first["side"], first["sider"], len(first["treff"])) == (27, 1, 2, 25)
    assert (second["totalt"], second["side"], second["sider"], len(second["treff"])) == (27, 2, 2, 2)
    ordered = [cases[f"n{i}"].lopenummer for i in range(27)]
    assert [t["lopenummer"] for t in first["treff"] + second["treff"]] == ordered
    assert beyond["treff"] == [] and beyond["totalt"] == 27
    assert "27 søknader, side 2 av 2" in page
    assert 'aria-current="page">2<' in page and "side=1" in page


async def test_leader_sees_only_their_unit(world: World) -> None:
    async with DemoClient(world.app, "hbe-leder") as leder:
        assert set(await found(leder)) == world.ids(*"ABEFH")
        # Asking for another unit gives nothing rather than that unit's cases.
        assert await found(leder, enhet="HBE-REVMA") == []
        assert (await leder.get(f"/register/{world.cases['C'].id}", headers=HTML)).status_code == 404
        assert (await leder.get(f"/register/{world.cases['A'].id}", headers=HTML)).status_code == 200
    async with DemoClient(world.app, "hbe-leder2") as leder2:
        assert set(await found(leder2)) == world.ids(*"CDG")


@pytest.mark.parametrize("user", ["hbe-controller", "hbe-admin"])
async def test_controller_and_admin_have_no_register(world: World, user: str) -> None:
    # Least privilege: the controller bills from beslutning's billing lines, the admin reads no case.
    async with DemoClient(world.app, user) as client:
        assert (await client.get("/api/register")).status_code == 403
        for key in "AB":  # granted, refused
            assert (await client.get(f"/api/register/{world.cases[key].id}")).status_code == 403
            assert (await client.get(f"/register/{world.cases[key].id}", headers=HTML)).status_code == 403


@pytest.mark.parametrize("user", ["hbe-soker", "hbe-nasjonal"])
async def test_applicant_and_national_team_are_refused(world: World, user: str) -> None:
    async with DemoClient(world.app, user) as client:
        for url in ("/register", f"/register/{world.cases['A'].id}", "/register?side=0"):
            r = await client.get(url, headers=HTML)
            assert r.status_code == 403, url
            assert "Mine søknader" in r.text
        for url in ("/api/register", f"/api/register/{world.cases['A'].id}"):
            r = await client.get(url)
            assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    assert await register_audit_rows(world.app) == []


async def test_opening_a_case_shows_everything_and_writes_one_audit_row(world: World) -> None:
    case = world.cases["C"]
    async with DemoClient(world.app, "hbe-komite") as komite:
        listing = await komite.get("/register", headers=HTML)
        assert listing.status_code == 200
        assert await register_audit_rows(world.app) == []  # the list holds no personal data
        r = await komite.get(f"/register/{case.id}", headers=HTML)
    assert r.status_code == 200
    for text in (
        case.lopenummer,
        "Keytruda",
        "pembrolizumab",
        "C53.9",
        "Voksne med NMOSD ved nevrologisk avdeling.",
        "Innvilget med vilkår",
        "Evaluer effekt etter tre måneder.",
        "Faglig og budsjettmessig enig.",
        "Historikk",
        "Seksjon for revmatologi, Haukeland",
    ):
        assert text in r.text, text
    [row] = await register_audit_rows(world.app)
    assert (row.actor_id, row.actor_role, row.hf, row.case_ref, row.action, row.purpose) == (
        "hbe-komite",
        "komite",
        "HBE",
        case.lopenummer,
        "les",
        "Register",
    )


async def test_case_api_returns_the_application_with_its_history(world: World) -> None:
    case = world.cases["A"]
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        body = (await direktor.get(f"/api/register/{case.id}")).json()
    assert body["soknad"]["lopenummer"] == case.lopenummer
    assert body["soknad"]["innhold"]["pasient_navn"] == case.patient_name
    assert body["soknad"]["vedtak"]["utfall"] == "innvilget"
    assert [h["hendelse"] for h in body["historikk"]][-1] == "vedtatt"
    assert len(body["historikk"]) >= 3
    [row] = await register_audit_rows(world.app)
    assert row.actor_id == "hbe-fagdirektor" and row.case_ref == case.lopenummer


async def test_list_never_contains_patient_names_or_fodselsnummer(world: World) -> None:
    patients = [c for c in world.cases.values() if c.fodselsnummer]
    assert patients
    assert all(c.id.endswith(MOD11_VALID_ID_TAIL) for c in world.cases.values())
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        pages = [
            (await direktor.get("/register", headers=HTML)).text,
            (await direktor.get("/register", params={"soker": "Kari"}, headers=HTML)).text,
        ]
        api = await direktor.get("/api/register")
        case_page = (await direktor.get(f"/register/{world.cases['A'].id}", headers=HTML)).text
    raw = [*pages, api.text]
    # What a person reads holds nothing that looks like a fødselsnummer; ids and tokens are not read.
    readable = [visible_text(page) for page in pages] + [readable_values(api.json())]
    for text in readable:
        assert find_personnummer_like(text) == []
    # And no patient's own number or name is anywhere in the answer, attributes and ids included.
    for text in raw:
        for c in patients:
            assert c.fodselsnummer not in text and c.patient_name not in text
    # The case page, by contrast, is the complete application (and was audited).
    assert world.cases["A"].fodselsnummer in case_page and world.cases["A"].patient_name in case_page


BAD_VALUES: list[tuple[dict[str, str], str, str]] = [
    ({"status": "godkjent"}, "status", "Ukjent status"),
    ({"utfall": "kanskje"}, "utfall", "Ukjent utfall"),
    ({"kategori": "alt"}, "kategori", "Ukjent ordning"),
    ({"type": "familie"}, "type", "Ukjent type"),
    ({"fra": "2026-02-30"}, "fra", "ÅÅÅÅ-MM-DD"),
    ({"til": "i går"}, "til", "ÅÅÅÅ-MM-DD"),
    ({"fra": "2026-03-01", "til": "2026-02-01"}, "til", "før fra-datoen"),
    ({"side": "0"}, "side", "fra og med 1"),
    ({"side": "-1"}, "side", "fra og med 1"),
    ({"side": "en"}, "side", "fra og med 1"),
    ({"side": "9" * 30}, "side", "fra og med 1"),
    ({"side": "²"}, "side", "fra og med 1"),
    ({"side": "9" * 5000}, "side", "fra og med 1"),
    ({"side": "100001"}, "side", "fra og med 1"),
    ({"lopenummer": "HBE-2026-42"}, "lopenummer", "seks sifre"),
    ({"lopenummer": "HBE 2026 000003"}, "lopenummer", "seks sifre"),
    ({"lopenummer": "HBE-2026-00000³"}, "lopenummer", "seks sifre"),
    ({"sorter": "pasient_navn"}, "sorter", "Kan ikke sortere"),
    ({"retning": "opp"}, "retning", "stigende eller synkende"),
    ({"icd10": "35G"}, "icd10", "ICD-10"),
    ({"legemiddel": "x" * 101}, "legemiddel", "for lang"),
    ({"enhet": "<script>"}, "enhet", "Ukjent enhet"),
]


async def test_bad_filter_values_are_a_norwegian_422_naming_the_field(world: World) -> None:
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        for params, field, fragment in BAD_VALUES:
            r = await direktor.get("/api/register", params=params)
            assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, params
            errors = r.json()["errors"]
            assert any(e["field"] == field and fragment in e["message"] for e in errors), (params, errors)
            page = await direktor.get("/register", params=params, headers=HTML)
            assert page.status_code == 422 and fragment in page.text, params
            if field == "side":  # comes from the page links, not from a field of the form
                continue
            # The message sits next to the field, and what was typed is shown again.
            assert f'id="feil-{field}"' in page.text, params
            assert f'aria-describedby="feil-{field}' in page.text, params
            if field not in ("status", "utfall", "kategori", "type", "sorter", "retning", "enhet"):
                assert f'value="{params[field]}"' in page.text, params


async def test_search_by_lopenummer_finds_exactly_that_case(world: World) -> None:
    wanted = world.cases["C"].lopenummer
    async with DemoClient(world.app, "hbe-komite") as komite:
        assert await found(komite, lopenummer=wanted) == [wanted]
        # As people paste it: spaces around, lower case.
        assert await found(komite, lopenummer=f"  {wanted.lower()} ") == [wanted]
        # Exact, not a prefix; another trust's number finds nothing here.
        assert await found(komite, lopenummer=wanted[:-1] + "9") == []
        assert await found(komite, lopenummer=world.cases["OUS"].lopenummer) == []
        page = await komite.get("/register", params={"lopenummer": wanted}, headers=HTML)
    assert page.status_code == 200
    assert set(re.findall(r"HBE-2026-\d{6}", visible_text(page.text).split("Treff", 1)[1])) == {wanted}
    assert "1 søknad." in page.text and f'value="{wanted}"' in page.text
    async with DemoClient(world.app, "hbe-leder") as leder:
        # The number does not widen a leader's view to another unit's case.
        assert await found(leder, lopenummer=wanted) == []


async def test_several_bad_values_are_all_reported(world: World) -> None:
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        r = await direktor.get("/api/register", params={"side": "0", "sorter": "x", "status": "y"})
    assert {e["field"] for e in r.json()["errors"]} == {"side", "sorter", "status"}


async def test_unknown_case_is_404(world: World) -> None:
    async with DemoClient(world.app, "hbe-fagdirektor") as direktor:
        assert (await direktor.get("/register/finnes-ikke", headers=HTML)).status_code == 404
        assert (await direktor.get(f"/register/{world.cases['utkast'].id}", headers=HTML)).status_code == 404
    assert await register_audit_rows(world.app) == []


async def test_navigation_links_to_register_and_statistics(world: World) -> None:
    for user in ("hbe-fagdirektor", "hbe-komite", "hbe-leder"):
        async with DemoClient(world.app, user) as client:
            page = (await client.get("/register", headers=HTML)).text
        nav = page.split('aria-label="Hovedmeny"')[1].split("</nav>")[0]
        assert ">Register<" in nav and ">Statistikk<" in nav, user
        assert re.search(r'href="[^"]*/register"', nav) and re.search(r'href="[^"]*/statistikk"', nav)


@pytest.mark.integration
async def test_same_queries_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, database_url=pg_url)
    async with build_world(settings) as w:
        await check_filters(w)
        await check_sorting(w)
        async with DemoClient(w.app, "hbe-leder") as leder:
            assert set(await found(leder)) == w.ids(*"ABEFH")
