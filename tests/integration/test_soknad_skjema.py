"""The form as the applicant meets it, on the embedded default: co-authors and conflicts, field history, the
form version an application keeps, the summary before sending, the trust's help texts, and the pages
without JavaScript."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI

from shared.platform.auth.session import CSRF_FIELD
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from soknad.skjema.register import DEFINISJONER, SkjemaRegister
from soknad.store import endringer
from soknad.store import utkast as lagring
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold

PROBLEM = "application/problem+json"
HTML = {"accept": "text/html"}


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest_asyncio.fixture
async def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def app(tmp_path: Path, clock: Clock) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    async with running(create_app(settings, bus=bus, clock=clock)) as app:
        yield app
    await bus.close()


async def new_draft(
    client: DemoClient,
    innhold: dict[str, Any] | None = None,
    *,
    kategori: str = "off_label",
    enhet: str = "HBE-NEVRO",
) -> dict[str, Any]:
    r = await client.send_json(
        "POST",
        "/api/soknader",
        {"type": "enkeltpasient", "kategori": kategori, "enhet": enhet, "innhold": innhold or {}},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def post_form(client: DemoClient, url: str, data: dict[str, str]) -> Any:
    return await client.post(url, data={CSRF_FIELD: await client.csrf(), **data}, headers=HTML)


def hidden_input(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def help_text(page: str, sporsmal_id: str) -> str:
    match = re.search(rf'<p class="hjelp" id="felt-innhold\.{sporsmal_id}-hjelp">(.*?)</p>', page, re.S)
    assert match, sporsmal_id
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def timeline(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", timeline_html(page))))


def timeline_lines(page: str) -> list[str]:
    items = re.findall(r"<li>(.*?)</li>", timeline_html(page), re.S)
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))).strip() for item in items]


def timeline_html(page: str) -> str:
    match = re.search(r'<ol class="tidslinje">(.*?)</ol>', page, re.S)
    assert match
    return match.group(1)


# --- co-authors and conflicts ------------------------------------------------------------------------------


async def test_an_invited_co_author_can_save_and_a_stale_save_names_who_saved_what(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker, DemoClient(app, "hbe-soker2") as mona:
        draft = await new_draft(soker, {"begrunnelse": "Første utkast."})
        assert (await mona.get(f"/api/soknader/{draft['id']}")).status_code == 404
        for outsider in ("ous-soker", "hbe-leder", "finnes-ikke"):
            r = await soker.send_json(
                "POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": outsider}
            )
            assert r.status_code == 422, outsider
            assert r.json()["errors"][0]["field"] == "user_id"
        r = await soker.send_json(
            "POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": "hbe-soker2"}
        )
        assert r.status_code == 200 and r.json()["medforfattere"] == ["hbe-soker2"]
        seen = r.json()["versjon"]

        r = await mona.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {"versjon": seen, "innhold": {"begrunnelse": "Monas tekst."}},
        )
        assert r.status_code == 200 and r.json()["versjon"] == seen + 1

        r = await soker.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {"versjon": seen, "innhold": {"begrunnelse": "Karis tekst."}},
        )
        assert r.status_code == 409
        conflict = r.json()
        assert (conflict["din_versjon"], conflict["lagret_versjon"]) == (seen, seen + 1)
        assert conflict["lagret_innhold"]["begrunnelse"] == "Monas tekst."
        assert conflict["lagret_av"]["begrunnelse"]["navn"] == "Mona Ruud"
        assert conflict["sist_lagret"]["navn"] == "Mona Ruud"

        # «Behold min»: the same text again, on top of the version that won.
        r = await soker.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {"versjon": seen + 1, "innhold": {"begrunnelse": "Karis tekst."}},
        )
        assert r.status_code == 200 and r.json()["innhold"]["begrunnelse"] == "Karis tekst."


@pytest.mark.integration
async def test_a_save_that_loses_the_race_after_the_version_check_gets_the_full_conflict(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL two saves can both pass the version check (SQLite serialises writers earlier)."""
    write = lagring.save
    first_checked, winner_done = asyncio.Event(), asyncio.Event()

    async def held(session: Any, *args: Any) -> None:
        # The first save has passed its version check; it waits here until another save has committed.
        if not first_checked.is_set():
            first_checked.set()
            await winner_done.wait()
        return await write(session, *args)

    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, database_url=pg_url, log_json=False)
    async with (
        running(create_app(settings, bus=bus)) as app,
        DemoClient(app, "hbe-soker") as soker,
        DemoClient(app, "hbe-soker2") as mona,
    ):
        draft = await new_draft(soker)
        r = await soker.send_json(
            "POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": "hbe-soker2"}
        )
        seen = r.json()["versjon"]
        monkeypatch.setattr(lagring, "save", held)
        url = f"/api/soknader/{draft['id']}"
        loser = asyncio.create_task(
            soker.send_json("PUT", url, {"versjon": seen, "innhold": {"dose": "1 mg"}})
        )
        await first_checked.wait()
        won = await mona.send_json("PUT", url, {"versjon": seen, "innhold": {"dose": "2 mg"}})
        winner_done.set()
        lost = await loser
        # The 409 shows the saved answers: that read is in the audit log, written by the conflict.
        audit = app.state.runtime.tables.audit
        async with app.state.runtime.db.sessions() as session:
            konflikt = (await session.execute(audit.select().where(audit.c.what == "soknad.konflikt"))).all()
    await bus.close()
    assert [(r.actor_id, r.action, r.case_ref) for r in konflikt] == [("hbe-soker", "les", draft["id"])]
    assert won.status_code == 200
    assert lost.status_code == 409 and lost.headers["content-type"] == PROBLEM
    assert lost.json()["lagret_versjon"] == won.json()["versjon"]
    assert lost.json()["lagret_innhold"] == {"dose": "2 mg"}
    assert lost.json()["lagret_av"]["dose"]["navn"] == "Mona Ruud"


