"""The committee's workbench in vurdering, in-process on SQLite and the in-process bus: the director's
triage gates the queue, the case page renders the whole application with comment threads per section,
notes stay private until shared, each member's assessment autosaves with versions, a conflicted member
is kept out, the recommendation carries every member's view, a question to the applicant waits for and
shows the answer, deadlines order the queue, the precedent panel survives a missing `oversikt`, and an
external consultant reads the case without the patient's identity, only while the link lasts."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select, update

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.domain.kalender import oslo_date
from shared.events.base import EventContract
from shared.events.common import (
    Feltvisning,
    Forankring,
    Indikasjon,
    Komitemedlem,
    Legemiddel,
    Pasient,
    Seksjonsvisning,
)
from shared.events.contracts import (
    AnbefalingAvgitt,
    SakSendtTilKomite,
    SoknadForankret,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    TilleggsinformasjonEtterspurtAvFagdirektor,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.events.envelope import Envelope
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from shared.platform.web.templating import format_date
from tests.support.apps import DemoClient, running
from tests.support.recording import record_events
from tests.support.waiting import wait_until
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings
from vurdering.store import Konsultasjon
from vurdering.store import Sak as VurderingSak

PROBLEM = "application/problem+json"
TODAY = oslo_date(datetime.now(UTC))
BORN = date(1985, 3, 15)
FNR = synthetic_fodselsnummer(BORN, sex="kvinne")
PASIENT_NAVN = "Testa Testesen"
SECOND_MEMBER = "hbe-controller"  # made a committee member in the directory by the fixture


@dataclass
class Komite:
    bus: MemoryBus
    app: FastAPI
    seen: list[Envelope] = field(default_factory=list)

    def events(self, contract: type[EventContract], subject: str) -> list[Envelope]:
        return [e for e in self.seen if e.type == contract.TYPE and e.subject == subject]


PRESEDENS_SVAR: dict[str, Any] = {
    "virkestoff": "rituksimab",
    "atc": "L01FA01",
    "icd10": "G35",
    "icd10_kategori": "G35",
    "prikkegrense": 5,
    "per_hf": [
        {
            "hf": "OUS",
            "hf_navn": "Oslo universitetssykehus",
            "rhf": "HSO",
            "innvilget": 12,
            "innvilget_med_vilkar": "<5",
            "avslatt": 0,
        }
    ],
    "gruppevedtak": [
        {
            "lopenummer": "OUS-2025-000007",
            "hf": "OUS",
            "hf_navn": "Oslo universitetssykehus",
            "legemiddel_navn": "MabThera",
            "virkestoff": "rituksimab",
            "atc": "L01FA01",
            "icd10_kode": "G35",
            "icd10_tekst": "Multippel sklerose",
            "utfall": "innvilget_med_vilkar",
            "vedtak_maned": "2025-03",
            "dekker_koden": True,
        }
    ],
}


def _oversikt_stub(request: httpx.Request) -> httpx.Response:
    assert request.url.path.endswith("/api/presedens")
    return httpx.Response(200, json=PRESEDENS_SVAR)


async def _start(tmp_path: Any, oversikt: httpx.AsyncClient | None) -> AsyncIterator[Komite]:
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2, 0.4, 0.8, 1.6)))
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    await bus.declare_exchange("beslutning.events")
    seen = await record_events(
        bus, [("vurdering.events", AnbefalingAvgitt), ("vurdering.events", TilleggsinformasjonEtterspurt)]
    )
    settings = VurderingSettings(data_dir=tmp_path / "vurdering", log_json=False, outbox_poll_interval_s=0.05)
    app = create_vurdering(settings, bus=bus, oversikt=oversikt)
    async with running(app):
        katalog = app.state.runtime.katalog
        await katalog.legg_til_komite(DEMO_USERS["hbe-admin"], user_id=SECOND_MEMBER)
        yield Komite(bus=bus, app=app, seen=seen)
    await bus.close()


@pytest_asyncio.fixture
async def komite(tmp_path: Any) -> AsyncIterator[Komite]:
    async for k in _start(tmp_path, None):
        yield k


@pytest_asyncio.fixture
async def komite_med_oversikt(tmp_path: Any) -> AsyncIterator[Komite]:
    stub = httpx.AsyncClient(transport=httpx.MockTransport(_oversikt_stub), base_url="http://oversikt")
    async for k in _start(tmp_path, stub):
        yield k


def seksjoner(dose: str = "1000 mg to ganger med 14 dagers mellomrom") -> list[Seksjonsvisning]:
    return [
        Seksjonsvisning(
            id="pasient",
            tittel="Pasient",
            felt=[
                Feltvisning(id="pasient_fodselsnummer", etikett="Fødselsnummer", svar=FNR),
                Feltvisning(id="pasient_navn", etikett="Navn", svar=PASIENT_NAVN),
            ],
        ),
        Seksjonsvisning(
            id="legemiddel",
            tittel="Legemiddel og dosering",
            felt=[
                Feltvisning(id="legemiddel", etikett="Legemiddel", svar="MabThera – rituksimab (L01FA01)"),
                Feltvisning(id="dosering", etikett="Dose og intervall", svar=dose),
            ],
        ),
        Seksjonsvisning(
            id="tidligere_behandling",
            tittel="Tidligere behandling og alternativer",
            felt=[
                Feltvisning(
                    id="tidligere",
                    etikett="Tidligere behandling",
                    svar=f"Testa har brukt interferon og natalizumab; {PASIENT_NAVN} (født 15.03.1985) "
                    "fikk attakker. Testesens fastlege (pasienten er f. 15. mars 1985, 15.03.85) "
                    "henviste.",
                )
            ],
        ),
        Seksjonsvisning(
            id="evaluering",
            tittel="Evaluering og oppfølging",
            felt=[
                Feltvisning(
                    id="stoppregel", etikett="Stoppregel", svar="Stopp ved nye attakker etter 12 måneder."
                )
            ],
        ),
    ]


def forankret(**overrides: Any) -> SoknadForankret:
    now = datetime.now(UTC)
    data: dict[str, Any] = {
        "soknad_id": str(uuid.uuid4()),
        "lopenummer": f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}",
        "hf": "HBE",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "soker_id": "hbe-soker",
        "soker_navn": "Kari Nordmann",
        "pasient": Pasient(fodselsnummer=FNR, navn=PASIENT_NAVN, fodselsdato=BORN, kjonn="kvinne"),
        "legemiddel": Legemiddel(
            navn="MabThera inf kons 10 mg/ml", virkestoff="rituksimab", atc="L01FA01", verifisert=True
        ),
        "indikasjon": Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        "begrunnelse": "Attakker tross to linjer sykdomsmodifiserende behandling.",
        "estimert_kostnad_nok": 120_000,
        "sendt_at": now - timedelta(days=2),
        "forankret_at": now,
        "forankring": Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Enig.", kostnadssted="4100"
        ),
        "skjema_versjon": 1,
        "svar": {"dosering": "1000 mg"},
        "visning": seksjoner(),
    }
    data.update(overrides)
    return SoknadForankret(**data)


def envelope_of(event: EventContract, *, subject: str, source: str) -> Envelope:
    return Envelope(
        source=source,
        type=event.TYPE,
        hf="HBE",
        subject=subject,
        correlationid="t",
        data=event.model_dump(mode="json"),
    )


async def publish(k: Komite, event: EventContract, *, subject: str, exchange: str) -> None:
    source = f"/hf/HBE/{exchange.split('.')[0]}"
    await k.bus.publish(envelope_of(event, subject=subject, source=source), exchange=exchange)


async def anchor(k: Komite, event: SoknadForankret) -> None:
    await publish(k, event, subject=event.lopenummer, exchange="soknad.events")


BOTH_MEMBERS = (("hbe-komite", "Ingrid Berg"), (SECOND_MEMBER, "Siri Dahl"))


async def send_to_committee(
    k: Komite,
    event: SoknadForankret,
    *,
    frist: date | None = None,
    medlemmer: tuple[tuple[str, str], ...] = BOTH_MEMBERS,
) -> None:
    sendt = SakSendtTilKomite(
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        medlemmer=[Komitemedlem(id=i, navn=n) for i, n in medlemmer],
        frist=frist or TODAY + timedelta(days=14),
        merknad="Se særlig på stoppregelen.",
        sendt_av="hbe-fagdirektor",
        sendt_av_navn="Lars Haugen",
        sendt_at=datetime.now(UTC),
    )
    await publish(k, sendt, subject=event.lopenummer, exchange="beslutning.events")


async def stored(k: Komite, event: SoknadForankret, *, status: str | None = None) -> str:
    db = k.app.state.runtime.db
    found: list[str] = []

    async def arrived() -> bool:
        async with db.unit_of_work() as uow:
            row = (
                await uow.session.execute(
                    select(VurderingSak.id, VurderingSak.status).where(
                        VurderingSak.soknad_id == event.soknad_id
                    )
                )
            ).first()
        if row is None or (status is not None and row.status != status):
            return False
        found.append(row.id)
        return True

    await wait_until(arrived)
    return found[-1]


async def ready_case(k: Komite, **overrides: Any) -> tuple[SoknadForankret, str]:
    event = forankret(**overrides)
    await anchor(k, event)
    await send_to_committee(k, event)
    return event, await stored(k, event, status="til_vurdering")


def assert_problem(response: httpx.Response, status: int, *fields: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    if fields:
        assert {e["field"] for e in body["errors"]} >= set(fields), body
    return body


async def listed(client: DemoClient, lopenummer: str) -> dict[str, Any] | None:
    response = await client.get("/api/saker")
    assert response.status_code == 200, response.text
    return next((s for s in response.json() if s["lopenummer"] == lopenummer), None)


COMPLETE = {
    "alvorlighet": "3",
    "alvorlighet_begrunnelse": "Hyppige attakker med funksjonstap.",
    "nytte": "2",
    "nytte_begrunnelse": "Observasjonsstudier viser færre attakker.",
    "ressursbruk": "2",
    "ressursbruk_begrunnelse": "Lavere kostnad enn godkjente alternativer.",
    "evidenskvalitet": "2",
    "sikkerhet": "Infusjonsreaksjoner; følg immunglobuliner.",
    "alternativer": "Godkjente alternativer er prøvd; ingen aktuell studie.",
    "nye_metoder_status": "Dekket av gruppevedtak fra 2019.",
    "kostnad_budsjett": "Om lag 120 000 kr per år, kostnadssted 4100.",
    "anbefaling": "innvilge_med_vilkar",
}


RECOMMENDATION = {
    "anbefaling": "innvilge",
    "begrunnelse": "Alvorlig sykdom, moderat dokumentasjon.",
    "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
}


# --- triage ------------------------------------------------------------------------------------------


async def test_a_case_enters_the_committees_queue_only_when_the_director_sends_it(komite: Komite) -> None:
    event = forankret()
    await anchor(komite, event)
    sak_id = await stored(komite, event, status="venter_pa_triage")
    async with DemoClient(komite.app, "hbe-komite") as k:
        assert await listed(k, event.lopenummer) is None
        refused = await k.send_json(
            "POST", f"/api/saker/{sak_id}/kommentarer", {"seksjon_id": "legemiddel", "tekst": "Dosen?"}
        )
        assert "ikke sendt saken til komiteen" in assert_problem(refused, 409)["detail"]
        waiting = await k.get(f"/sak/{sak_id}")
        assert (
            waiting.status_code == 200
            and "Fagdirektøren har ikke sendt saken til komiteen ennå." in waiting.text
        )
        assert 'name="innhold.nytte"' not in waiting.text and "Legg til kommentar" not in waiting.text

        await send_to_committee(komite, event, frist=TODAY + timedelta(days=10))
        await stored(komite, event, status="til_vurdering")
        case = await listed(k, event.lopenummer)
        assert case is not None and case["frist"] == (TODAY + timedelta(days=10)).isoformat()
        assert case["forfalt"] is False

        varsler = await k.get("/varsler")
        assert f"Du er tildelt sak {event.lopenummer}" in varsler.text
        assert "1 ulest" in (await k.get("/")).text


async def test_a_triage_that_overtakes_the_anchoring_is_retried(komite: Komite) -> None:
    event = forankret()
    await send_to_committee(komite, event)
    await anchor(komite, event)
    await stored(komite, event, status="til_vurdering")


# --- the whole application, comments, notes ---------------------------------------------------------


async def test_the_case_page_renders_the_whole_application_with_threads_per_section(komite: Komite) -> None:
    _, sak_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k:
        page = await k.get(f"/sak/{sak_id}")
        assert page.status_code == 200
        for text in (
            "Deler av søknaden",
            "Legemiddel og dosering",
            "1000 mg to ganger",
            "Stoppregel",
            "Ingrid Berg",
            "Siri Dahl",
            "Se særlig på stoppregelen.",
        ):
            assert text in page.text, text
        assert 'href="#sv-legemiddel"' in page.text

        token = await k.csrf()
        blank = await k.post(
            f"/sak/{sak_id}/kommentar", data={"csrf_token": token, "seksjon_id": "legemiddel", "tekst": " "}
        )
        assert blank.status_code == 422 and "Skriv kommentaren før du lagrer den." in blank.text
        bad = await k.send_json(
            "POST", f"/api/saker/{sak_id}/kommentarer", {"seksjon_id": "finnes_ikke", "tekst": "Hei"}
        )
        assert_problem(bad, 422, "seksjon_id")
        assert_problem(
            await k.send_json("POST", f"/api/saker/{sak_id}/kommentarer", {"seksjon_id": "legemiddel"}),
            422,
            "tekst",
        )

        first = await k.post(
            f"/sak/{sak_id}/kommentar",
            data={"csrf_token": token, "seksjon_id": "legemiddel", "tekst": "Er dosen vanlig for MS?"},
        )
        assert first.status_code == 303
        comment_id = (
            await k.send_json(
                "POST",
                f"/api/saker/{sak_id}/kommentarer",
                {"seksjon_id": "evaluering", "tekst": "Stoppregelen er tydelig."},
            )
        ).json()["id"]

    async with DemoClient(komite.app, SECOND_MEMBER) as other:
        reply = await other.send_json(
            "POST",
            f"/api/saker/{sak_id}/kommentarer",
            {"seksjon_id": "evaluering", "tekst": "Enig.", "svar_pa": comment_id},
        )
        assert reply.status_code == 201 and reply.json()["svar_pa_id"] == comment_id
        text = (await other.get(f"/sak/{sak_id}")).text
        assert "Er dosen vanlig for MS?" in text and "Stoppregelen er tydelig." in text and "Enig." in text
        assert text.index("Stoppregelen er tydelig.") < text.index("Enig.")
        assert "Svar på kommentaren fra Ingrid Berg" in text

    # The applicant and the leader have no way in: no page, no API, no comment.
    for user in ("hbe-soker", "hbe-leder"):
        async with DemoClient(komite.app, user) as outsider:
            assert (await outsider.get(f"/sak/{sak_id}")).status_code == 403
            assert (await outsider.get(f"/api/saker/{sak_id}")).status_code == 403
            assert (await outsider.get("/")).status_code == 403
            assert "Er dosen vanlig" not in (await outsider.get(f"/sak/{sak_id}")).text
    async with DemoClient(komite.app, "ous-komite") as ous:
        assert (await ous.get(f"/sak/{sak_id}")).status_code == 404
        assert (await ous.get(f"/api/saker/{sak_id}")).status_code == 404


async def test_preparation_notes_are_private_until_shared(komite: Komite) -> None:
    _, sak_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k, DemoClient(komite.app, SECOND_MEMBER) as other:
        token = await k.csrf()
        saved = await k.post(
            f"/sak/{sak_id}/notat", data={"csrf_token": token, "notat": "Sjekk MS-registeret først."}
        )
        assert saved.status_code == 303
        assert "Sjekk MS-registeret først." in (await k.get(f"/sak/{sak_id}")).text
        assert "Sjekk MS-registeret først." not in (await other.get(f"/sak/{sak_id}")).text
        async with DemoClient(komite.app, "hbe-fagdirektor") as direktor:
            assert "Sjekk MS-registeret først." not in (await direktor.get(f"/sak/{sak_id}")).text

        stale = await k.post(
            f"/sak/{sak_id}/notat", data={"csrf_token": token, "notat": "Ny tekst", "notat_versjon": "7"}
        )
        assert stale.status_code == 409 and "Ny tekst" in stale.text  # nothing typed is lost
        shared = await k.post(
            f"/sak/{sak_id}/notat",
            data={
                "csrf_token": token,
                "notat": "Sjekk MS-registeret først.",
                "delt": "ja",
                "notat_versjon": "1",
            },
        )
        assert shared.status_code == 303
        page = (await other.get(f"/sak/{sak_id}")).text
        assert "Delt av andre" in page and "Sjekk MS-registeret først." in page


# --- the structured assessment, conflicts, recommendation ------------------------------------------


async def test_each_member_autosaves_and_submits_an_assessment_that_the_recommendation_carries(
    komite: Komite,
) -> None:
    event, sak_id = await ready_case(komite)
    url = f"/api/saker/{sak_id}/vurdering"
    async with DemoClient(komite.app, "hbe-komite") as k:
        page = (await k.get(f"/sak/{sak_id}")).text
        assert 'data-autosave-url="' in page and "autosave.js" in page
        assert "Godkjent behandling (on-label)" in page  # help text beside the fields

        first = await k.send_json(
            "PUT", url, {"versjon": 0, "innhold": {"alvorlighet": "3", "sikkerhet": "Infusjonsreaksjoner."}}
        )
        assert first.status_code == 200 and first.json()["versjon"] == 1
        assert_problem(
            await k.send_json("PUT", url, {"versjon": 1, "innhold": {"nytte": "5"}}), 422, "innhold.nytte"
        )
        assert_problem(
            await k.send_json("PUT", url, {"versjon": 1, "innhold": {"ukjent": "x"}}), 422, "innhold.ukjent"
        )
        second = await k.send_json("PUT", url, {"versjon": 1, "innhold": {"nytte": "2"}})
        assert second.json()["versjon"] == 2
        stale = assert_problem(await k.send_json("PUT", url, {"versjon": 1, "innhold": {"nytte": "1"}}), 409)
        assert stale["lagret_versjon"] == 2 and stale["lagret_innhold"]["nytte"] == 2
        assert (await k.get(url)).json()["innhold"] == {
            "alvorlighet": 3,
            "sikkerhet": "Infusjonsreaksjoner.",
            "nytte": 2,
        }

        incomplete = assert_problem(await k.send_json("POST", f"{url}/levering", {}), 422)
        assert "innhold.alvorlighet_begrunnelse" in {e["field"] for e in incomplete["errors"]}
        await k.send_json("PUT", url, {"versjon": 2, "innhold": COMPLETE})
        levert = await k.send_json("POST", f"{url}/levering", {})
        assert levert.status_code == 200 and levert.json()["levert_at"]

    async with DemoClient(komite.app, SECOND_MEMBER) as other:
        # Without JavaScript: the whole form posted, then submitted.
        token = await other.csrf()
        form = {
            "csrf_token": token,
            "versjon": "0",
            "handling": "levere",
            **{f"innhold.{n}": v for n, v in COMPLETE.items()},
        }
        form["innhold.anbefaling"] = "avsla"
        done = await other.post(f"/sak/{sak_id}/vurdering", data=form)
        assert done.status_code == 303, done.text
        page = (await other.get(f"/sak/{sak_id}")).text
        assert "Ingrid Berg" in page and "levert" in page and "Hyppige attakker med funksjonstap." in page

        recommended = await other.send_json(
            "POST",
            f"/api/saker/{sak_id}/anbefaling",
            {
                "anbefaling": "innvilge_med_vilkar",
                "begrunnelse": "Samlet: alvorlig sykdom, moderat dokumentasjon.",
                "vilkar": "Evaluering etter seks måneder.",
                "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
            },
        )
        assert recommended.status_code == 200, recommended.text
    await wait_until(lambda: komite.events(AnbefalingAvgitt, event.lopenummer))
    data = komite.events(AnbefalingAvgitt, event.lopenummer)[0].data
    views = {m["medlem_navn"]: m for m in data["medlemsvurderinger"]}
    assert set(views) == {"Ingrid Berg", "Siri Dahl"}
    assert views["Ingrid Berg"]["alvorlighet_begrunnelse"] == "Hyppige attakker med funksjonstap."
    assert views["Siri Dahl"]["anbefaling"] == "avsla" and views["Siri Dahl"]["levert_at"]
    assert data["avgitt_av_navn"] == "Siri Dahl" and data["vilkar"] == "Evaluering etter seks måneder."


async def test_a_member_who_declares_a_conflict_cannot_assess_or_recommend(komite: Komite) -> None:
    event, sak_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k:
        assert_problem(
            await k.send_json("POST", f"/api/saker/{sak_id}/inhabilitet", {"grunn": " "}), 422, "grunn"
        )
        declared = await k.send_json(
            "POST", f"/api/saker/{sak_id}/inhabilitet", {"grunn": "Behandler pasienten selv."}
        )
        assert declared.status_code == 201
        refused = assert_problem(
            await k.send_json(
                "PUT", f"/api/saker/{sak_id}/vurdering", {"versjon": 0, "innhold": {"nytte": "2"}}
            ),
            403,
        )
        assert "inhabil" in refused["detail"]
        recommend = await k.send_json(
            "POST",
            f"/api/saker/{sak_id}/anbefaling",
            {
                "anbefaling": "innvilge",
                "begrunnelse": "Ja.",
                "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
            },
        )
        assert "inhabil" in assert_problem(recommend, 403)["detail"]
        page = (await k.get(f"/sak/{sak_id}")).text
        assert "Du har meldt deg inhabil i saken" in page and "Behandler pasienten selv." in page
        assert 'name="innhold.nytte"' not in page
    # The other named member recommends; the director learns who declared a conflict and why.
    async with DemoClient(komite.app, SECOND_MEMBER) as other:
        r = await other.send_json("POST", f"/api/saker/{sak_id}/anbefaling", RECOMMENDATION)
        assert r.status_code == 200, r.text
    await wait_until(lambda: komite.events(AnbefalingAvgitt, event.lopenummer))
    [inhabil] = komite.events(AnbefalingAvgitt, event.lopenummer)[0].data["inhabiliteter"]
    assert inhabil["medlem_id"] == "hbe-komite" and inhabil["grunn"] == "Behandler pasienten selv."


async def test_only_the_named_members_work_on_the_case_others_read_it(komite: Komite) -> None:
    event = forankret()
    await anchor(komite, event)
    await send_to_committee(komite, event, medlemmer=(("hbe-komite", "Ingrid Berg"),))
    sak_id = await stored(komite, event, status="til_vurdering")
    not_named = "ikke oppnevnt som medlem"
    # SECOND_MEMBER is on the trust's committee, but the director did not name her for this case.
    async with DemoClient(komite.app, SECOND_MEMBER) as other:
        page = await other.get(f"/sak/{sak_id}")
        assert page.status_code == 200 and "Du er ikke oppnevnt som medlem i denne saken" in page.text
        assert "Legemiddel og dosering" in page.text  # she reads the whole application
        for form in (
            'name="innhold.nytte"',
            "Send anbefaling til fagdirektør",
            "Inviter til uttalelse",
            "Legg til kommentar",
            "Lagre notat",
            "Nytt spørsmål til søker",
            "Meld inhabilitet",
        ):
            assert form not in page.text, form
        api = f"/api/saker/{sak_id}"
        for method, url, body in (
            ("PUT", f"{api}/vurdering", {"versjon": 0, "innhold": {"nytte": "2"}}),
            ("POST", f"{api}/vurdering/levering", {}),
            ("POST", f"{api}/anbefaling", RECOMMENDATION),
            ("POST", f"{api}/tilleggsinformasjon", {"sporsmal": "Hvilken dose?"}),
            ("POST", f"{api}/kommentarer", {"seksjon_id": "legemiddel", "tekst": "Dosen?"}),
            ("POST", f"{api}/inhabilitet", {"grunn": "Kollega av søker."}),
        ):
            refused = await other.send_json(method, url, body)
            assert not_named in assert_problem(refused, 403)["detail"], url
        token = await other.csrf()
        invite = await other.post(
            f"/sak/{sak_id}/konsultasjon",
            data={"csrf_token": token, "navn": "Jonas Bakke", "hpr_nummer": "9155771", "organisasjon": "OUS"},
        )
        assert invite.status_code == 403 and not_named in invite.text
        note = await other.post(f"/sak/{sak_id}/notat", data={"csrf_token": token, "notat": "Mitt notat"})
        assert note.status_code == 403 and not_named in note.text
    db = komite.app.state.runtime.db
    async with db.unit_of_work() as uow:
        assert (
            await uow.session.scalars(select(Konsultasjon).where(Konsultasjon.sak_id == sak_id))
        ).first() is None
    assert not komite.events(AnbefalingAvgitt, event.lopenummer)

    # The named member works on it; the director who sent it may join the discussion.
    async with DemoClient(komite.app, "hbe-komite") as k:
        saved = await k.send_json(
            "PUT", f"/api/saker/{sak_id}/vurdering", {"versjon": 0, "innhold": {"nytte": "2"}}
        )
        assert saved.status_code == 200
    async with DemoClient(komite.app, "hbe-fagdirektor") as direktor:
        comment = await direktor.send_json(
            "POST", f"/api/saker/{sak_id}/kommentarer", {"seksjon_id": "legemiddel", "tekst": "Se dosen."}
        )
        assert comment.status_code == 201


# --- a question to the applicant, notifications, deadlines -----------------------------------------


async def test_a_question_waits_for_the_answer_which_updates_the_application_marked_new(
    komite: Komite,
) -> None:
    event, sak_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k:
        token = await k.csrf()
        bad_date = await k.post(
            f"/sak/{sak_id}/tilleggsinformasjon",
            data={"csrf_token": token, "sporsmal": "Hvilken dose?", "svarfrist": "snart"},
        )
        assert (
            bad_date.status_code == 422
            and "Skriv svarfristen som en dato" in bad_date.text
            and "Hvilken dose?" in bad_date.text
        )
        asked = await k.send_json(
            "POST",
            f"/api/saker/{sak_id}/tilleggsinformasjon",
            {
                "sporsmal": "Hvilken vedlikeholdsdose er planlagt?",
                "svarfrist": (TODAY + timedelta(days=7)).isoformat(),
            },
        )
        assert asked.status_code == 201
        await wait_until(lambda: komite.events(TilleggsinformasjonEtterspurt, event.lopenummer))
        sent = komite.events(TilleggsinformasjonEtterspurt, event.lopenummer)[0].data
        assert (
            sent["spurt_av_navn"] == "Ingrid Berg"
            and sent["svarfrist"] == (TODAY + timedelta(days=7)).isoformat()
        )
        case = await listed(k, event.lopenummer)
        assert case is not None and case["venter_pa_svar"] is True and case["status"] == "venter_pa_svar"
        page = (await k.get(f"/sak/{sak_id}")).text
        assert "Venter på svar fra søker" in page and "Saken venter på svar fra søker." in page
        assert "Send anbefaling til fagdirektør" not in page
        assert 'name="innhold.nytte"' in page  # the committee keeps working meanwhile
        assert "Venter på svar fra søker" in (await k.get("/")).text

        # No recommendation while the question is open: API and page say why, nothing typed is lost.
        waiting = await k.send_json("POST", f"/api/saker/{sak_id}/anbefaling", RECOMMENDATION)
        assert "venter på svar fra søker" in assert_problem(waiting, 409)["detail"]
        form = {
            "csrf_token": token,
            "anbefaling": "innvilge",
            "begrunnelse": "Skrevet mens saken ventet.",
            **{f"kriterier.{n}": "2" for n in ("alvorlighet", "nytte", "ressursbruk", "evidenskvalitet")},
        }
        refused = await k.post(f"/sak/{sak_id}/anbefaling", data=form)
        assert refused.status_code == 409 and "venter på svar fra søker" in refused.text
        assert "Skrevet mens saken ventet." in refused.text
        assert not komite.events(AnbefalingAvgitt, event.lopenummer)

        svar = TilleggsinformasjonBesvart(
            sporsmal_id=asked.json()["id"],
            soknad_id=event.soknad_id,
            lopenummer=event.lopenummer,
            svar="500 mg hver sjette måned.",
            besvart_at=datetime.now(UTC),
            besvart_av_navn="Kari Nordmann",
            endrede_felt=["dosering"],
            visning=seksjoner(dose="1000 mg, deretter 500 mg hver sjette måned"),
        )
        await publish(komite, svar, subject=event.lopenummer, exchange="soknad.events")

        async def answered() -> bool:
            found = await listed(k, event.lopenummer)
            return found is not None and found["venter_pa_svar"] is False

        await wait_until(answered)
        case = await listed(k, event.lopenummer)
        assert case is not None and case["status"] == "til_vurdering"  # resumed on the answer
        page = (await k.get(f"/sak/{sak_id}")).text
        assert "500 mg hver sjette måned." in page and "Svar fra Kari Nordmann" in page
        assert "Send anbefaling til fagdirektør" in page
        assert "deretter 500 mg hver sjette måned" in page
        assert '<dt id="sv-felt-dosering">Dose og intervall <span class="merke-ny">Nytt svar</span>' in page
        assert "Søker har svart på spørsmålet i sak" in (await k.get("/varsler")).text
        resumed = await k.send_json("POST", f"/api/saker/{sak_id}/anbefaling", RECOMMENDATION)
        assert resumed.status_code == 200 and resumed.json()["status"] == "anbefalt"


async def test_the_directors_question_joins_the_thread_and_its_answer_resumes_the_case(
    komite: Komite,
) -> None:
    event = forankret()
    await anchor(komite, event)
    await send_to_committee(komite, event, frist=TODAY - timedelta(days=1))
    sak_id = await stored(komite, event, status="til_vurdering")
    async with DemoClient(komite.app, "hbe-komite") as k:
        before = await listed(k, event.lopenummer)
        assert before is not None and before["forfalt"] is True
    sporsmal = TilleggsinformasjonEtterspurtAvFagdirektor(
        sporsmal_id=str(uuid.uuid4()),
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        sporsmal="Er pasienten informert skriftlig?",
        spurt_at=datetime.now(UTC),
        spurt_av_navn="Lars Haugen",
    )
    await publish(komite, sporsmal, subject=event.lopenummer, exchange="beslutning.events")
    async with DemoClient(komite.app, "hbe-komite") as k:

        async def waiting() -> bool:
            found = await listed(k, event.lopenummer)
            return found is not None and found["venter_pa_svar"] is True

        await wait_until(waiting)
        # Waiting on the applicant: not the committee's overdue case meanwhile.
        case = await listed(k, event.lopenummer)
        assert case is not None and case["status"] == "venter_pa_svar" and case["forfalt"] is False
        page = (await k.get(f"/sak/{sak_id}")).text
        assert "Er pasienten informert skriftlig?" in page and "venter på søker" in page
        assert "Fristen er passert" not in page
        svar = TilleggsinformasjonBesvart(
            sporsmal_id=sporsmal.sporsmal_id,
            soknad_id=event.soknad_id,
            lopenummer=event.lopenummer,
            svar="Ja, samtykke er signert.",
            besvart_at=datetime.now(UTC),
            besvart_av_navn="Kari Nordmann",
        )
        await publish(komite, svar, subject=event.lopenummer, exchange="soknad.events")

        async def answered() -> bool:
            found = await listed(k, event.lopenummer)
            return found is not None and found["venter_pa_svar"] is False

        await wait_until(answered)
        case = await listed(k, event.lopenummer)
        assert case is not None and case["status"] == "til_vurdering" and case["forfalt"] is True
        page = (await k.get(f"/sak/{sak_id}")).text
        assert "Ja, samtykke er signert." in page and "Lars Haugen" in page
        assert "Nytt svar" not in page  # the answer changed no field of the application


async def test_the_queue_sorts_by_deadline_and_flags_overdue_cases(komite: Komite) -> None:
    later, soon = forankret(), forankret()
    for event, frist in ((later, TODAY + timedelta(days=20)), (soon, TODAY - timedelta(days=1))):
        await anchor(komite, event)
        await send_to_committee(komite, event, frist=frist)
        await stored(komite, event, status="til_vurdering")
    async with DemoClient(komite.app, "hbe-komite") as k:
        queue = [
            s
            for s in (await k.get("/api/saker")).json()
            if s["lopenummer"] in (later.lopenummer, soon.lopenummer)
        ]
        assert [s["lopenummer"] for s in queue] == [soon.lopenummer, later.lopenummer]
        assert [s["forfalt"] for s in queue] == [True, False]
        page = (await k.get("/")).text
        assert page.index(soon.lopenummer) < page.index(later.lopenummer)
        assert "Forfalt" in page


# --- precedent -------------------------------------------------------------------------------------


async def decided_group(komite: Komite, **vedtak: Any) -> tuple[SoknadForankret, VedtakFattet]:
    """An earlier group application for MS in this trust, anchored and decided by the director."""
    earlier = forankret(
        type="gruppe", pasient=None, gruppe_beskrivelse="Voksne med attakkvis MS", gruppe_storrelse=30
    )
    await anchor(komite, earlier)
    await stored(komite, earlier)
    fattet = VedtakFattet(
        **{
            "vedtak_id": str(uuid.uuid4()),
            "soknad_id": earlier.soknad_id,
            "lopenummer": earlier.lopenummer,
            "vurderingsflyt": "forenklet",
            "fattet_av": "hbe-fagdirektor",
            "fattet_at": datetime.now(UTC),
            **vedtak,
        }
    )
    await publish(komite, fattet, subject=earlier.lopenummer, exchange="beslutning.events")
    await stored(komite, earlier, status="avsluttet")
    return earlier, fattet


async def test_the_precedent_panel_shows_this_trusts_decisions_and_says_when_oversikt_is_away(
    komite: Komite,
) -> None:
    earlier, vedtak = await decided_group(
        komite,
        utfall="innvilget_med_vilkar",
        begrunnelse="Beslutningsforum 2019 godtok rituksimab ved MS.",
        vilkar="Registrering i Norsk MS-register.",
    )

    _, sak_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k:
        page = await k.get(f"/sak/{sak_id}")
        assert page.status_code == 200
        assert (
            earlier.lopenummer in page.text and "Beslutningsforum 2019 godtok rituksimab ved MS." in page.text
        )
        assert "Et gruppevedtak dekker trolig saken" in page.text
        assert "Den nasjonale oversikten svarte ikke" in page.text

        # A revoked group decision is shown as such and covers nothing any more.
        opphevet = VedtakOpphevet(
            vedtak_id=str(uuid.uuid4()),
            opphever_vedtak_id=vedtak.vedtak_id,
            soknad_id=earlier.soknad_id,
            lopenummer=earlier.lopenummer,
            begrunnelse="Ny kunnskap.",
            gjelder_fra=TODAY,
            opphevet_av="hbe-fagdirektor",
            opphevet_av_navn="Lars Haugen",
            opphevet_at=datetime.now(UTC),
        )
        await publish(komite, opphevet, subject=earlier.lopenummer, exchange="beslutning.events")

        async def revoked() -> bool:
            return "– opphevet" in (await k.get(f"/sak/{sak_id}")).text

        await wait_until(revoked)
        assert "Ingen gjeldende gruppevedtak dekker saken." in (await k.get(f"/sak/{sak_id}")).text


async def test_a_group_decision_whose_validity_has_run_out_covers_nothing_until_it_is_extended(
    komite: Komite,
) -> None:
    today = oslo_date(datetime.now(UTC))
    utlopt = today - timedelta(days=30)
    earlier, vedtak = await decided_group(
        komite,
        utfall="innvilget",
        begrunnelse="Godkjent for pasientgruppen i ett år.",
        gyldig_til=utlopt,
        fattet_at=datetime.now(UTC) - timedelta(days=400),
    )

    _, sak_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k:
        page = (await k.get(f"/sak/{sak_id}")).text
        assert f"– utløpt {format_date(utlopt)}" in page
        assert "Ingen gjeldende gruppevedtak dekker saken." in page

        # The director extends it (an amendment with a new last day): it covers the case again.
        forlenget = today + timedelta(days=365)
        endring = vedtak.model_copy(
            update={
                "vedtak_id": str(uuid.uuid4()),
                "art": "endring",
                "erstatter_vedtak_id": vedtak.vedtak_id,
                "gyldig_til": forlenget,
                "fattet_at": datetime.now(UTC),
            }
        )
        await publish(komite, endring, subject=earlier.lopenummer, exchange="beslutning.events")

        async def extended() -> bool:
            return f"gyldig til {format_date(forlenget)}" in (await k.get(f"/sak/{sak_id}")).text

        await wait_until(extended)
        assert "Et gruppevedtak dekker trolig saken" in (await k.get(f"/sak/{sak_id}")).text


async def test_the_precedent_panel_shows_the_national_answer(komite_med_oversikt: Komite) -> None:
    _, sak_id = await ready_case(komite_med_oversikt)
    async with DemoClient(komite_med_oversikt.app, "hbe-komite") as k:
        page = (await k.get(f"/sak/{sak_id}")).text
        assert "Oslo universitetssykehus" in page and "OUS-2025-000007" in page
        assert "Den nasjonale oversikten svarte ikke" not in page


# --- external consultation -------------------------------------------------------------------------


async def test_an_external_consultant_reads_the_case_without_the_patients_identity_while_the_link_lasts(
    komite: Komite,
) -> None:
    event, sak_id = await ready_case(komite)
    other_event, other_id = await ready_case(komite)
    async with DemoClient(komite.app, "hbe-komite") as k:
        found = await k.get(f"/sak/{sak_id}/konsultasjon/sok", params={"sok": "9155771", "hf": "OUS"})
        assert found.status_code == 200 and "Jonas Bakke" in found.text  # by HPR number, another trust
        token = await k.csrf()
        bad = await k.post(
            f"/sak/{sak_id}/konsultasjon",
            data={
                "csrf_token": token,
                "navn": "Jonas Bakke",
                "hpr_nummer": "12ab",
                "organisasjon": "OUS",
                "epost": "x",
            },
        )
        assert (
            bad.status_code == 422 and "HPR-nummeret er 1–9 siffer." in bad.text and "Jonas Bakke" in bad.text
        )
        invited = await k.post(
            f"/sak/{sak_id}/konsultasjon",
            data={
                "csrf_token": token,
                "navn": "Jonas Bakke",
                "hpr_nummer": "9155771",
                "organisasjon": "Oslo universitetssykehus",
                "epost": "jonas.bakke@example.org",
                "sporsmal": "Er rituksimab rimelig her?",
                "gyldig_dager": "7",
            },
        )
        assert invited.status_code == 200, invited.text
        link = re.search(r'id="ny-lenke" type="text" readonly value="([^"]+)"', invited.text)
        assert link is not None
        path = httpx.URL(link.group(1)).path
        secret = path.rsplit("/", 1)[1]

    db = komite.app.state.runtime.db
    async with db.unit_of_work() as uow:
        hashes = list((await uow.session.scalars(select(Konsultasjon.token_hash))).all())
    assert len(hashes) == 1 and secret not in json.dumps(hashes)

    # Not logged in: the link alone opens nothing; the login page brings the consultant back to it.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=komite.app), base_url="http://test"
    ) as anonymous:
        login = await anonymous.get(path, headers={"accept": "text/html"})
        assert login.status_code == 303
        target = httpx.URL(login.headers["location"])
        assert target.path == "/" and target.params["neste"] == path
        assert "interferon" not in login.text
        # The link opens this one case and nothing else here.
        assert (await anonymous.get(f"/sak/{other_id}")).status_code in (401, 303, 307)

    # Logged in as someone else than the invited HPR number, or without one: a clear refusal, no case.
    for user, message in (
        ("hbe-soker", "Invitasjonen gjelder en annen fagperson enn deg"),
        ("ous-komite", "Du er logget inn uten HPR-nummer"),
    ):
        async with DemoClient(komite.app, user) as wrong:
            refused = await wrong.get(path)
            assert refused.status_code == 403, refused.text
            assert message in refused.text
            for case_text in (event.lopenummer, "interferon", "Legemiddel og dosering", "Er rituksimab"):
                assert case_text not in refused.text, case_text
            posted = await wrong.post(
                path, data={"csrf_token": await wrong.csrf(), "uttalelse": "Jeg er ikke invitert."}
            )
            assert posted.status_code == 403 and message in posted.text

    # The invited person, from another trust and with no role in this one, logged in (HPR 9155771).
    async with DemoClient(komite.app, "ous-soker") as consultant:
        page = await consultant.get(path)
        assert page.status_code == 200, page.text
        for secret_text in (
            FNR,
            FNR[:6],
            PASIENT_NAVN,
            "Testa",
            "Testesen",
            "Testesens",
            "15.03.1985",
            "1985-03-15",
            "15. mars 1985",
            "15.03.85",
        ):
            assert secret_text not in page.text, secret_text
        assert "Legemiddel og dosering" in page.text and "interferon" in page.text
        assert "fastlege" in page.text  # only the identity is hidden, not the text around it
        assert other_event.lopenummer not in page.text and event.lopenummer in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "Jonas Bakke" in page.text  # the header names who is logged in
        assert (await consultant.get(f"/sak/{other_id}")).status_code == 403  # no role here
        assert (await consultant.get(f"/konsultasjon/{secret}x")).status_code == 404

        form_token = await consultant.csrf()
        empty = await consultant.post(path, data={"csrf_token": form_token, "uttalelse": " "})
        assert empty.status_code == 422 and "Skriv uttalelsen" in empty.text
        given = await consultant.post(
            path, data={"csrf_token": form_token, "uttalelse": "Rimelig, men evaluer etter tre måneder."}
        )
        assert given.status_code == 303, given.text

    async with DemoClient(komite.app, "hbe-komite") as k:
        shown = (await k.get(f"/sak/{sak_id}")).text
        assert "Rimelig, men evaluer etter tre måneder." in shown and "HPR 9155771" in shown
        assert "Jonas Bakke (Oslo universitetssykehus)" in shown

    async with db.unit_of_work() as uow:
        audit = db.tables.audit
        openings = (
            await uow.session.execute(
                select(audit.c.actor_id, audit.c.what).where(audit.c.case_ref == event.lopenummer)
            )
        ).all()
        # Every opening with who it really was, the refused ones too.
        assert ("ous-soker", "vurdering.konsultasjon.vis") in openings
        assert ("ous-soker", "vurdering.konsultasjon.uttal") in openings
        assert ("hbe-soker", "vurdering.konsultasjon.avvist") in openings
        assert ("ous-komite", "vurdering.konsultasjon.avvist") in openings
        assert not any(a == "hbe-soker" and w == "vurdering.konsultasjon.vis" for a, w in openings)
        await uow.session.execute(
            update(Konsultasjon).values(utloper_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await uow.commit()

    async with DemoClient(komite.app, "ous-soker") as consultant:
        expired = await consultant.get(path)
        assert expired.status_code == 404 and "Lenken er ugyldig eller utløpt" in expired.text
        assert "interferon" not in expired.text
