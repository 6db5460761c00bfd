"""The medical director's workbench on beslutning in-process (SQLite, memory bus): the inbox and triage,
the decision with its scope and conditions carried into `VedtakFattet`, the letter (page and PDF) and
who may read it, amendment and revocation, a question to the applicant and its answer, tilgangsordningen,
the phrase library, the precedent panel, deadlines and notifications, and the controller's view."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest_asyncio
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import select

from beslutning.app import create_app
from beslutning.handlers import saker as saker_handlers
from beslutning.settings import BeslutningSettings
from beslutning.store import Sak, Varsel
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.domain.kalender import oslo_date
from shared.events.base import EventContract
from shared.events.common import (
    Feltvisning,
    Forankring,
    Indikasjon,
    Inhabilitetserklaering,
    Kriterievurdering,
    Legemiddel,
    Medlemsvurdering,
    Pasient,
    Seksjonsvisning,
)
from shared.events.contracts import (
    AnbefalingAvgitt,
    SakSendtTilKomite,
    SakTilForenkletBehandling,
    SakVideresendtInterregionalt,
    SoknadForankret,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    TilleggsinformasjonEtterspurtAvFagdirektor,
    VedtakFattet,
    VedtakOpphevet,
)
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from shared.platform.web.templating import format_date
from tests.support.apps import DemoClient, running
from tests.support.recording import record_events
from tests.support.register_cases import SettableClock
from tests.support.visible_text import visible_text
from tests.support.waiting import wait_until


def today() -> date:
    """Oslo's date now, as the service computes its deadlines: read when a test needs it, not when the
    module is imported (a run that passes midnight in Oslo would compare against yesterday)."""
    return oslo_date(datetime.now(UTC))


PASIENT_NAVN = "Testa Testesen"
SOKER_BEGRUNNELSE = "Attakker tross to linjer sykdomsmodifiserende behandling."
HTML = {"accept": "text/html"}


@dataclass
class Director:
    bus: MemoryBus
    app: FastAPI
    seen: list[Envelope] = field(default_factory=list)

    def events(self, contract: type[EventContract], subject: str) -> list[Envelope]:
        return [e for e in self.seen if e.type == contract.TYPE and e.subject == subject]


@pytest_asyncio.fixture
async def env(tmp_path: Any) -> AsyncIterator[Director]:
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2, 0.4, 0.8)))
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    seen = await record_events(
        bus,
        [
            ("beslutning.events", VedtakFattet),
            ("beslutning.events", VedtakOpphevet),
            ("beslutning.events", SakSendtTilKomite),
            ("beslutning.events", TilleggsinformasjonEtterspurtAvFagdirektor),
            ("beslutning.events", SakTilForenkletBehandling),
            ("beslutning.events", SakVideresendtInterregionalt),
        ],
    )
    settings = BeslutningSettings(data_dir=tmp_path, log_json=False, outbox_poll_interval_s=0.05)
    async with running(create_app(settings, bus=bus)) as app:
        yield Director(bus=bus, app=app, seen=seen)
    await bus.close()


VISNING = [
    Seksjonsvisning(
        id="behandling",
        tittel="Behandlingen",
        felt=[
            Feltvisning(id="dose", etikett="Dose", svar="1000 mg"),
            Feltvisning(id="doseringsintervall", etikett="Doseringsintervall", svar="Dag 1 og 15"),
        ],
    ),
    Seksjonsvisning(
        id="evaluering",
        tittel="Evaluering og stopp",
        felt=[Feltvisning(id="stoppkriterier", etikett="Stoppkriterier", svar="Nytt attakk.")],
    ),
]


def forankret(**overrides: Any) -> SoknadForankret:
    now = datetime.now(UTC)
    born = date(1985, 3, 15)
    data: dict[str, Any] = {
        "soknad_id": str(uuid.uuid4()),
        "lopenummer": f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}",
        "hf": "HBE",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "soker_id": "hbe-soker",
        "soker_navn": "Kari Nordmann",
        "pasient": Pasient(
            fodselsnummer=synthetic_fodselsnummer(born, sex="kvinne"),
            navn=PASIENT_NAVN,
            fodselsdato=born,
            kjonn="kvinne",
        ),
        "legemiddel": Legemiddel(
            navn="MabThera inf kons 10 mg/ml",
            virkestoff="rituksimab",
            atc="L01FA01",
            fest_id="ID_5D1F1B3A-0000-4000-8000-000000000001",
            verifisert=True,
        ),
        "indikasjon": Indikasjon(kode="G36.0", tekst="Neuromyelitis optica", verifisert=True),
        "begrunnelse": SOKER_BEGRUNNELSE,
        "estimert_kostnad_nok": 180_000,
        "sendt_at": now - timedelta(days=2),
        "forankret_at": now,
        "forankring": Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Faglig enig.", kostnadssted="HBE-4100"
        ),
        "skjema_versjon": 1,
        "svar": {
            "dose": "1000 mg",
            "doseringsintervall": "Dag 1 og 15, deretter hver 6. måned",
            "antall_kurer": 3,
            "behandlingsvarighet": "18 måneder",
            "evalueringsplan": "Attakkfrekvens og MR.",
            "evaluering_tidspunkt": "Etter 12 måneder",
            "stoppkriterier": "Nytt attakk tross behandling.",
            "register_registrering": "ja",
            "register_navn": "Norsk MS-register",
            "pasient_informert": "ja",
        },
        "visning": VISNING,
    }
    data.update(overrides)
    return SoknadForankret(**data)


async def publish(env: Director, event: EventContract, subject: str) -> None:
    envelope = Envelope(
        source="/hf/HBE/soknad", type=event.TYPE, hf="HBE", subject=subject, correlationid="t",
        data=event.model_dump(mode="json"),
    )  # fmt: skip
    await env.bus.publish(envelope, exchange="soknad.events")


async def anchored(env: Director, **overrides: Any) -> tuple[SoknadForankret, str]:
    event = forankret(**overrides)
    await publish(env, event, event.lopenummer)
    found: dict[str, str] = {}
    async with DemoClient(env.app, "hbe-fagdirektor") as d:

        async def arrived() -> bool:
            for case in (await d.get("/api/saker")).json():
                if case["lopenummer"] == event.lopenummer:
                    found["id"] = case["id"]
                    return True
            return False

        await wait_until(arrived)
    return event, found["id"]


async def event_of(env: Director, contract: type[EventContract], subject: str, n: int = 1) -> dict[str, Any]:
    await wait_until(lambda: len(env.events(contract, subject)) >= n)
    return env.events(contract, subject)[n - 1].data


def innvilget() -> dict[str, Any]:
    return {
        "utfall": "innvilget_med_vilkar",
        "begrunnelse": "Alvorlig tilstand; rituksimab er etablert ved NMOSD.",
        "dosering": "1000 mg dag 1 og 15",
        "antall_kurer": 3,
        "gyldig_fra": today().isoformat(),
        "gyldig_til": (today() + timedelta(days=365)).isoformat(),
        "evalueringsdato": (today() + timedelta(days=180)).isoformat(),
        "vilkar_evaluering": "Attakkfrekvens og MR etter seks måneder.",
        "vilkar_stoppregel": "Stopp ved nytt attakk.",
        "vilkar_registrering": "Registreres i Norsk MS-register.",
        "vilkar_pasientinformasjon": "Pasienten informeres om bruk utenfor godkjent indikasjon.",
        "resept_merknad": "Sykehusfinansiert, se vedtak.",
        "faktureringsrutine": "Sykehusapoteket fakturerer enheten.",
    }


async def test_a_new_case_lands_in_the_inbox_with_deadline_and_the_whole_application(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        inbox = await d.get("/", headers=HTML)
        assert inbox.status_code == 200
        text = visible_text(inbox.text)
        assert event.lopenummer in text and "Ny – velg flyt" in text and "Fagdirektør" in text
        api = (await d.get("/api/innboks")).json()
        row = next(r for r in api["saker"] if r["lopenummer"] == event.lopenummer)
        assert row["frist"] == (today() + timedelta(days=14)).isoformat()
        assert row["hos"] == "Fagdirektør" and row["forfalt"] is False

        page = await d.get(f"/sak/{sak_id}", headers=HTML)
        assert page.status_code == 200
        assert 'class="seksjonsmeny"' in page.text and 'href="#sv-behandling"' in page.text
        assert "Dag 1 og 15" in page.text and "Nytt attakk." in page.text
        # The decision form is prefilled from the application's answers.
        assert "Dag 1 og 15, deretter hver 6. måned" in page.text
        assert (
            "Registreres i Norsk MS-register" in page.text or "registreres i Norsk MS-register" in page.text
        )
        # oversikt is not connected here: a note, and the page still renders.
        assert "Den nasjonale oversikten er ikke koblet til" in page.text


async def test_triage_komplett_sends_the_case_to_the_named_members(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        missing = await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "komplett"})
        assert missing.status_code == 422
        assert {e["field"] for e in missing.json()["errors"]} >= {"medlemmer", "frist"}
        stranger = await d.send_json(
            "POST", f"/api/saker/{sak_id}/triage",
            {"flyt": "komplett", "medlemmer": ["ous-komite"], "frist": str(today() + timedelta(days=10))},
        )  # fmt: skip
        assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "medlemmer"
        frist = (today() + timedelta(days=21)).isoformat()
        sent = await d.send_json(
            "POST", f"/api/saker/{sak_id}/triage",
            {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": frist, "merknad": "Se evidensen."},
        )  # fmt: skip
        assert sent.status_code == 200, sent.text
        assert sent.json()["status"] == "venter_pa_anbefaling"
        assert sent.json()["frist"] == (today() + timedelta(days=42)).isoformat()
        data = await event_of(env, SakSendtTilKomite, event.lopenummer)
        assert data["medlemmer"] == [{"id": "hbe-komite", "navn": "Ingrid Berg"}]
        assert data["frist"] == frist and data["sendt_av_navn"] == "Lars Haugen"
        # The committee has it: the director cannot decide before the recommendation.
        early = await d.send_json(
            "POST", f"/api/saker/{sak_id}/vedtak", {"utfall": "avslatt", "begrunnelse": "Nei."}
        )
        assert early.status_code == 409
        again = await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        assert again.status_code == 409


async def test_the_decision_carries_scope_conditions_payer_and_decider(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        triaged = await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        assert triaged.json()["status"] == "klar_for_vedtak"
        decided = await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())
        assert decided.status_code == 201, decided.text
    data = await event_of(env, VedtakFattet, event.lopenummer)
    assert data["vurderingsflyt"] == "forenklet" and data["art"] == "vedtak"
    assert data["fattet_av_navn"] == "Lars Haugen"
    assert (data["kategori"], data["soknad_type"], data["enhet"]) == (
        "off_label",
        "enkeltpasient",
        "HBE-NEVRO",
    )
    assert data["kostnadssted"] == "HBE-4100"
    omfang = data["omfang"]
    assert omfang["legemiddel"]["fest_id"] == "ID_5D1F1B3A-0000-4000-8000-000000000001"
    assert omfang["legemiddel"]["atc"] == "L01FA01" and omfang["indikasjon"]["kode"] == "G36.0"
    assert (omfang["dosering"], omfang["antall_kurer"]) == ("1000 mg dag 1 og 15", 3)
    assert (
        omfang["gyldig_til"] == innvilget()["gyldig_til"] and data["gyldig_fra"] == innvilget()["gyldig_fra"]
    )
    types = [v["type"] for v in data["vilkar_liste"]]
    assert types == ["evaluering", "stoppregel", "registrering", "pasientinformasjon"]
    assert data["vilkar_liste"][0]["dato"] == innvilget()["evalueringsdato"]
    # Older consumers still read the single fields.
    assert data["vilkar"] and "Stopp ved nytt attakk." in data["vilkar"]
    assert (
        data["gyldig_til"] == innvilget()["gyldig_til"]
        and data["evalueringsdato"] == innvilget()["evalueringsdato"]
    )


async def test_bad_decisions_are_refused_in_norwegian_naming_the_field(env: Director) -> None:
    _, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        r = await d.send_json(
            "POST", f"/api/saker/{sak_id}/vedtak", {"utfall": "avslatt", "begrunnelse": " "}
        )
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["begrunnelse"]
        r = await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", {**innvilget(), "antall_kurer": 0})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "antall_kurer"
        r = await d.send_json(
            "POST",
            f"/api/saker/{sak_id}/vedtak",
            {**innvilget(), "gyldig_fra": innvilget()["gyldig_til"], "gyldig_til": innvilget()["gyldig_fra"]},
        )
        assert r.status_code == 422
        form = {
            "csrf_token": await d.csrf(),
            "utfall": "avslatt",
            "begrunnelse": "",
            "dosering": "kept 500 mg",
        }
        page = await d.post(f"/sak/{sak_id}/vedtak", data=form)
        assert page.status_code == 422
        assert "Skriv en begrunnelse." in page.text and "kept 500 mg" in page.text
        form = {
            "csrf_token": await d.csrf(),
            "utfall": "innvilget",
            "begrunnelse": "Ok.",
            "gyldig_til": "31.02.2027",
        }
        page = await d.post(f"/sak/{sak_id}/vedtak", data=form)
        assert page.status_code == 422 and "Skriv en gyldig dato" in page.text
        assert (await d.get(f"/api/saker/{sak_id}")).json()["vedtak"] is None


async def letter(client: DemoClient, vedtak_id: str) -> Any:
    return await client.get(f"/vedtak/{vedtak_id}/brev", headers=HTML)


async def test_the_letter_is_for_the_applicant_leader_committee_and_director_only(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        vedtak_id = (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())).json()["vedtak"][
            "id"
        ]
    for user in ("hbe-soker", "hbe-leder", "hbe-komite", "hbe-fagdirektor"):
        async with DemoClient(env.app, user) as reader:
            page = await letter(reader, vedtak_id)
            assert page.status_code == 200, user
            text = " ".join(visible_text(page.text).split())
            assert event.lopenummer in text and "Innvilget med vilkår" in text
            assert "Norsk MS-register" in text and "HBE-4100" in text and "Lars Haugen" in text
            assert f"Skriv løpenummeret {event.lopenummer} i merknadsfeltet på resepten" in text
            pdf = await reader.get(f"/vedtak/{vedtak_id}/brev.pdf")
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF-") and event.lopenummer.encode() in pdf.content
            # A Unicode font is embedded, so æøå render.
            assert b"DejaVuSans" in pdf.content
    for user in ("hbe-soker2", "hbe-leder2", "hbe-controller", "hbe-admin", "ous-fagdirektor", "ous-soker"):
        async with DemoClient(env.app, user) as stranger:
            assert (await letter(stranger, vedtak_id)).status_code == 404, user
            assert (await stranger.get(f"/vedtak/{vedtak_id}/brev.pdf")).status_code == 404, user
    async with env.app.state.runtime.db.unit_of_work() as uow:
        audit = env.app.state.runtime.db.tables.audit
        reads = (
            (
                await uow.session.execute(
                    select(audit.c.actor_id).where(audit.c.what == "beslutning.vedtaksbrev")
                )
            )
            .scalars()
            .all()
        )
    assert {"hbe-soker", "hbe-leder"} <= set(reads)


async def test_a_refusal_letter_explains_next_steps_and_never_mentions_a_prescription(env: Director) -> None:
    _, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        body = {
            "utfall": "avslatt",
            "begrunnelse": "Godkjent alternativ er ikke prøvd.",
            "resept_merknad": "Skal ikke med",
        }
        vedtak = (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", body)).json()["vedtak"]
        assert vedtak["omfang"] is None and vedtak["resept_merknad"] is None
    async with DemoClient(env.app, "hbe-soker") as soker:
        page = (await letter(soker, vedtak["id"])).text
    # The letter itself (the page's footer names the H-prescription scheme).
    text = " ".join(visible_text(page.split("<article", 1)[1].split("</article>", 1)[0]).split())
    assert "Hva avslaget betyr" in text and "Du kan sende en ny søknad" in text
    assert "Godkjent alternativ er ikke prøvd." in text
    assert "resept" not in text.lower() and "Skal ikke med" not in text


async def test_an_amendment_and_a_revocation_are_new_decisions_referring_to_the_old(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        first = (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())).json()
        first_id = first["vedtak"]["id"]
        longer = {
            **innvilget(),
            "gyldig_til": (today() + timedelta(days=540)).isoformat(),
            "begrunnelse": "Forlenget.",
        }
        amended = await d.send_json(
            "POST", f"/api/saker/{sak_id}/vedtak/{first_id}/endring", {**longer, "versjon": first["versjon"]}
        )
        assert amended.status_code == 201, amended.text
        second_id = amended.json()["vedtak"]["id"]
        assert [v["art"] for v in amended.json()["alle_vedtak"]] == ["vedtak", "endring"]
        # The replaced one cannot be amended again.
        stale = await d.send_json("POST", f"/api/saker/{sak_id}/vedtak/{first_id}/endring", longer)
        assert stale.status_code == 409
        data = await event_of(env, VedtakFattet, event.lopenummer, n=2)
        assert data["art"] == "endring" and data["erstatter_vedtak_id"] == first_id
        assert data["omfang"]["gyldig_til"] == longer["gyldig_til"]

        blank = await d.send_json(
            "POST", f"/api/saker/{sak_id}/vedtak/{second_id}/opphevelse", {"begrunnelse": ""}
        )
        assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "begrunnelse"
        revoked = await d.send_json(
            "POST",
            f"/api/saker/{sak_id}/vedtak/{second_id}/opphevelse",
            {"begrunnelse": "Alvorlige bivirkninger."},
        )
        assert revoked.status_code == 201 and revoked.json()["status"] == "opphevet"
        page = await d.get(f"/sak/{sak_id}", headers=HTML)
        assert "Vedtaket er opphevet" in page.text and "Endret vedtak" in page.text
    opphevet = await event_of(env, VedtakOpphevet, event.lopenummer)
    assert opphevet["opphever_vedtak_id"] == second_id and opphevet["opphevet_av_navn"] == "Lars Haugen"
    async with DemoClient(env.app, "hbe-controller") as c:
        # A revoked treatment is no longer invoiced.
        assert event.lopenummer not in (await c.get("/fakturering")).text


async def test_a_question_to_the_applicant_waits_and_resumes_with_the_new_answers_marked(
    env: Director,
) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        blank = await d.send_json("POST", f"/api/saker/{sak_id}/sporsmal", {"sporsmal": ""})
        assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "sporsmal"
        asked = await d.send_json("POST", f"/api/saker/{sak_id}/sporsmal", {"sporsmal": "Hvilken dose?"})
        assert asked.json()["status"] == "venter_pa_svar"
        data = await event_of(env, TilleggsinformasjonEtterspurtAvFagdirektor, event.lopenummer)
        page = await d.get(f"/sak/{sak_id}", headers=HTML)
        assert "Venter på svar fra søker" in page.text
        assert (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())).status_code == 409

        ny_visning = [
            Seksjonsvisning(
                id="behandling",
                tittel="Behandlingen",
                felt=[Feltvisning(id="dose", etikett="Dose", svar="500 mg"), *VISNING[0].felt[1:]],
            ),
            VISNING[1],
        ]
        answer = TilleggsinformasjonBesvart(
            sporsmal_id=data["sporsmal_id"], soknad_id=event.soknad_id, lopenummer=event.lopenummer,
            svar="Dosen er redusert til 500 mg.", besvart_at=datetime.now(UTC),
            besvart_av_navn="Kari Nordmann",
            endrede_felt=["dose"], visning=ny_visning, endrede_svar={"dose": "500 mg"},
        )  # fmt: skip
        await publish(env, answer, event.lopenummer)
        await wait_until(lambda: _status(d, sak_id, "klar_for_vedtak"))
        page = await d.get(f"/sak/{sak_id}", headers=HTML)
        # The decision form suggests the dose as the søker changed it, not as it was anchored.
        dosering = re.search(r'name="dosering"[^>]*value="([^"]*)"', page.text)
        assert dosering is not None and dosering.group(1).startswith("500 mg"), dosering
        assert (
            "Nytt svar" in page.text
            and "500 mg" in page.text
            and "Dosen er redusert til 500 mg." in page.text
        )
        inbox = await d.get("/", headers=HTML)
        assert "Svar fra søker" in inbox.text


async def _status(client: DemoClient, sak_id: str, status: str) -> bool:
    return bool((await client.get(f"/api/saker/{sak_id}")).json()["status"] == status)


async def test_tilgangsordningen_is_screened_forwarded_and_the_interregional_decision_registered(
    env: Director,
) -> None:
    event, sak_id = await anchored(env, kategori="tilgangsordningen")
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        triage = await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        assert triage.status_code == 422 and triage.json()["errors"][0]["field"] == "flyt"
        grant = await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())
        assert grant.status_code == 422 and grant.json()["errors"][0]["field"] == "utfall"
        early = await d.send_json(
            "POST", f"/api/saker/{sak_id}/interregionalt-vedtak",
            {**innvilget(), "referanse": "IRK-2026-17", "vedtaksdato": today().isoformat()},
        )  # fmt: skip
        assert early.status_code == 409
        forwarded = await d.send_json(
            "POST", f"/api/saker/{sak_id}/videresend", {"merknad": "Sjelden genotype; ingen alternativer."}
        )
        assert forwarded.status_code == 200, forwarded.text
        body = forwarded.json()
        assert (
            body["status"] == "hos_interregional"
            and body["interregional"]["videresendt_av_navn"] == "Lars Haugen"
        )
        assert body["frist"] == (today() + timedelta(days=90)).isoformat()
        future = await d.send_json(
            "POST", f"/api/saker/{sak_id}/interregionalt-vedtak",
            {**innvilget(), "referanse": "IRK-2026-17", "vedtaksdato": str(today() + timedelta(days=3))},
        )  # fmt: skip
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "vedtaksdato"
        registered = await d.send_json(
            "POST", f"/api/saker/{sak_id}/interregionalt-vedtak",
            {**innvilget(), "referanse": "IRK-2026-17", "vedtaksdato": today().isoformat()},
        )  # fmt: skip
        assert registered.status_code == 201, registered.text
        vedtak_id = registered.json()["vedtak"]["id"]
    data = await event_of(env, VedtakFattet, event.lopenummer)
    assert data["vurderingsflyt"] == "interregional" and data["interregional_referanse"] == "IRK-2026-17"
    assert data["omfang"]["legemiddel"]["virkestoff"] == "rituksimab"
    async with DemoClient(env.app, "hbe-soker") as soker:
        text = " ".join(visible_text((await letter(soker, vedtak_id)).text).split())
    assert "den interregionale vurderingskomiteen" in text and "IRK-2026-17" in text


async def test_another_trusts_director_gets_404_everywhere(env: Director) -> None:
    _, sak_id = await anchored(env)
    async with DemoClient(env.app, "ous-fagdirektor") as ous:
        assert (await ous.get(f"/api/saker/{sak_id}")).status_code == 404
        assert (await ous.get(f"/sak/{sak_id}", headers=HTML)).status_code == 404
        assert (await ous.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())).status_code == 404
        assert (
            await ous.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        ).status_code == 404
        assert all(r["id"] != sak_id for r in (await ous.get("/api/innboks")).json()["saker"])


async def test_the_controller_sees_billing_never_clinical_text_and_exports(env: Director) -> None:
    event, sak_id = await anchored(env)
    other, other_id = await anchored(env, enhet="HBE-REVMA")
    refused, refused_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        vedtak_id = (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())).json()["vedtak"][
            "id"
        ]
        await d.send_json("POST", f"/api/saker/{other_id}/vedtak", {**innvilget(), "utfall": "innvilget"})
        await d.send_json(
            "POST", f"/api/saker/{refused_id}/vedtak", {"utfall": "avslatt", "begrunnelse": "Nei."}
        )
    clinical = [
        PASIENT_NAVN,
        SOKER_BEGRUNNELSE,
        innvilget()["begrunnelse"],
        innvilget()["vilkar_stoppregel"],
        "1000 mg",
        "Faglig enig.",
    ]
    async with DemoClient(env.app, "hbe-controller") as c:
        page = await c.get("/fakturering", headers=HTML)
        assert page.status_code == 200
        assert event.lopenummer in page.text and other.lopenummer in page.text
        assert refused.lopenummer not in page.text
        assert "Sykehusapoteket fakturerer enheten." in page.text and "HBE-4100" in page.text
        detail = await c.get(f"/fakturering/vedtak/{vedtak_id}", headers=HTML)
        assert detail.status_code == 200 and event.lopenummer in detail.text
        api = await c.get("/api/fakturering")
        exports = [page.text, detail.text, api.text]
        csv_r = await c.get("/fakturering.csv")
        assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(csv_r.text.lstrip("\ufeff")), delimiter=";"))
        assert rows[0][0] == "Løpenummer" and {r[0] for r in rows[1:]} == {event.lopenummer, other.lopenummer}
        xlsx = await c.get("/fakturering.xlsx", params={"enhet": "HBE-NEVRO"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
        assert [r[0] for r in values[1:]] == [event.lopenummer]
        exports += [csv_r.text, " ".join(str(v) for r in values for v in r)]
        for text in exports:
            for phrase in clinical:
                assert phrase not in text, phrase
        bad = await c.get("/api/fakturering", params={"fra": "i går"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "fra"
        marked = await c.send_json("PUT", f"/api/fakturering/{vedtak_id}", {"fakturert": True})
        assert marked.status_code == 200 and marked.json()["fakturert_at"]
        costs = (await c.get("/api/fakturering/kostnader")).json()
        assert {(k["enhet"], k["antall"]) for k in costs} == {("HBE-NEVRO", 1), ("HBE-REVMA", 1)}
        # The director's case and the letter stay closed to the controller.
        assert (await c.get(f"/api/saker/{sak_id}")).status_code == 403
        assert (await letter(c, vedtak_id)).status_code == 404


async def test_the_admin_keeps_phrases_the_director_inserts_them_filled(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-admin") as admin:
        bad = await admin.send_json(
            "POST", "/api/fraser", {"felt": "resept_merknad", "tittel": "Feil", "tekst": "Vedtak {ukjent}"}
        )
        assert bad.status_code == 422 and "Ukjent plassholder" in bad.text
        made = await admin.send_json(
            "POST", "/api/fraser",
            {"felt": "resept_merknad", "tittel": "R", "tekst": "Betalt etter vedtak {lopenummer} ({enhet})."},
        )  # fmt: skip
        assert made.status_code == 201
        page = await admin.get("/fraser", headers=HTML)
        assert page.status_code == 200 and "Betalt etter vedtak {lopenummer}" in page.text
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        page = await d.get(f"/sak/{sak_id}", headers=HTML)
        assert f'data-tekst="Betalt etter vedtak {event.lopenummer} (' in page.text
        assert (
            await d.send_json(
                "POST", "/api/fraser", {"felt": "lenke", "tittel": "x", "tekst": "y", "url": "https://x.no"}
            )
        ).status_code == 403
    async with env.app.state.runtime.db.unit_of_work() as uow:
        audit = env.app.state.runtime.db.tables.audit
        whats = (
            (await uow.session.execute(select(audit.c.what).where(audit.c.actor_id == "hbe-admin")))
            .scalars()
            .all()
        )
    assert "beslutning.frase_ny" in whats


async def test_precedents_of_the_trust_and_overdue_cases_are_shown(env: Director) -> None:
    first, first_id = await anchored(env)
    old = datetime.now(UTC) - timedelta(days=30)
    _, second_id = await anchored(env, forankret_at=old, sendt_at=old)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        await d.send_json("POST", f"/api/saker/{first_id}/vedtak", innvilget())
        page = await d.get(f"/sak/{second_id}", headers=HTML)
        panel = page.text.split('id="presedens"', 1)[1].split("</section>", 1)[0]
        assert first.lopenummer in panel and innvilget()["begrunnelse"] in panel
        inbox = await d.get("/", headers=HTML)
        assert "Forfalt" in inbox.text and "Frist passert" in inbox.text
        row = next(r for r in (await d.get("/api/innboks")).json()["saker"] if r["id"] == second_id)
        assert row["forfalt"] is True and row["alder_dager"] >= 29
        stats = await d.get("/api/statistikk/behandlingstid")
        assert stats.status_code == 200
        steg = {s["steg"]: s for s in stats.json()["steg"]}
        assert steg["triage"]["antall"] == 1 and steg["totalt"]["antall"] == 1


async def test_a_group_decision_for_the_category_covers_a_case_of_one_of_its_codes(env: Director) -> None:
    # The same rule as the committee's and the søker's panels: this code or its whole category, not a
    # sibling code, granted and still valid.
    gruppe, gruppe_id = await anchored(
        env,
        type="gruppe",
        pasient=None,
        gruppe_beskrivelse="Voksne med NMOSD",
        gruppe_storrelse=12,
        indikasjon=Indikasjon(kode="G36", tekst="Annen akutt disseminert demyelinisering", verifisert=True),
    )
    _, case_id = await anchored(env)  # G36.0
    _, sibling_id = await anchored(
        env, indikasjon=Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True)
    )
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        assert (await d.send_json("POST", f"/api/saker/{gruppe_id}/vedtak", innvilget())).status_code == 201
        panel = (await d.get(f"/sak/{case_id}", headers=HTML)).text.split('id="presedens"', 1)[1]
        panel = panel.split("</section>", 1)[0]
        assert "Et gruppevedtak kan dekke saken" in panel and gruppe.lopenummer in panel
        other = (await d.get(f"/sak/{sibling_id}", headers=HTML)).text.split('id="presedens"', 1)[1]
        other = other.split("</section>", 1)[0]
        assert "Et gruppevedtak kan dekke saken" not in other and gruppe.lopenummer not in other


async def test_no_decision_without_a_case(env: Director) -> None:
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        r = await d.send_json("POST", f"/api/saker/{uuid.uuid4()}/vedtak", innvilget())
        assert r.status_code == 404 and r.json()["detail"] == "Saken finnes ikke."


async def test_a_recommendation_on_a_simplified_case_changes_nothing(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        anbefaling = AnbefalingAvgitt(
            sak_id=str(uuid.uuid4()), soknad_id=event.soknad_id, lopenummer=event.lopenummer,
            anbefaling="avsla",
            begrunnelse="Svak dokumentasjon.", avgitt_av="hbe-komite", avgitt_at=datetime.now(UTC),
            kriterier=Kriterievurdering(alvorlighet=1, nytte=1, ressursbruk=3, evidenskvalitet=1),
        )  # fmt: skip
        envelope = Envelope(
            source="/hf/HBE/vurdering", type=anbefaling.TYPE, hf="HBE", subject=event.lopenummer,
            correlationid="t", data=anbefaling.model_dump(mode="json"),
        )  # fmt: skip
        await env.bus.publish(envelope, exchange="vurdering.events")
        await env.bus.drain()
        case = (await d.get(f"/api/saker/{sak_id}")).json()
        assert case["status"] == "klar_for_vedtak" and case["vurderingsflyt"] == "forenklet"
        assert case["anbefaling"] is None
        # It was received, and kept on record only.
        assert (
            "Komiteen anbefalte: Avslå (uten virkning)" in (await d.get(f"/sak/{sak_id}", headers=HTML)).text
        )


async def test_the_director_works_through_the_pages_without_javascript(env: Director) -> None:
    _, sak_id = await anchored(env)
    _, tilgang_id = await anchored(env, kategori="tilgangsordningen")
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        token = await d.csrf()
        bad = await d.post(
            f"/sak/{sak_id}/triage", data={"csrf_token": token, "flyt": "komplett", "frist": ""}
        )
        assert bad.status_code == 422
        assert "Velg minst ett komitémedlem." in bad.text and "Sett en frist" in bad.text
        frist = (today() + timedelta(days=20)).isoformat()
        form = {"csrf_token": token, "flyt": "komplett", "medlemmer": "hbe-komite", "frist": frist}
        sent = await d.post(f"/sak/{sak_id}/triage", data=form)
        assert sent.status_code == 303
        assert "Saken er sendt til komiteen." in (await d.get(sent.headers["location"])).text

        empty = await d.post(f"/sak/{tilgang_id}/videresend", data={"csrf_token": token, "merknad": ""})
        assert empty.status_code == 422 and "Skriv hvorfor pasienten er klinisk eksepsjonell." in empty.text
        forwarded = await d.post(
            f"/sak/{tilgang_id}/videresend", data={"csrf_token": token, "merknad": "Sjelden."}
        )
        assert forwarded.status_code == 303
        form = {
            "csrf_token": token,
            "utfall": "avslatt",
            "begrunnelse": "Ikke eksepsjonell.",
            "referanse": "",
        }
        missing = await d.post(f"/sak/{tilgang_id}/interregionalt-vedtak", data={**form, "vedtaksdato": ""})
        assert missing.status_code == 422 and "referanse" in missing.text
        form.update(referanse="IRK-9", vedtaksdato=today().isoformat())
        registered = await d.post(f"/sak/{tilgang_id}/interregionalt-vedtak", data=form)
        assert registered.status_code == 303
        assert "IRK-9" in (await d.get(registered.headers["location"])).text


async def test_decided_cases_are_found_from_the_inbox_to_amend(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())
        assert event.lopenummer not in (await d.get("/", headers=HTML)).text
        decided = await d.get("/?status=vedtatt", headers=HTML)
        assert event.lopenummer in decided.text
        assert (await d.get("/api/innboks", params={"status": "vedtatt"})).json()["totalt"] == 1


async def test_noticing_an_overdue_case_does_not_make_the_directors_form_stale(env: Director) -> None:
    old = datetime.now(UTC) - timedelta(days=30)
    _, sak_id = await anchored(env, forankret_at=old, sendt_at=old)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        versjon = (await d.get(f"/api/saker/{sak_id}")).json()["versjon"]
        assert "Frist passert" in (await d.get("/", headers=HTML)).text
        decided = await d.send_json(
            "POST", f"/api/saker/{sak_id}/vedtak", {**innvilget(), "versjon": versjon}
        )
        assert decided.status_code == 201, decided.text


# --- the audit's gaps (issue 8) ------------------------------------------------------------------


async def test_choosing_the_simplified_flow_is_published_with_who_and_the_deadline(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        triaged = await d.send_json("POST", f"/api/saker/{sak_id}/triage", {"flyt": "forenklet"})
        assert triaged.status_code == 200
    data = await event_of(env, SakTilForenkletBehandling, event.lopenummer)
    assert data["soknad_id"] == event.soknad_id and data["lopenummer"] == event.lopenummer
    assert data["frist"] == (today() + timedelta(days=14)).isoformat()
    assert (data["valgt_av"], data["valgt_av_navn"]) == ("hbe-fagdirektor", "Lars Haugen")
    assert data["valgt_at"]
    # The complete flow is the committee's event, not this one.
    komplett, komplett_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        body = {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": str(today() + timedelta(days=10))}
        assert (await d.send_json("POST", f"/api/saker/{komplett_id}/triage", body)).status_code == 200
    await event_of(env, SakSendtTilKomite, komplett.lopenummer)
    assert env.events(SakTilForenkletBehandling, komplett.lopenummer) == []


async def test_the_interregional_forwarding_and_decision_date_travel(env: Director) -> None:
    event, sak_id = await anchored(env, kategori="tilgangsordningen")
    vedtaksdato = today() - timedelta(days=2)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        forwarded = await d.send_json("POST", f"/api/saker/{sak_id}/videresend", {"merknad": "Sjelden."})
        assert forwarded.status_code == 200, forwarded.text
        sent = await event_of(env, SakVideresendtInterregionalt, event.lopenummer)
        assert sent["soknad_id"] == event.soknad_id
        assert sent["frist"] == (today() + timedelta(days=90)).isoformat()
        assert (sent["videresendt_av"], sent["videresendt_av_navn"]) == ("hbe-fagdirektor", "Lars Haugen")
        registered = await d.send_json(
            "POST", f"/api/saker/{sak_id}/interregionalt-vedtak",
            {**innvilget(), "referanse": "IRK-2026-17", "vedtaksdato": vedtaksdato.isoformat()},
        )  # fmt: skip
        assert registered.status_code == 201, registered.text
        vedtak_id = registered.json()["vedtak"]["id"]
    data = await event_of(env, VedtakFattet, event.lopenummer)
    assert data["interregional_referanse"] == "IRK-2026-17"
    assert data["interregional_vedtaksdato"] == vedtaksdato.isoformat()
    assert data["resept_merknad"] == innvilget()["resept_merknad"]
    assert data["faktureringsrutine"] == innvilget()["faktureringsrutine"]
    async with DemoClient(env.app, "hbe-soker") as soker:
        page = (await letter(soker, vedtak_id)).text
        pdf = await soker.get(f"/vedtak/{vedtak_id}/brev.pdf")
    text = " ".join(visible_text(page.split("<article", 1)[1].split("</article>", 1)[0]).split())
    assert "Vedtaket er fattet av Den interregionale vurderingskomiteen" in text
    assert f"Komiteens vedtaksdato {format_date(vedtaksdato)}" in text
    assert "Komiteens referanse IRK-2026-17" in text
    assert "registrert av Lars Haugen, fagdirektør" in text
    # Not signed as if the trust's director had decided.
    assert "Vedtaket er fattet i Søknadsportalen" not in text
    assert "Vedtaket er registrert i Søknadsportalen" in text
    assert pdf.status_code == 200


def _anbefaling(event: SoknadForankret) -> AnbefalingAvgitt:
    levert = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    medlemmer = [
        Medlemsvurdering(
            medlem_id="hbe-komite", medlem_navn="Ingrid Berg",
            alvorlighet=3, alvorlighet_begrunnelse="Attakker gir varig funksjonstap.",
            nytte=2, nytte_begrunnelse="Observasjonsstudier viser færre attakker.",
            ressursbruk=2, ressursbruk_begrunnelse="Moderat kostnad per år.",
            evidenskvalitet=1, sikkerhet="Infusjonsreaksjoner; kjent profil.",
            alternativer="Ingen godkjent behandling; ingen åpen klinisk studie.",
            nye_metoder_status="Ikke vurdert i Nye metoder for indikasjonen.",
            kostnad_budsjett="Innenfor avdelingens budsjett.",
            anbefaling="innvilge_med_vilkar", levert_at=levert,
        ),
        Medlemsvurdering(
            medlem_id="hbe-komite2", medlem_navn="Odd Nilsen", alvorlighet=2, nytte=1, ressursbruk=3,
            evidenskvalitet=1, anbefaling="avsla", levert_at=levert + timedelta(hours=2),
            alternativer="Vurder klinisk studie ved OUS.",
        ),
    ]  # fmt: skip
    return AnbefalingAvgitt(
        sak_id=str(uuid.uuid4()), soknad_id=event.soknad_id, lopenummer=event.lopenummer,
        anbefaling="innvilge_med_vilkar", begrunnelse="Flertallet anbefaler innvilgelse med vilkår.",
        avgitt_av="hbe-komite", avgitt_av_navn="Ingrid Berg", avgitt_at=levert + timedelta(hours=3),
        kriterier=Kriterievurdering(alvorlighet=3, nytte=2, ressursbruk=2, evidenskvalitet=1),
        medlemsvurderinger=medlemmer,
        inhabiliteter=[Inhabilitetserklaering(
            medlem_id="hbe-komite3", medlem_navn="Lise Holm", grunn="Nær kollega av søker.",
            erklaert_at=levert,
        )],
    )  # fmt: skip


async def from_vurdering(env: Director, event: EventContract, subject: str) -> None:
    envelope = Envelope(
        source="/hf/HBE/vurdering", type=event.TYPE, hf="HBE", subject=subject, correlationid="t",
        data=event.model_dump(mode="json"),
    )  # fmt: skip
    await env.bus.publish(envelope, exchange="vurdering.events")


async def varsler(env: Director, sak_id: str) -> list[tuple[str, str]]:
    """The case's notifications (kind, text), read without loading any page."""
    async with env.app.state.runtime.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Varsel.art, Varsel.tekst).where(Varsel.sak_id == sak_id).order_by(Varsel.opprettet_at)
        )
        return [(art, tekst) for art, tekst in rows]