async def test_inviting_a_co_author_on_the_page(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker, DemoClient(app, "hbe-soker2") as mona:
        draft = await new_draft(soker)
        # Found by searching the trust's physicians by name (no JavaScript: a GET form on the page).
        page = (await soker.get(f"/s/{draft['id']}?medforfatter_sok=MONA", headers=HTML)).text
        assert 'name="user_id" value="hbe-soker2">Inviter Mona Ruud</button>' in page
        assert 'value="hbe-soker"' not in page and "ous-soker" not in page
        r = await post_form(soker, f"/s/{draft['id']}/medforfattere", {"user_id": "hbe-soker2"})
        assert r.status_code == 303
        page = (await soker.get(r.headers["location"], headers=HTML)).text
        assert "Medforfatteren er lagt til" in page and "<li>Mona Ruud</li>" in page
        assert "La til medforfatter Mona Ruud" in timeline(page)
        page = (await soker.get(f"/s/{draft['id']}?medforfatter_sok=mona", headers=HTML)).text
        assert "Fant ingen leger med søkerrolle som heter «mona»" in page

        r = await post_form(mona, f"/s/{draft['id']}", {"versjon": "2", "innhold.dose": "500 mg"})
        assert r.status_code == 303
        assert (await soker.get(f"/api/soknader/{draft['id']}")).json()["innhold"]["dose"] == "500 mg"

        r = await post_form(soker, f"/s/{draft['id']}/medforfattere", {"user_id": "ous-soker"})
        assert r.status_code == 422
        assert "samme helseforetak" in r.text


# --- field history -----------------------------------------------------------------------------------------


async def test_field_history_records_which_field_each_person_changed(app: FastAPI, clock: Clock) -> None:
    start = clock.at
    async with DemoClient(app, "hbe-soker") as soker, DemoClient(app, "hbe-soker2") as mona:
        draft = await new_draft(soker)
        r = await soker.send_json(
            "POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": "hbe-soker2"}
        )
        versjon = r.json()["versjon"]

        async def save(client: DemoClient, minutes: int, innhold: dict[str, Any]) -> None:
            nonlocal versjon
            clock.at = start + timedelta(minutes=minutes)
            r = await client.send_json(
                "PUT", f"/api/soknader/{draft['id']}", {"versjon": versjon, "innhold": innhold}
            )
            assert r.status_code == 200, r.text
            versjon = r.json()["versjon"]

        await save(soker, 0, {"dose": "1"})
        await save(soker, 2, {"dose": "10"})  # the same stretch of typing: one row, its time moves
        await save(soker, 3, {"dose": "100", "begrunnelse": "Fordi"})
        await save(mona, 4, {"dose": "1000 mg"})
        await save(soker, 20, {"dose": "900 mg"})  # later: a new row

    async with app.state.runtime.db.sessions() as session:
        rows = await endringer.for_soknad(session, draft["id"])
    assert [(r.sporsmal_id, r.actor_navn, r.at - start) for r in rows] == [
        ("dose", "Kari Nordmann", timedelta(minutes=3)),
        ("begrunnelse", "Kari Nordmann", timedelta(minutes=3)),
        ("dose", "Mona Ruud", timedelta(minutes=4)),
        ("dose", "Kari Nordmann", timedelta(minutes=20)),
    ]
    async with DemoClient(app, "hbe-soker") as soker:
        lines = timeline((await soker.get(f"/s/{draft['id']}", headers=HTML)).text)
    assert "Kari Nordmann: Endret «Dose» og «Samlet klinisk begrunnelse»" in lines
    assert "Mona Ruud: Endret «Dose»" in lines
    assert "1000 mg" not in lines and "Fordi" not in lines  # which field, never the values


