"""The trust's directory through soknad's admin API and pages: units, leaders, committee, roles and
people, every change in the change log; only the trust's own admin may change it; a deactivated person
is refused; co-authors are found by name; an appointed leader is notified of the unit's applications."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI

from shared.platform.auth.session import CSRF_FIELD
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, katalog_of, running
from tests.support.builders import complete_innhold
from tests.support.waiting import wait_until

HTML = {"accept": "text/html"}


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, outbox_poll_interval_s=0.05)
    async with running(create_app(settings, bus=bus)) as app:
        yield app
    await bus.close()


async def ok(client: DemoClient, method: str, url: str, body: Any = None, status: int = 200) -> Any:
    r = await client.send_json(method, url, body)
    assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
    return r.json()


async def form(client: DemoClient, url: str, data: dict[str, str]) -> httpx.Response:
    return await client.post(url, data={CSRF_FIELD: await client.csrf(), **data}, headers=HTML)


async def test_admin_manages_units_leaders_committee_and_roles_and_every_change_is_logged(
    app: FastAPI,
) -> None:
    async with DemoClient(app, "hbe-admin") as admin:
        enhet = await ok(
            admin,
            "POST",
            "/api/katalog/enheter",
            {"kode": "hema", "navn": "Hematologi", "resh_id": "900103"},
            201,
        )
        assert enhet == {
            "kode": "HBE-HEMA",
            "navn": "Hematologi",
            "hf": "HBE",
            "resh_id": "900103",
            "aktiv": True,
            "ledere": [],
            "kostnadssteder": [],
        }
        await ok(
            admin,
            "POST",
            "/api/katalog/enheter/HBE-HEMA/kostnadssteder",
            {"kode": "4610", "navn": "Hem"},
            201,
        )
        # A person leads one unit: Eva Lund leads HBE-REVMA and must be removed there first.
        refused = await admin.send_json(
            "POST", "/api/katalog/enheter/HBE-HEMA/ledere", {"user_id": "hbe-leder2"}
        )
        assert (
            refused.status_code == 422 and "Fjern vedkommende som leder der først" in refused.json()["detail"]
        )
        await ok(admin, "DELETE", "/api/katalog/enheter/HBE-REVMA/ledere/hbe-leder2")
        hema = await ok(admin, "POST", "/api/katalog/enheter/HBE-HEMA/ledere", {"user_id": "hbe-leder2"}, 201)
        assert hema["ledere"] == ["hbe-leder2"] and hema["kostnadssteder"] == [
            {"kode": "4610", "navn": "Hem"}
        ]

        mona = await ok(admin, "POST", "/api/katalog/komite", {"user_id": "hbe-soker2"}, 201)
        assert mona["komite"] and mona["roller"] == ["komite", "soker"]
        mona = await ok(
            admin, "POST", "/api/katalog/personer/hbe-soker2/roller", {"rolle": "fagdirektor"}, 201
        )
        assert mona["roller"] == ["fagdirektor", "komite", "soker"]
        # Leaders are appointed on their unit and committee members added to the committee.
        wrong = await admin.send_json("POST", "/api/katalog/personer/hbe-soker2/roller", {"rolle": "leder"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "rolle"
        await ok(admin, "DELETE", "/api/katalog/personer/hbe-soker2/roller/fagdirektor")
        await ok(admin, "DELETE", "/api/katalog/komite/hbe-soker2")
        komite = await ok(admin, "GET", "/api/katalog/komite")
        assert [p["user_id"] for p in komite] == ["hbe-komite"]

        log = await ok(admin, "GET", "/api/katalog/endringer")
        assert [(e["handling"], e["objekt"]) for e in reversed(log)] == [
            ("enhet_lagt_til", "HBE-HEMA"),
            ("kostnadssted_lagt_til", "HBE-HEMA"),
            ("leder_fjernet", "HBE-REVMA"),
            ("leder_utnevnt", "HBE-HEMA"),
            ("komitemedlem_lagt_til", "hbe-soker2"),
            ("rolle_tildelt", "hbe-soker2"),
            ("rolle_trukket", "hbe-soker2"),
            ("komitemedlem_fjernet", "hbe-soker2"),
        ]
        assert {(e["av_id"], e["av_navn"]) for e in log} == {("hbe-admin", "Anne Lie")}
        assert log[-1]["detaljer"] == {"navn": "Hematologi", "resh_id": "900103"}

    # The change is what the system uses: Eva Lund now anchors for the new unit.
    leder2 = await katalog_of(app).person("hbe-leder2")
    assert leder2 is not None and leder2.principal().enhet == "HBE-HEMA"


async def test_admin_pages_change_the_directory_without_javascript(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-admin") as admin:
        page = await admin.get("/admin/katalog", headers=HTML)
        assert page.status_code == 200
        assert (
            "<caption>Enheter i Helse Bergen" in page.text and "Nevrologisk avdeling, Haukeland" in page.text
        )
        assert '<label for="felt-kode">Kode</label>' in page.text

        r = await form(
            admin, "/admin/katalog", {"handling": "enhet_lagt_til", "kode": "HEMA", "navn": "Hematologi"}
        )
        assert r.status_code == 303
        page = await admin.get(r.headers["location"], headers=HTML)
        assert "Enheten er lagt til." in page.text and "HBE-HEMA" in page.text

        bad = await form(
            admin, "/admin/katalog", {"handling": "enhet_lagt_til", "kode": "hæ ma", "navn": "X"}
        )
        assert bad.status_code == 422
        assert "Koden kan ha store bokstaver, sifre og bindestrek" in bad.text
        assert 'value="hæ ma"' in bad.text  # what was typed is shown again

        unknown = await form(admin, "/admin/katalog", {"handling": "slett_alt"})
        assert unknown.status_code == 422 and "Ukjent handling" in unknown.text

        no_token = await admin.post(
            "/admin/katalog", data={"handling": "person_deaktivert", "user_id": "hbe-soker"}
        )
        assert no_token.status_code == 403
        assert (await katalog_of(app).person("hbe-soker")).aktiv  # type: ignore[union-attr]

        r = await form(
            admin,
            "/admin/katalog",
            {"handling": "rolle_tildelt", "user_id": "hbe-soker2", "rolle": "controller", "sok": "mona"},
        )
        assert r.status_code == 303 and "sok=mona" in r.headers["location"]
        page = await admin.get(r.headers["location"], headers=HTML)
        assert "Rollen er tildelt." in page.text and "Controller (økonomi)" in page.text
        assert "<caption>Personer i Helse Bergen som passer med «mona»</caption>" in page.text

        page = await admin.get("/admin/katalog/endringer", headers=HTML)
        assert "Tildelte rolle" in page.text and "La til enhet" in page.text and "Anne Lie" in page.text


async def test_only_an_admin_may_read_or_change_the_directory(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        assert (await direktor.get("/api/katalog/enheter")).status_code == 403
        assert (await direktor.get("/api/katalog/personer")).status_code == 403
        r = await direktor.send_json("POST", "/api/katalog/enheter", {"kode": "X1", "navn": "X"})
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        r = await direktor.send_json(
            "POST", "/api/katalog/personer/hbe-fagdirektor/roller", {"rolle": "admin"}
        )
        assert r.status_code == 403
        assert (await direktor.get("/admin/katalog", headers=HTML)).status_code == 403
        r = await form(
            direktor,
            "/admin/katalog",
            {"handling": "rolle_tildelt", "user_id": "hbe-fagdirektor", "rolle": "admin"},
        )
        assert r.status_code == 403
    person = await katalog_of(app).person("hbe-fagdirektor")
    assert person is not None and person.tildelte_roller == {"fagdirektor"}


async def test_another_trusts_admin_cannot_touch_this_trusts_directory(app: FastAPI) -> None:
    async with DemoClient(app, "ous-admin") as ous:
        enheter = await ok(ous, "GET", "/api/katalog/enheter")
        assert {e["kode"] for e in enheter} == {"OUS-NEVRO", "OUS-BARN"}
        assert all(p["hf"] == "OUS" for p in await ok(ous, "GET", "/api/katalog/personer"))
        attempts = [
            ("POST", "/api/katalog/enheter/HBE-NEVRO/ledere", {"user_id": "hbe-soker2"}),
            ("DELETE", "/api/katalog/enheter/HBE-NEVRO/ledere/hbe-leder", None),
            ("POST", "/api/katalog/enheter/HBE-NEVRO/kostnadssteder", {"kode": "1", "navn": "x"}),
            ("POST", "/api/katalog/komite", {"user_id": "hbe-soker"}),
            ("POST", "/api/katalog/personer/hbe-soker/roller", {"rolle": "admin"}),
            ("DELETE", "/api/katalog/personer/hbe-soker/roller/soker", None),
            ("POST", "/api/katalog/personer/hbe-soker/deaktivering", None),
            # An OUS unit may not get an HBE leader either.
            ("POST", "/api/katalog/enheter/OUS-NEVRO/ledere", {"user_id": "hbe-soker"}),
        ]
        for method, url, body in attempts:
            r = await ous.send_json(method, url, body)
            assert r.status_code == 404, (method, url, r.text)
    katalog = katalog_of(app)
    hbe = await katalog.org("HBE")
    assert hbe.ledere("HBE-NEVRO") == ["hbe-leder"] and hbe.komite == ("hbe-komite",)
    assert (await katalog.person("hbe-soker")).aktiv  # type: ignore[union-attr]
    assert await katalog.endringer("HBE") == [] and await katalog.endringer("OUS") == []


async def test_a_deactivated_person_is_refused_at_once_and_can_be_activated_again(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-admin") as admin, DemoClient(app, "hbe-soker2") as mona:
        assert (await mona.get("/api/soknader")).status_code == 200
        await ok(admin, "POST", "/api/katalog/personer/hbe-soker2/deaktivering")
        assert (await mona.get("/api/soknader")).status_code == 401
        mona.login("hbe-soker2")  # a new session is no better
        assert (await mona.get("/api/soknader")).status_code == 401
        # Nor can a deactivated person be made a co-author.
        async with DemoClient(app, "hbe-soker") as kari:
            draft = await ok(
                kari,
                "POST",
                "/api/soknader",
                {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": {}},
                201,
            )
            r = await kari.send_json(
                "POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": "hbe-soker2"}
            )
            assert r.status_code == 422
            assert (
                await ok(kari, "GET", f"/api/soknader/{draft['id']}/medforfatter-kandidater?navn=mona") == []
            )
        self_ = await admin.send_json("POST", "/api/katalog/personer/hbe-admin/deaktivering")
        assert self_.status_code == 422 and "deg selv" in self_.json()["detail"]
        await ok(admin, "POST", "/api/katalog/personer/hbe-soker2/aktivering")
        mona.login("hbe-soker2")
        assert (await mona.get("/api/soknader")).status_code == 200


async def test_a_co_author_is_found_by_name_ignoring_case_and_accents(app: FastAPI) -> None:
    katalog = katalog_of(app)
    await katalog.register_from_token(
        hf="HBE", user_id="helseid-42", navn="Åse Sørli-Ødegård", hpr_nummer="7654321"
    )
    await katalog.register_from_token(hf="HBE", user_id="helseid-43", navn="Åsmund Berg", hpr_nummer=None)
    async with DemoClient(app, "hbe-admin") as admin:
        await ok(admin, "POST", "/api/katalog/personer/helseid-42/roller", {"rolle": "soker"}, 201)
    async with DemoClient(app, "hbe-soker") as kari:
        draft = await ok(
            kari,
            "POST",
            "/api/soknader",
            {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": {}},
            201,
        )
        url = f"/api/soknader/{draft['id']}/medforfatter-kandidater"
        for query in ("ase sorli", "SØRLI", "odegard", "Ødegård"):
            found = await ok(kari, "GET", f"{url}?navn={query}")
            assert found == [
                {"user_id": "helseid-42", "navn": "Åse Sørli-Ødegård", "hpr_nummer": "7654321"}
            ], query
        # Åsmund has no soker role; Kari is the applicant; Jonas is another trust's.
        assert [c["user_id"] for c in await ok(kari, "GET", f"{url}?navn=%C3%A5s")] == ["helseid-42"]
        assert await ok(kari, "GET", f"{url}?navn=kari") == []
        assert await ok(kari, "GET", f"{url}?navn=jonas") == []
        assert await ok(kari, "GET", f"{url}?navn=%25") == []  # LIKE wildcards are plain text
        too_long = await kari.get(f"{url}?navn={'x' * 101}")
        assert too_long.status_code == 422

        page = await kari.get(f"/s/{draft['id']}?medforfatter_sok=sorli", headers=HTML)
        assert 'name="user_id" value="helseid-42">Inviter Åse Sørli-Ødegård</button>' in page.text
        added = await ok(
            kari, "POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": "helseid-42"}
        )
        assert added["medforfattere"] == ["helseid-42"]
        assert await ok(kari, "GET", f"{url}?navn=sorli") == []
    async with DemoClient(app, "hbe-soker2") as mona:
        # Only those who may edit the application may search for its co-authors.
        assert (await mona.get(f"{url}?navn=sorli")).status_code == 403


async def test_a_leader_appointed_by_the_admin_is_notified_of_the_units_applications(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-admin") as admin:
        await ok(admin, "DELETE", "/api/katalog/enheter/HBE-REVMA/ledere/hbe-leder2")
        await ok(admin, "POST", "/api/katalog/enheter/HBE-NEVRO/ledere", {"user_id": "hbe-leder2"}, 201)
    async with DemoClient(app, "hbe-soker") as kari:
        draft = await ok(
            kari,
            "POST",
            "/api/soknader",
            {
                "type": "enkeltpasient",
                "kategori": "off_label",
                "enhet": "HBE-NEVRO",
                "innhold": complete_innhold(),
            },
            201,
        )
        sent = await ok(kari, "POST", f"/api/soknader/{draft['id']}/send", {})
    async with DemoClient(app, "hbe-leder2") as eva, DemoClient(app, "hbe-leder") as per:

        async def notified(client: DemoClient) -> list[dict[str, Any]]:
            return [v for v in (await ok(client, "GET", "/api/varsler"))["varsler"] if v["kind"] == "sendt"]

        await wait_until(lambda: notified(eva))
        [varsel] = await notified(eva)
        assert varsel["lopenummer"] == sent["lopenummer"] and "venter på forankring" in varsel["tekst"]
        assert len(await notified(per)) == 1  # the unit's first leader too
        # And the new leader may open and anchor it: the directory gives her the unit.
        assert (await eva.get(f"/api/soknader/{draft['id']}")).status_code == 200


async def test_a_unit_taken_out_of_use_leaves_the_forms_but_keeps_its_leaders(app: FastAPI) -> None:
    katalog = katalog_of(app)
    assert "HBE-NEVRO" in (await katalog.org("HBE")).koder
    async with DemoClient(app, "hbe-admin") as admin:
        r = await form(admin, "/admin/katalog", {"handling": "enhet_deaktivert", "enhet": "HBE-NEVRO"})
        assert r.status_code == 303
        page = await admin.get(r.headers["location"], headers=HTML)
        assert "Enheten er tatt ut av bruk." in page.text and "Ta i bruk igjen" in page.text
        org = await katalog.org("HBE")
        assert "HBE-NEVRO" not in org.koder  # no form offers it any longer
        assert org.ledere("HBE-NEVRO") == ["hbe-leder"]  # what was sent there can still be anchored

        again = await form(admin, "/admin/katalog", {"handling": "enhet_deaktivert", "enhet": "HBE-NEVRO"})
        assert again.status_code == 422 and "allerede tatt ut av bruk" in again.text

        enhet = await ok(admin, "POST", "/api/katalog/enheter/HBE-NEVRO/aktivering")
        assert enhet["aktiv"] is True and "HBE-NEVRO" in (await katalog.org("HBE")).koder
        page = await admin.get("/admin/katalog/endringer", headers=HTML)
        assert "Tok enhet ut av bruk" in page.text and "Tok enhet i bruk igjen" in page.text

    async with DemoClient(app, "ous-admin") as foreign:
        r = await foreign.send_json("POST", "/api/katalog/enheter/HBE-NEVRO/deaktivering", None)
        assert r.status_code == 404  # another trust's unit is answered like one that does not exist
    async with DemoClient(app, "hbe-soker") as soker:
        r = await soker.send_json("POST", "/api/katalog/enheter/HBE-NEVRO/deaktivering", None)
        assert r.status_code == 403


async def test_a_physician_is_found_by_hpr_number_within_the_trusts_served(app: FastAPI) -> None:
    katalog = katalog_of(app)
    found = await katalog.person_by_hpr("9144889", hf={"HBE"})
    assert found is not None and found.user_id == "hbe-soker"
    assert await katalog.person_by_hpr("9144889", hf={"OUS"}) is None  # another trust's physician
    assert await katalog.person_by_hpr("0000000", hf={"HBE", "OUS"}) is None
    ous = await katalog.person_by_hpr("9155771", hf={"HBE", "OUS"})
    assert ous is not None and ous.user_id == "ous-soker"