async def test_the_case_page_shows_every_members_whole_assessment_and_the_bell_counts_it(
    env: Director,
) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        frist = (today() + timedelta(days=20)).isoformat()
        body = {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": frist}
        await d.send_json("POST", f"/api/saker/{sak_id}/triage", body)
        page = await d.get(f"/sak/{sak_id}", headers=HTML)
        assert "Varsler (ingen uleste)" in visible_text(page.text)
        await from_vurdering(env, _anbefaling(event), event.lopenummer)
        await wait_until(lambda: _status(d, sak_id, "klar_for_vedtak"))
        # "Recommendation ready" notifies the director.
        assert [art for art, _ in await varsler(env, sak_id)] == ["anbefaling"]
        page = await d.get(f"/sak/{sak_id}", headers=HTML)
    text = " ".join(visible_text(page.text).split())
    assert "Varsler (1 ulest)" in text
    for expected in (
        "Ingrid Berg levert 2. mars 2026 kl. 10:30",
        "Alvorlighet Høy: Attakker gir varig funksjonstap.",
        "Nytte Moderat: Observasjonsstudier viser færre attakker.",
        "Ressursbruk Moderat: Moderat kostnad per år.",
        "Kvalitet på dokumentasjonen Lav",
        "Sikkerhet Infusjonsreaksjoner; kjent profil.",
        "Ingen godkjent behandling; ingen åpen klinisk studie.",
        "Status i Nye metoder Ikke vurdert i Nye metoder for indikasjonen.",
        "Kostnad og budsjettvirkning Innenfor avdelingens budsjett.",
        "Medlemmets syn Innvilge med vilkår",
        "Odd Nilsen levert 2. mars 2026 kl. 12:30",
        "Vurder klinisk studie ved OUS.",
        "Medlemmets syn Avslå",
        "Inhabile medlemmer Lise Holm vurderte ikke saken: Nær kollega av søker.",
    ):
        assert expected in text, expected


async def test_a_committee_question_makes_the_case_wait_for_the_applicant_and_resume(env: Director) -> None:
    event, sak_id = await anchored(env)
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        frist = (today() + timedelta(days=20)).isoformat()
        body = {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": frist}
        await d.send_json("POST", f"/api/saker/{sak_id}/triage", body)
        question = TilleggsinformasjonEtterspurt(
            sporsmal_id=str(uuid.uuid4()), soknad_id=event.soknad_id, lopenummer=event.lopenummer,
            sporsmal="Hvilke behandlinger er prøvd før?", spurt_at=datetime.now(UTC),
            spurt_av_navn="Ingrid Berg", svarfrist=today() + timedelta(days=7),
        )  # fmt: skip
        await from_vurdering(env, question, event.lopenummer)
        await wait_until(lambda: _status(d, sak_id, "venter_pa_svar"))
        row = next(r for r in (await d.get("/api/innboks")).json()["saker"] if r["id"] == sak_id)
        assert row["hos"] == "Søker"
        text = " ".join(visible_text((await d.get(f"/sak/{sak_id}", headers=HTML)).text).split())
        assert "Venter på svar fra søker" in text
        assert "Ingrid Berg (komiteen) spurte" in text and "Hvilke behandlinger er prøvd før?" in text
        answer = TilleggsinformasjonBesvart(
            sporsmal_id=question.sporsmal_id, soknad_id=event.soknad_id, lopenummer=event.lopenummer,
            svar="Interferon og natalizumab.", besvart_at=datetime.now(UTC), besvart_av_navn="Kari Nordmann",
        )  # fmt: skip
        await publish(env, answer, event.lopenummer)
        # Back with the committee, where it was.
        await wait_until(lambda: _status(d, sak_id, "venter_pa_anbefaling"))
        text = " ".join(visible_text((await d.get(f"/sak/{sak_id}", headers=HTML)).text).split())
        assert "Interferon og natalizumab." in text
    # The committee's question is the committee's to follow up: no notification for the director.
    assert [art for art, _ in await varsler(env, sak_id)] == []


async def test_overdue_cases_are_notified_by_the_periodic_check_without_any_page(tmp_path: Any) -> None:
    clock = SettableClock(datetime.now(UTC))
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2)))
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    settings = BeslutningSettings(
        data_dir=tmp_path, log_json=False, outbox_poll_interval_s=0.05, forfalt_sjekk_intervall_s=0.05
    )
    async with running(create_app(settings, bus=bus, clock=clock)) as app:
        env = Director(bus=bus, app=app)
        event, sak_id = await anchored(env)
        db = app.state.runtime.db
        assert await saker_handlers.varsle_forfalte(db) == 0
        # Fifteen days on: past the simplified flow's fourteen, and nobody has opened a page.
        clock.at = clock.at + timedelta(days=15)

        async def notified() -> bool:
            return [art for art, _ in await varsler(env, sak_id)] == ["forfalt"]

        await wait_until(notified)
        async with db.unit_of_work() as uow:
            sak = await uow.session.get(Sak, sak_id)
            assert sak is not None and sak.forfalt_varslet and sak.versjon == 1
        # Once per case.
        assert await saker_handlers.varsle_forfalte(db) == 0
        assert [tekst for _, tekst in await varsler(env, sak_id)] == [
            f"Sak {event.lopenummer} har passert fristen ({(today() + timedelta(days=14)):%d.%m.%Y})."
        ]
    await bus.close()