# --- the form version ------------------------------------------------------------------------------------

V2 = {
    "versjon": 2,
    "tittel": "Kort skjema",
    "seksjoner": [
        {
            "id": "alt",
            "tittel": "Alt",
            "sporsmal": [
                {
                    "id": "begrunnelse",
                    "etikett": "Begrunnelse",
                    "type": "lang_tekst",
                    "pakrevd": True,
                    "hjelp": "H.",
                },
                {"id": "ny_i_v2", "etikett": "Nytt", "type": "kort_tekst", "pakrevd": True, "hjelp": "H."},
            ],
        }
    ],
}


async def test_an_application_keeps_the_form_version_it_was_written_with(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path / "data", log_json=False)
    async with running(create_app(settings, bus=bus)) as app, DemoClient(app, "hbe-soker") as soker:
        old = await new_draft(soker, complete_innhold())
    definitions = tmp_path / "skjema"
    definitions.mkdir()
    (definitions / "v1.json").write_text(
        (DEFINISJONER / "v1.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (definitions / "v2.json").write_text(json.dumps(V2), encoding="utf-8")
    newer = create_app(settings, bus=bus, skjemaer=SkjemaRegister.load(definitions))
    async with running(newer) as app, DemoClient(app, "hbe-soker") as soker:
        r = await soker.get(f"/api/soknader/{old['id']}")
        assert r.json()["skjema_versjon"] == 1 and "pasient_fodselsnummer" in r.json()["synlige"]
        page = (await soker.get(f"/s/{old['id']}", headers=HTML)).text
        assert 'id="felt-innhold.dose"' in page and "Versjon 1" in page
        assert (await soker.send_json("POST", f"/api/soknader/{old['id']}/send", {})).status_code == 200

        fresh = await new_draft(soker, {"begrunnelse": "Kort."})
        assert fresh["skjema_versjon"] == 2 and fresh["synlige"] == ["begrunnelse", "ny_i_v2"]
        r = await soker.send_json(
            "PUT", f"/api/soknader/{fresh['id']}", {"versjon": 1, "innhold": {"dose": "1"}}
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "innhold.dose"
        r = await soker.send_json("POST", f"/api/soknader/{fresh['id']}/send", {})
        assert [e["field"] for e in r.json()["errors"]] == ["innhold.ny_i_v2"]
    await bus.close()


# --- the draft page and the summary ----------------------------------------------------------------------


async def test_the_draft_page_is_rendered_from_the_definition(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        fnr = complete_innhold()["pasient_fodselsnummer"]
        draft = await new_draft(soker, {"pasient_fodselsnummer": fnr, "legemiddel": {"navn": "MabThera"}})
        page = (await soker.get(f"/s/{draft['id']}", headers=HTML)).text
    assert re.search(r'data-avledet-for="pasient_fodselsnummer"[^>]*>\d+ år, kvinne</p>', page)
    assert 'data-sporsmal="klinisk_eksepsjonell" hidden' in page  # unntak/tilgang only
    assert 'data-sporsmal="klinisk_studie_hvorfor_ikke" hidden' in page  # until a study exists
    assert '<li data-seksjon-meny="pasientgruppe" hidden>' in page
    assert re.search(r'href="#seksjon-pasient">Pasient\s*<span class="fullforing status-mangler"', page)
    assert "Mangler svar (1 av 2)" in page and "Ikke påbegynt" not in page.split("seksjon-diagnose")[0]
    assert 'data-oppslag="legemiddel" data-oppslag-url="/api/oppslag/legemidler"' in page
    assert 'data-oppslag="icd10" data-oppslag-url="/api/oppslag/diagnoser"' in page
    assert "Ikke kontrollert mot legemiddelregisteret." in page
    assert re.search(
        r'<section id="presedens" class="presedens" aria-live="polite" data-presedens-url="[^"]+" '
        r'data-oversikt-url="/oversikt">',
        page,
    )
    assert 'aria-describedby="felt-innhold.dose-hjelp felt-innhold.dose-feil"' in page
    assert "https://www.nyemetoder.no/om-systemet/rammeverk-for-legemiddelbehandling" in page
    assert "HPR-nummer</dt><dd>9144889" in page


async def test_the_summary_links_every_missing_field_and_the_send_button_goes_there_first(
    app: FastAPI,
) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, {"pasient_navn": "Syntetisk Testpasient", "klinisk_studie": "ja"})
        missing = (await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})).json()["errors"]
        form_page = (await soker.get(f"/s/{draft['id']}", headers=HTML)).text
        r = await post_form(
            soker, f"/s/{draft['id']}", {"versjon": str(draft["versjon"]), "handling": "send"}
        )
        assert r.status_code == 303 and r.headers["location"].endswith(f"/s/{draft['id']}/oppsummering")
        summary = (await soker.get(r.headers["location"], headers=HTML)).text

        links = re.findall(rf'<li><a href="/s/{draft["id"]}#(felt-[^"]+)">([^<]+)</a></li>', summary)
        assert [target.removeprefix("felt-") for target, _ in links] == [e["field"] for e in missing]
        assert len(links) > 20
        for target, _ in links:
            assert f'id="{target}"' in form_page, target  # the link lands on the field itself
        texts = dict(links)
        assert html.unescape(texts["felt-innhold.klinisk_studie_hvorfor_ikke"]) == (
            "Hvorfor gis behandlingen ikke i studien? Må fylles ut før søknaden kan sendes."
        )
        assert html.unescape(texts["felt-innhold.legemiddel.virkestoff"]).startswith(
            "Legemiddel – Virkestoff:"
        )
        assert "Syntetisk Testpasient" in summary  # the application read-only below the list

        r = await post_form(soker, f"/s/{draft['id']}/send", {})
        assert r.status_code == 422 and "Dette mangler før du kan sende" in r.text

        complete = complete_innhold(
            klinisk_studie="ja", klinisk_studie_hvorfor_ikke="Fyller ikke kriteriene."
        )
        r = await soker.send_json("PUT", f"/api/soknader/{draft['id']}", {"versjon": 1, "innhold": complete})
        summary = (await soker.get(f"/s/{draft['id']}/oppsummering", headers=HTML)).text
        assert "Alt som kreves er fylt ut" in summary and "Dette mangler" not in summary
        r = await post_form(soker, f"/s/{draft['id']}/send", {})
        assert r.status_code == 303 and r.headers["location"].endswith("?melding=sendt")


async def test_without_javascript_valid_answers_are_saved_and_the_error_is_shown_next_to_the_field(
    app: FastAPI,
) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker)
        r = await post_form(
            soker,
            f"/s/{draft['id']}",
            {
                "versjon": "1",
                "innhold.dose": "1000 mg",
                "innhold.pasient_fodselsnummer": "15838500003",
                "innhold.legemiddel.navn": "MabThera",
                "innhold.legemiddel.atc": "99",
                "innhold.legemiddel.verifisert": "false",
                "handling": "lagre",
            },
        )
        assert r.status_code == 422
        assert re.search(
            r'id="felt-innhold.pasient_fodselsnummer-feil" data-feil-for="innhold.pasient_fodselsnummer">'
            r"Kontrollsifrene stemmer ikke.</p>",
            r.text,
        )
        assert (
            'id="felt-innhold.legemiddel.atc-feil" data-feil-for="innhold.legemiddel.atc">ATC-koden' in r.text
        )
        assert 'value="15838500003"' in r.text and 'value="99"' in r.text  # what was typed, shown again
        saved = (await soker.get(f"/api/soknader/{draft['id']}")).json()
        assert saved["innhold"] == {
            "dose": "1000 mg",
            "legemiddel": {"navn": "MabThera", "verifisert": False},
        }


