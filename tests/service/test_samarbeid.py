"""Working together after sending, on the embedded default with soknad, vurdering and beslutning on one
in-process bus: delegation, return and re-send, questions and answers, withdrawal with confirmation,
notifications (exactly once, bell, mark read) and follow-up with due reminders."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from shared.events.base import EventContract
from shared.events.contracts import (
    ForankringDelegert,
    OppfolgingRegistrert,
    SoknadForankret,
    SoknadReturnert,
    SoknadSendt,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from shared.platform.auth.session import CSRF_FIELD
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from soknad.store.varsler import Varsel
from tests.service.test_soknad_api import COMPLETE  # the form's owner keeps it complete
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold
from tests.support.recording import record_events
from tests.support.waiting import wait_until
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings

PROBLEM = "application/problem+json"
TODAY = datetime.now(ZoneInfo("Europe/Oslo")).date()


@dataclass
class World:
    bus: MemoryBus
    soknad: FastAPI
    vurdering: FastAPI
    beslutning: FastAPI
    seen: list[Envelope] = field(default_factory=list)

    def events(self, contract: type[EventContract], subject: str | None = None) -> list[Envelope]:
        return [e for e in self.seen if e.type == contract.TYPE and subject in (None, e.subject)]

    async def settle(self) -> None:
        """Until every outbox is published and every consumer has handled what it got (three rounds,
        because handlers publish events of their own)."""
        for _ in range(3):
            for app in (self.soknad, self.vurdering, self.beslutning):
                await wait_until(partial(_outbox_empty, app))
            await self.bus.drain()

    async def varsler(self, user_id: str, kind: str | None = None) -> list[Varsel]:
        async with self.soknad.state.runtime.db.sessions() as session:
            query = select(Varsel).where(Varsel.user_id == user_id).order_by(Varsel.opprettet_at)
            if kind is not None:
                query = query.where(Varsel.kind == kind)
            return list(await session.scalars(query))

    async def outbox_envelopes(self, contract: type[EventContract]) -> list[Envelope]:
        outbox = self.soknad.state.runtime.tables.outbox
        async with self.soknad.state.runtime.db.sessions() as session:
            rows = await session.execute(
                select(outbox.c.envelope).where(outbox.c.event_type == contract.TYPE)
            )
            return [Envelope.model_validate_json(r.envelope) for r in rows]


async def _outbox_empty(app: FastAPI) -> bool:
    return bool(await app.state.runtime.backlog() == 0)


@pytest_asyncio.fixture
async def world(tmp_path: Any) -> AsyncIterator[World]:
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2, 0.4, 0.8, 1.6)))
    await bus.connect()
    # What the tests watch; also makes OppfolgingRegistrert routable (integrasjon is not running here).
    seen = await record_events(
        bus,
        [
            ("soknad.events", SoknadReturnert),
            ("soknad.events", ForankringDelegert),
            ("soknad.events", OppfolgingRegistrert),
            ("soknad.events", SoknadTrukket),
            ("soknad.events", TilleggsinformasjonBesvart),
        ],
    )
    common: dict[str, Any] = {"log_json": False, "outbox_poll_interval_s": 0.05}
    soknad = create_soknad(SoknadSettings(data_dir=tmp_path / "soknad", **common), bus=bus)
    vurdering = create_vurdering(VurderingSettings(data_dir=tmp_path / "vurdering", **common), bus=bus)
    beslutning = create_beslutning(BeslutningSettings(data_dir=tmp_path / "beslutning", **common), bus=bus)
    async with running(soknad), running(vurdering), running(beslutning):
        yield World(bus=bus, soknad=soknad, vurdering=vurdering, beslutning=beslutning, seen=seen)
    await bus.close()


# --- helpers ---------------------------------------------------------------------------------------


async def sent_case(
    soker: DemoClient, *, kategori: str = "off_label", medforfatter: str | None = None
) -> dict[str, Any]:
    r = await soker.send_json(
        "POST",
        "/api/soknader",
        {
            "type": "enkeltpasient",
            "kategori": kategori,
            "enhet": "HBE-NEVRO",
            "innhold": complete_innhold("enkeltpasient", kategori),
        },
    )
    assert r.status_code == 201, r.text
    soknad_id = r.json()["id"]
    if medforfatter:
        added = await soker.send_json(
            "POST", f"/api/soknader/{soknad_id}/medforfattere", {"user_id": medforfatter}
        )
        assert added.status_code == 200, added.text
    r = await soker.send_json("POST", f"/api/soknader/{soknad_id}/send", {})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def form(client: DemoClient, url: str, data: dict[str, str]) -> Any:
    return await client.post(url, data={CSRF_FIELD: await client.csrf(), **data})


async def anchor(leder: DemoClient, soknad_id: str) -> None:
    r = await form(
        leder,
        f"/s/{soknad_id}/forankre",
        {"begrunnelse": "Faglig og budsjettmessig enig.", "kostnadssted": "4100"},
    )
    assert r.status_code == 303, r.text


async def status_of(client: DemoClient, soknad_id: str) -> str:
    return str((await client.get(f"/api/soknader/{soknad_id}")).json()["status"])


def error_next_to(page: str, field_id: str) -> str:
    """The message rendered next to a field (`<p class="feilmelding" id="feil-…">`), unescaped."""
    match = re.search(rf'<p class="feilmelding" id="feil-{re.escape(field_id)}">([^<]*)</p>', page)
    assert match, f"no message next to {field_id}"
    return html.unescape(match.group(1))


def assert_problem(response: Any, status: int, field_name: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    if field_name:
        assert field_name in {e["field"] for e in body["errors"]}, body
    return body


async def decide(world: World, lopenummer: str, **vedtak: Any) -> None:
    async with DemoClient(world.beslutning, "hbe-fagdirektor") as direktor:

        async def waiting() -> dict[str, Any] | None:
            listed = (await direktor.get("/api/saker")).json()
            return next((s for s in listed if s["lopenummer"] == lopenummer), None)

        await wait_until(waiting)
        case = await waiting()
        assert case is not None
        r = await direktor.send_json("POST", f"/api/saker/{case['id']}/vedtak", vedtak)
        assert r.status_code == 201, r.text


async def send_to_committee(world: World, lopenummer: str) -> None:
    """The director's triage to the complete flow: only then is the case in the committee's queue."""
    async with DemoClient(world.beslutning, "hbe-fagdirektor") as direktor:

        async def waiting() -> dict[str, Any] | None:
            listed = (await direktor.get("/api/saker")).json()
            return next((s for s in listed if s["lopenummer"] == lopenummer), None)

        await wait_until(waiting)
        case = await waiting()
        assert case is not None
        frist = (datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=14)).isoformat()
        r = await direktor.send_json(
            "POST",
            f"/api/saker/{case['id']}/triage",
            {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": frist},
        )
        assert r.status_code == 200, r.text


# --- anchoring: delegate, return, re-send, anchor -------------------------------------------------------


async def test_delegating_moves_the_case_to_the_other_units_inbox_and_notifies_its_leader(
    world: World,
) -> None:
    async with DemoClient(world.soknad, "hbe-soker") as soker:
        case = await sent_case(soker)
    async with (
        DemoClient(world.soknad, "hbe-leder") as leder,
        DemoClient(world.soknad, "hbe-leder2") as leder2,
    ):
        inbox = await leder.get("/forankring")
        assert case["lopenummer"] in inbox.text and "Ventet" in inbox.text
        page = await leder.get(f"/s/{case['id']}")
        assert "Prioriteringskriteriene" in page.text and "Alvorlighet" in page.text
        assert "Deleger forankringen" in page.text

        # Bad input: no unit, the comment typed is kept; the unit it already is at.
        r = await form(
            leder, f"/s/{case['id']}/deleger", {"delegering_enhet": "", "delegering_kommentar": "Revma"}
        )
        assert r.status_code == 422
        assert error_next_to(r.text, "delegering_enhet") == "Velg enheten som skal overta forankringen."
        assert ">Revma</textarea>" in r.text
        r = await form(
            leder,
            f"/s/{case['id']}/deleger",
            {"delegering_enhet": "HBE-NEVRO", "delegering_kommentar": "Samme enhet"},
        )
        assert r.status_code == 422 and "allerede hos denne enheten" in error_next_to(
            r.text, "delegering_enhet"
        )
        api = await leder.send_json("POST", f"/api/soknader/{case['id']}/delegering", {"enhet": "HBE-REVMA"})
        assert_problem(api, 422, "kommentar")
        api = await leder.send_json(
            "POST",
            f"/api/soknader/{case['id']}/delegering",
            {"enhet": "OUS-BARN", "kommentar": "Annet foretak"},
        )
        assert_problem(api, 422, "enhet")

        r = await form(
            leder,
            f"/s/{case['id']}/deleger",
            {"delegering_enhet": "HBE-REVMA", "delegering_kommentar": "Revmatologisk problemstilling."},
        )
        assert r.status_code == 303
        await world.settle()

        assert case["lopenummer"] not in (await leder.get("/forankring")).text
        assert (await leder.get(f"/s/{case['id']}")).status_code == 404
        inbox2 = await leder2.get("/forankring")
        assert case["lopenummer"] in inbox2.text
        assert "Varsler (1 ulest)" in inbox2.text
        [varsel] = await world.varsler("hbe-leder2", "delegert")
        assert "Revmatologisk problemstilling." in varsel.tekst and varsel.soknad_id == case["id"]
        assert len(world.events(ForankringDelegert, case["lopenummer"])) == 1
        # The new leader can anchor it.
        await anchor(leder2, case["id"])
        assert await status_of(leder2, case["id"]) == "til_vurdering"


async def test_return_notifies_the_applicant_who_fixes_and_resends_and_the_leader_anchors(
    world: World,
) -> None:
    async with (
        DemoClient(world.soknad, "hbe-soker") as soker,
        DemoClient(world.soknad, "hbe-leder") as leder,
    ):
        case = await sent_case(soker, medforfatter="hbe-soker2")
        r = await form(leder, f"/s/{case['id']}/returner", {"kommentar": "  "})
        assert r.status_code == 422 and error_next_to(r.text, "kommentar") == "Skriv hva søkeren må rette."
        r = await form(leder, f"/s/{case['id']}/returner", {"kommentar": "Beskriv tidligere behandling."})
        assert r.status_code == 303
        await world.settle()

        [returned] = world.events(SoknadReturnert, case["lopenummer"])
        assert returned.data["kommentar"] == "Beskriv tidligere behandling."
        for user in ("hbe-soker", "hbe-soker2"):
            [varsel] = await world.varsler(user, "returnert")
            assert "Beskriv tidligere behandling." in varsel.tekst
        assert await status_of(soker, case["id"]) == "returnert"
        assert "Beskriv tidligere behandling." in (await soker.get(f"/s/{case['id']}")).text

        saved = (await soker.get(f"/api/soknader/{case['id']}")).json()
        fixed = {**COMPLETE, "begrunnelse": COMPLETE["begrunnelse"] + " Azatioprin i to år, attakker."}
        r = await soker.send_json(
            "PUT", f"/api/soknader/{case['id']}", {"versjon": saved["versjon"], "innhold": fixed}
        )
        assert r.status_code == 200, r.text
        r = await soker.send_json(
            "POST", f"/api/soknader/{case['id']}/send", {"versjon": r.json()["versjon"]}
        )
        assert r.status_code == 200 and r.json()["lopenummer"] == case["lopenummer"]

        # Anchoring: a missing cost centre keeps the justification typed.
        r = await form(
            leder, f"/s/{case['id']}/forankre", {"begrunnelse": "Nå komplett.", "kostnadssted": ""}
        )
        assert r.status_code == 422 and error_next_to(r.text, "kostnadssted") == "Oppgi kostnadssted."
        assert ">Nå komplett.</textarea>" in r.text
        await anchor(leder, case["id"])
        await world.settle()
        for user in ("hbe-soker", "hbe-soker2"):
            assert len(await world.varsler(user, "forankret")) == 1
        # The anchoring event names the co-author: beslutning lets them read the decision letter.
        [forankret] = [
            e for e in await world.outbox_envelopes(SoknadForankret) if e.subject == case["lopenummer"]
        ]
        assert forankret.data["medforfattere"] == ["hbe-soker2"]
        assert await status_of(soker, case["id"]) == "til_vurdering"


# --- more information ------------------------------------------------------------------------------------


async def test_a_question_reaches_the_applicant_and_the_answer_resumes_the_case_and_reaches_vurdering(
    world: World,
) -> None:
    async with DemoClient(world.soknad, "hbe-soker") as soker, DemoClient(world.soknad, "hbe-leder") as leder:
        case = await sent_case(soker, medforfatter="hbe-soker2")
        await anchor(leder, case["id"])
    await send_to_committee(world, case["lopenummer"])
    async with DemoClient(world.vurdering, "hbe-komite") as komite:

        async def sak() -> dict[str, Any] | None:
            listed = (await komite.get("/api/saker")).json()
            return next((s for s in listed if s["lopenummer"] == case["lopenummer"]), None)

        await wait_until(sak)
        sak_id = (await sak())["id"]  # type: ignore[index]
        asked = await komite.send_json(
            "POST",
            f"/api/saker/{sak_id}/tilleggsinformasjon",
            {"sporsmal": "Hvilken dose azatioprin, og hvor lenge?"},
        )
        assert asked.status_code == 201, asked.text
        sporsmal_id = asked.json()["id"]
        await world.settle()

        async with (
            DemoClient(world.soknad, "hbe-soker") as soker,
            DemoClient(world.soknad, "hbe-soker2") as medforfatter,
        ):
            assert await status_of(soker, case["id"]) == "tilleggsinfo_etterspurt"
            page = await medforfatter.get(f"/s/{case['id']}")
            assert "Vurderingen trenger mer informasjon" in page.text
            assert "Hvilken dose azatioprin, og hvor lenge?" in page.text
            for user in ("hbe-soker", "hbe-soker2"):
                assert len(await world.varsler(user, "tilleggsinfo")) == 1

            url = f"/s/{case['id']}/tilleggsinfo/{sporsmal_id}"
            r = await form(soker, url, {"svar": "   "})
            assert r.status_code == 422
            assert error_next_to(r.text, f"svar-{sporsmal_id}") == "Skriv svaret ditt før du sender."
            api = await soker.send_json(
                "POST", f"/api/soknader/{case['id']}/tilleggsinfo/{sporsmal_id}/svar", {"svar": ""}
            )
            assert_problem(api, 422, "svar")

            r = await form(soker, url, {"svar": "150 mg daglig i to år."})
            assert r.status_code == 303
            assert await status_of(soker, case["id"]) == "under_vurdering"
            # A co-author answering the same question afterwards keeps their text and is told why.
            r = await form(medforfatter, url, {"svar": "Mitt svar"})
            assert r.status_code == 409 and "allerede besvart" in r.text and ">Mitt svar</textarea>" in r.text
            await world.settle()

        assert len(world.events(TilleggsinformasjonBesvart, case["lopenummer"])) == 1
        full = (await komite.get(f"/api/saker/{sak_id}")).json()
        assert [q["svar"] for q in full["sporsmal"]] == ["150 mg daglig i to år."]


# --- withdrawal --------------------------------------------------------------------------------------------


async def test_withdrawal_asks_for_confirmation_and_tells_the_assessment(world: World) -> None:
    async with DemoClient(world.soknad, "hbe-soker") as soker, DemoClient(world.soknad, "hbe-leder") as leder:
        case = await sent_case(soker)
        await anchor(leder, case["id"])
        page = await soker.get(f"/s/{case['id']}")
        assert f'href="/s/{case["id"]}/trekk"' in page.text

        confirm = await soker.get(f"/s/{case['id']}/trekk")
        assert confirm.status_code == 200 and 'name="bekreft"' in confirm.text
        r = await form(soker, f"/s/{case['id']}/trekk/bekreft", {})
        assert r.status_code == 422
        assert error_next_to(r.text, "bekreft") == "Kryss av for å bekrefte at du vil trekke søknaden."
        assert await status_of(soker, case["id"]) == "til_vurdering"
        assert (await form(leder, f"/s/{case['id']}/trekk/bekreft", {"bekreft": "ja"})).status_code in (
            403,
            404,
        )

        r = await form(soker, f"/s/{case['id']}/trekk/bekreft", {"bekreft": "ja"})
        assert r.status_code == 303
        assert await status_of(soker, case["id"]) == "trukket"
        await world.settle()
    assert len(world.events(SoknadTrukket, case["lopenummer"])) == 1
    async with DemoClient(world.vurdering, "hbe-komite") as komite:
        listed = (await komite.get("/api/saker")).json()
        assert [s["status"] for s in listed if s["lopenummer"] == case["lopenummer"]] == ["trukket"]


# --- notifications --------------------------------------------------------------------------------------


async def test_every_notification_kind_is_created_once_even_when_the_event_comes_twice(world: World) -> None:
    async with DemoClient(world.soknad, "hbe-soker") as soker, DemoClient(world.soknad, "hbe-leder") as leder:
        case = await sent_case(soker, medforfatter="hbe-soker2")
        # Until `send` publishes SoknadSendt itself, the test does, to prove the consumer.
        sendt = SoknadSendt(
            soknad_id=case["id"],
            lopenummer=case["lopenummer"],
            enhet="HBE-NEVRO",
            soker_id="hbe-soker",
            soker_navn="Kari Nordmann",
            sendt_at=case["sendt_at"],
        )
        envelope = Envelope(
            source="/hf/HBE/soknad",
            type=SoknadSendt.TYPE,
            subject=case["lopenummer"],
            hf="HBE",
            correlationid="t",
            data=sendt.model_dump(mode="json"),
        )
        crafted = not await world.outbox_envelopes(SoknadSendt)
        if crafted:
            await world.bus.publish(envelope, exchange="soknad.events")
        await form(leder, f"/s/{case['id']}/returner", {"kommentar": "Mangler dose."})
        await world.settle()
        r = await soker.send_json("POST", f"/api/soknader/{case['id']}/send", {})
        assert r.status_code == 200, r.text
        await form(
            leder,
            f"/s/{case['id']}/deleger",
            {"delegering_enhet": "HBE-REVMA", "delegering_kommentar": "Til revma."},
        )
        async with DemoClient(world.soknad, "hbe-leder2") as leder2:
            await anchor(leder2, case["id"])
        await world.settle()
    await send_to_committee(world, case["lopenummer"])
    await world.settle()
    async with DemoClient(world.vurdering, "hbe-komite") as komite:
        sak = next(
            s for s in (await komite.get("/api/saker")).json() if s["lopenummer"] == case["lopenummer"]
        )
        asked = await komite.send_json(
            "POST", f"/api/saker/{sak['id']}/tilleggsinformasjon", {"sporsmal": "Vekt?"}
        )
        await world.settle()
        # The case waits for the answer before the committee can recommend.
        async with DemoClient(world.soknad, "hbe-soker") as soker:
            svar = await soker.send_json(
                "POST",
                f"/api/soknader/{case['id']}/tilleggsinfo/{asked.json()['id']}/svar",
                {"svar": "72 kg."},
            )
            assert svar.status_code in (200, 201), svar.text
        await world.settle()
        anbefalt = await komite.send_json(
            "POST",
            f"/api/saker/{sak['id']}/anbefaling",
            {
                "anbefaling": "innvilge",
                "begrunnelse": "Godt dokumentert.",
                "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
            },
        )
        assert anbefalt.status_code in (200, 201), anbefalt.text
    await world.settle()
    await decide(
        world,
        case["lopenummer"],
        utfall="innvilget",
        begrunnelse="Innvilget.",
        evalueringsdato=(TODAY + timedelta(days=90)).isoformat(),
    )
    await world.settle()

    # Deliver every event that made a notification a second time, as a broker may after a lost ack.
    again: list[tuple[Envelope, str]] = [(envelope, "soknad.events")] if crafted else []
    again += [(e, "soknad.events") for e in await world.outbox_envelopes(SoknadSendt)]
    sendt_count = len(again)
    for contract in (SoknadReturnert, ForankringDelegert, SoknadForankret):
        again += [(e, "soknad.events") for e in await world.outbox_envelopes(contract)]
    foreign: list[tuple[FastAPI, type[EventContract], str]] = [
        (world.vurdering, TilleggsinformasjonEtterspurt, "vurdering.events"),
        (world.beslutning, VedtakFattet, "beslutning.events"),
    ]
    for app, produced, exchange in foreign:
        outbox = app.state.runtime.tables.outbox
        async with app.state.runtime.db.sessions() as session:
            rows = await session.execute(
                select(outbox.c.envelope).where(outbox.c.event_type == produced.TYPE)
            )
            again += [(Envelope.model_validate_json(r.envelope), exchange) for r in rows]
    assert len(again) == sendt_count + 5
    for env, exchange in again:
        await world.bus.publish(env, exchange=exchange)
    await world.settle()

    expected = {
        "hbe-leder": ["sendt"] * sendt_count,
        "hbe-leder2": ["delegert", "vedtak"],
        "hbe-soker": ["returnert", "forankret", "tilleggsinfo", "vedtak"],
        "hbe-soker2": ["returnert", "forankret", "tilleggsinfo", "vedtak"],
    }
    for user, kinds in expected.items():
        got = sorted(v.kind for v in await world.varsler(user) if v.soknad_id == case["id"])
        assert got == sorted(kinds), (user, got)


async def test_the_bell_counts_unread_and_notifications_are_marked_read(world: World) -> None:
    async with DemoClient(world.soknad, "hbe-soker") as soker, DemoClient(world.soknad, "hbe-leder") as leder:
        first = await sent_case(soker)
        second = await sent_case(soker)
        assert "Varsler (ingen uleste)" in (await soker.get(f"/s/{first['id']}")).text
        await form(leder, f"/s/{first['id']}/returner", {"kommentar": "Første retur."})
        await form(leder, f"/s/{second['id']}/returner", {"kommentar": "Andre retur."})
        await world.settle()

        page = await soker.get(f"/s/{first['id']}")
        assert "Varsler (2 uleste)</a>" in page.text
        listing = await soker.get("/varsler")
        assert listing.text.index("Andre retur.") < listing.text.index("Første retur.")  # newest first
        api = (await soker.get("/api/varsler")).json()
        assert api["uleste"] == 2 and [v["lopenummer"] for v in api["varsler"]] == [
            second["lopenummer"],
            first["lopenummer"],
        ]

        # A GET (an old link) leads to the case but changes nothing; opening from the list is a POST.
        oldest = api["varsler"][1]["id"]
        followed = await soker.get(f"/varsler/{oldest}")
        assert followed.status_code == 303 and followed.headers["location"].endswith(f"/s/{first['id']}")
        assert (await soker.get("/api/varsler")).json()["uleste"] == 2
        listing = await soker.get("/varsler")
        assert f'<form method="post" action="/varsler/{oldest}">' in listing.text
        assert f'href="/varsler/{oldest}"' not in listing.text
        forged = await soker.post(f"/varsler/{oldest}")
        assert forged.status_code == 403  # no CSRF token: nothing marked
        assert (await soker.get("/api/varsler")).json()["uleste"] == 2
        opened = await form(soker, f"/varsler/{oldest}", {})
        assert opened.status_code == 303 and opened.headers["location"].endswith(f"/s/{first['id']}")
        assert "Varsler (1 ulest)" in (await soker.get("/varsler")).text

        # Someone else's notification: not found, and not marked.
        r = await leder.send_json("POST", f"/api/varsler/{api['varsler'][0]['id']}/lest")
        assert_problem(r, 404)
        r = await soker.send_json("POST", f"/api/varsler/{api['varsler'][0]['id']}/lest")
        assert r.status_code == 200 and r.json()["lest_at"]
        assert (await soker.get("/api/varsler")).json()["uleste"] == 0

        r = await soker.send_json("POST", f"/api/soknader/{first['id']}/send", {})
        assert r.status_code == 200, r.text
        await form(leder, f"/s/{first['id']}/returner", {"kommentar": "Tredje retur."})
        await world.settle()
        assert (await soker.get("/api/varsler")).json()["uleste"] == 1
        done = await form(soker, "/varsler/lest", {})
        assert done.status_code == 303
        assert "Varsler (ingen uleste)" in (await soker.get("/varsler")).text


# --- follow-up -------------------------------------------------------------------------------------------


OPPFOLGING = {"effekt": "god", "bivirkninger": False, "fortsetter": True, "begrunnelse": "Attakkfri."}


async def test_follow_up_after_approval_with_due_reminders(world: World) -> None:
    async with DemoClient(world.soknad, "hbe-soker") as soker, DemoClient(world.soknad, "hbe-leder") as leder:
        case = await sent_case(soker)
        url = f"/api/soknader/{case['id']}/oppfolging"
        before = assert_problem(await soker.send_json("POST", url, OPPFOLGING), 409)
        assert "innvilget" in before["detail"]
        await anchor(leder, case["id"])
        await world.settle()
        page = await form(
            soker, f"/s/{case['id']}/oppfolging", {"effekt": "god", "bivirkninger": "nei", "fortsetter": "ja"}
        )
        assert page.status_code == 409 and "innvilget" in page.text

        await decide(
            world,
            case["lopenummer"],
            utfall="innvilget_med_vilkar",
            begrunnelse="Innvilget.",
            vilkar="Evaluer etter ti dager.",
            evalueringsdato=(TODAY + timedelta(days=10)).isoformat(),
        )
        await world.settle()
        assert await status_of(soker, case["id"]) == "vedtatt"

        # Due within 14 days: loading the start pages shows it and notifies each person once.
        for _ in range(2):
            mine = await soker.get("/")
            assert mine.status_code == 200
            assert "Evaluering forfaller" in mine.text and case["lopenummer"] in mine.text
            inbox = await leder.get("/forankring")
            assert "Evaluering forfaller" in inbox.text and case["lopenummer"] in inbox.text
        assert len(await world.varsler("hbe-soker", "oppfolging_forfaller")) == 1
        assert len(await world.varsler("hbe-leder", "oppfolging_forfaller")) == 1
        [due] = [
            v
            for v in (await soker.get("/api/varsler")).json()["varsler"]
            if v["kind"] == "oppfolging_forfaller"
        ]
        opened = await form(soker, f"/varsler/{due['id']}", {})
        assert opened.headers["location"].endswith(f"/s/{case['id']}/oppfolging")

        # Bad input: the API names the field, the page puts the message next to it and keeps the text.
        assert_problem(await soker.send_json("POST", url, {**OPPFOLGING, "effekt": "super"}), 422, "effekt")
        assert_problem(
            await soker.send_json("POST", url, {**OPPFOLGING, "bivirkninger": True}),
            422,
            "bivirkninger_beskrivelse",
        )
        assert_problem(
            await soker.send_json("POST", url, {**OPPFOLGING, "fortsetter": False, "begrunnelse": ""}),
            422,
            "begrunnelse",
        )
        page = await form(
            soker,
            f"/s/{case['id']}/oppfolging",
            {
                "effekt": "",
                "bivirkninger": "ja",
                "bivirkninger_beskrivelse": "",
                "fortsetter": "nei",
                "begrunnelse": "Pasienten ønsket pause.",
            },
        )
        assert page.status_code == 422
        assert error_next_to(page.text, "effekt") == "Velg hvilken effekt behandlingen har hatt."
        assert error_next_to(page.text, "bivirkninger_beskrivelse") == "Beskriv bivirkningene."
        assert ">Pasienten ønsket pause.</textarea>" in page.text

        async with DemoClient(world.soknad, "ous-soker") as ous:
            assert_problem(await ous.send_json("POST", url, OPPFOLGING), 404)
        assert_problem(await leder.send_json("POST", url, OPPFOLGING), 403)

        r = await soker.send_json("POST", url, OPPFOLGING)
        assert r.status_code == 201, r.text
        r = await form(
            soker,
            f"/s/{case['id']}/oppfolging",
            {
                "effekt": "delvis",
                "bivirkninger": "ja",
                "bivirkninger_beskrivelse": "Infusjonsreaksjon.",
                "bivirkningsgrad": "moderat",
                "fortsetter": "nei",
                "avslutningsarsak": "bivirkninger",
                "begrunnelse": "Avsluttet etter reaksjon.",
            },
        )
        assert r.status_code == 303
        await world.settle()
        published = world.events(OppfolgingRegistrert, case["lopenummer"])
        assert [(e.data["effekt"], e.data["bivirkninger"], e.data["fortsetter"]) for e in published] == [
            ("god", False, True),
            ("delvis", True, False),
        ]
        assert all(
            "begrunnelse" not in e.data and "bivirkninger_beskrivelse" not in e.data for e in published
        )
        history = (await soker.get(url)).json()
        assert [h["effekt"] for h in history] == ["delvis", "god"]
        assert "Evaluering forfaller" not in (await leder.get("/forankring")).text
        assert len(await world.varsler("hbe-leder", "oppfolging_forfaller")) == 1

        refused = await sent_case(soker)
        await anchor(leder, refused["id"])
        await world.settle()
        await decide(world, refused["lopenummer"], utfall="avslatt", begrunnelse="Avslått.")
        await world.settle()
        body = assert_problem(
            await soker.send_json("POST", f"/api/soknader/{refused['id']}/oppfolging", OPPFOLGING), 409
        )
        assert "innvilgede" in body["detail"]


async def test_other_services_link_to_the_notifications(world: World) -> None:
    async with DemoClient(world.vurdering, "hbe-leder") as leder:
        page = await leder.get("/")
        assert 'href="/soknad/varsler"' in page.text
    async with DemoClient(world.soknad, "hbe-soker") as soker:
        page = await soker.get("/varsler")
        assert "Varsler (ingen uleste)" in page.text and "Du har ingen varsler." in page.text