async def test_the_phrase_api_names_the_field_that_is_wrong(env: Director) -> None:
    async with DemoClient(env.app, "hbe-admin") as admin:
        r = await admin.send_json(
            "POST", "/api/fraser", {"felt": "resept_merknad", "tittel": "Feil", "tekst": "Vedtak {ukjent}"}
        )
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["tekst"]
        assert "Ukjent plassholder: {ukjent}" in r.json()["errors"][0]["message"]
        for body in ({"url": "http://lovdata.no"}, {}):
            r = await admin.send_json(
                "POST", "/api/fraser", {"felt": "lenke", "tittel": "L", "tekst": "x", **body}
            )
            assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["url"], r.text
            assert "https://" in r.json()["errors"][0]["message"]
        made = await admin.send_json(
            "POST", "/api/fraser", {"felt": "lenke", "tittel": "L", "tekst": "x", "url": "https://lovdata.no"}
        )
        assert made.status_code == 201
        page = await admin.post(
            "/fraser",
            data={
                "csrf_token": await admin.csrf(),
                "felt": "lenke",
                "tittel": "L",
                "tekst": "x",
                "url": "ftp://x",
            },
        )
        assert page.status_code == 422 and "Adressen må begynne med https://" in page.text


async def test_cost_is_spread_per_month_and_exports_are_safe_from_formulas(env: Director) -> None:
    _event, sak_id = await anchored(env)
    start = date(today().year, today().month, 1) + timedelta(days=40)
    start = date(start.year, start.month, 1)
    body = {
        **innvilget(),
        "gyldig_fra": start.isoformat(),
        "gyldig_til": (start + timedelta(days=44)).isoformat(),
        "evalueringsdato": (start + timedelta(days=30)).isoformat(),
        "faktureringsrutine": '=HYPERLINK("https://x.example","Klikk")',
    }
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        assert (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", body)).status_code == 201
    async with DemoClient(env.app, "hbe-controller") as c:
        costs = (await c.get("/api/fakturering/kostnader")).json()
        # 45 days from the first of a month: all of that month and the rest in the next (not the
        # yearly estimate in the month of the decision).
        months = [(k["maned"], k["antall"], k["estimert_kostnad_nok"]) for k in costs]
        first_days = (date(start.year + (start.month == 12), start.month % 12 + 1, 1) - start).days
        assert months == [
            (start.strftime("%Y-%m"), 1, round(180_000 / 365 * first_days)),
            ((start + timedelta(days=44)).strftime("%Y-%m"), 1, round(180_000 / 365 * (45 - first_days))),
        ]
        page = visible_text((await c.get("/fakturering", headers=HTML)).text)
        assert "fordeles likt på dagene i gyldighetsperioden" in page
        csv_r = await c.get("/fakturering.csv")
        rows = list(csv.reader(io.StringIO(csv_r.text.lstrip("\ufeff")), delimiter=";"))
        rutine = rows[0].index("Faktureringsrutine")
        assert rows[1][rutine] == "'" + body["faktureringsrutine"]
        xlsx = await c.get("/fakturering.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["Behandlinger"]
    cell = sheet.cell(row=2, column=rutine + 1)
    assert cell.data_type == "s" and cell.value == "'" + body["faktureringsrutine"]
    assert book["Kostnad per enhet og måned"].cell(row=1, column=4).value == "Estimert kostnad i måneden (kr)"


async def test_co_authors_and_the_anchoring_leader_read_the_letter(env: Director) -> None:
    forankring = Forankring(
        leder_id="hbe-leder2", leder_navn="Eva Lund", begrunnelse="Faglig enig.", kostnadssted="HBE-4100"
    )
    # The anchoring event names the application's co-authors.
    _event, sak_id = await anchored(env, forankring=forankring, medforfattere=["hbe-soker2"])
    async with DemoClient(env.app, "hbe-fagdirektor") as d:
        vedtak_id = (await d.send_json("POST", f"/api/saker/{sak_id}/vedtak", innvilget())).json()["vedtak"][
            "id"
        ]
    # hbe-leder2 leads another unit: only having anchored this application lets her read it.
    for user in ("hbe-soker2", "hbe-leder2"):
        async with DemoClient(env.app, user) as reader:
            assert (await letter(reader, vedtak_id)).status_code == 200, user
            assert (await reader.get(f"/vedtak/{vedtak_id}/brev.pdf")).status_code == 200, user
    for user in ("ous-soker", "hbe-controller"):
        async with DemoClient(env.app, user) as stranger:
            assert (await letter(stranger, vedtak_id)).status_code == 404, user