async def test_without_javascript_a_conflict_shows_both_versions_and_the_user_chooses(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker, DemoClient(app, "hbe-soker2") as mona:
        draft = await new_draft(soker, {"begrunnelse": "Start.", "dose": "1000 mg"})
        await soker.send_json("POST", f"/api/soknader/{draft['id']}/medforfattere", {"user_id": "hbe-soker2"})
        page = (await soker.get(f"/s/{draft['id']}", headers=HTML)).text
        mine = {
            "versjon": hidden_input(page, "versjon"),
            "grunnlag": hidden_input(page, "grunnlag"),
            "innhold.begrunnelse": "Karis nye tekst.",
            "innhold.dose": "1000 mg",
            "innhold.stoppkriterier": "Ved attakk.",
        }
        r = await mona.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {"versjon": int(mine["versjon"]), "innhold": {"begrunnelse": "Monas tekst.", "dose": "500 mg"}},
        )
        assert r.status_code == 200

        r = await post_form(soker, f"/s/{draft['id']}", mine)
        assert r.status_code == 409
        text = html.unescape(r.text)
        assert "Noen andre har lagret en nyere versjon" in text
        assert 'Din tekst</h3><p class="svartekst">Karis nye tekst.</p>' in text
        assert re.search(
            r"Lagret av Mona Ruud kl\. \d\d:\d\d</h3><p class=\"svartekst\">Monas tekst\.</p>", text
        )
        assert 'name="konflikt.begrunnelse" value="min" checked' in text
        assert "Karis nye tekst.</textarea>" in text  # the user's text stays in the field
        assert (
            'name="innhold.dose" aria-describedby' in text and 'value="500 mg"' in text
        )  # only Mona changed it
        assert "dose" not in re.findall(r'name="konflikt\.(\w+)"', text)

        again = {
            **mine,
            "versjon": hidden_input(r.text, "versjon"),
            "grunnlag": hidden_input(r.text, "grunnlag"),
            "innhold.dose": "500 mg",
            "konflikt.begrunnelse": "lagret",
        }
        r = await post_form(soker, f"/s/{draft['id']}", again)
        assert r.status_code == 303
        saved = (await soker.get(f"/api/soknader/{draft['id']}")).json()["innhold"]
        assert (saved["begrunnelse"], saved["dose"], saved["stoppkriterier"]) == (
            "Monas tekst.",
            "500 mg",
            "Ved attakk.",
        )


# --- the trust's help texts --------------------------------------------------------------------------------


async def test_an_admin_changes_a_help_text_for_the_trust_and_others_cannot(app: FastAPI) -> None:
    local = "Ring sykehusapoteket på 55 97 00 00 for dosering til barn."
    async with DemoClient(app, "hbe-soker") as soker, DemoClient(app, "ous-soker") as ous:
        hbe_draft = await new_draft(soker)
        ous_draft = await new_draft(ous, enhet="OUS-NEVRO")
        default = help_text((await soker.get(f"/s/{hbe_draft['id']}", headers=HTML)).text, "dose")
        assert default.startswith("Dose per gang")

        assert (await soker.get("/admin/hjelpetekster", headers=HTML)).status_code == 403
        r = await post_form(
            soker, "/admin/hjelpetekster", {"versjon": "1", "sporsmal_id": "dose", "tekst.dose": "x"}
        )
        assert r.status_code == 403

        async with DemoClient(app, "hbe-admin") as admin:
            assert (await admin.get("/", headers=HTML)).headers["location"].endswith("/admin/hjelpetekster")
            page = (await admin.get("/admin/hjelpetekster", headers=HTML)).text
            assert page.count('name="sporsmal_id"') == 41 and "Standardteksten fra skjemaet." in page
            r = await post_form(
                admin, "/admin/hjelpetekster", {"versjon": "1", "sporsmal_id": "dose", "tekst.dose": " "}
            )
            assert r.status_code == 422 and "Skriv en hjelpetekst" in r.text
            r = await post_form(
                admin, "/admin/hjelpetekster", {"versjon": "1", "sporsmal_id": "dose", "tekst.dose": local}
            )
            assert r.status_code == 303
            page = (await admin.get(r.headers["location"], headers=HTML)).text
            assert "Hjelpeteksten er lagret." in page and "Tilpasset av Anne Lie" in page

        assert help_text((await soker.get(f"/s/{hbe_draft['id']}", headers=HTML)).text, "dose") == local
        assert help_text((await ous.get(f"/s/{ous_draft['id']}", headers=HTML)).text, "dose") == default

        async with DemoClient(app, "hbe-admin") as admin:
            r = await post_form(
                admin,
                "/admin/hjelpetekster",
                {"versjon": "1", "sporsmal_id": "dose", "handling": "tilbakestill"},
            )
            assert r.status_code == 303
        assert help_text((await soker.get(f"/s/{hbe_draft['id']}", headers=HTML)).text, "dose") == default


async def test_edits_are_not_merged_across_a_step_of_the_case(app: FastAPI, clock: Clock) -> None:
    start = clock.at
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await new_draft(soker, complete_innhold())
        clock.at = start + timedelta(minutes=1)
        r = await soker.send_json(
            "PUT", f"/api/soknader/{draft['id']}", {"versjon": 1, "innhold": {"dose": "5 mg"}}
        )
        clock.at = start + timedelta(minutes=2)
        assert (await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {})).status_code == 200
    async with DemoClient(app, "hbe-leder") as leder:
        clock.at = start + timedelta(minutes=3)
        returned = await leder.send_json(
            "POST", f"/api/soknader/{draft['id']}/retur", {"kommentar": "Skriv dosen per kilo."}
        )
        assert returned.status_code == 200, returned.text
    async with DemoClient(app, "hbe-soker") as soker:
        clock.at = start + timedelta(minutes=4)
        r = await soker.send_json(
            "PUT",
            f"/api/soknader/{draft['id']}",
            {"versjon": returned.json()["versjon"], "innhold": {"dose": "1 mg/kg"}},
        )
        assert r.status_code == 200, r.text
        lines = timeline_lines((await soker.get(f"/s/{draft['id']}", headers=HTML)).text)
    # The edit before sending stays before it; the fix after the return is a line of its own.
    sent = next(i for i, line in enumerate(lines) if "Sendt til forankring" in line)
    dose = [i for i, line in enumerate(lines) if "Endret " in line and "«Dose»" in line]
    assert len(dose) == 2 and dose[0] < sent < dose[1], lines
