"""The committee and the medical director on the embedded default: an anchored application becomes an
assessment case and a decision case, the director's triage (`SakSendtTilKomite`) puts it in the
committee's queue, the recommendation and the decision travel through the outbox, and the rules hold
at the HTTP edge (409 twice, 422 with the field, other trusts kept out, no double case on
redelivery)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.domain.kalender import oslo_date
from shared.events.base import EventContract
from shared.events.common import Forankring, Indikasjon, Komitemedlem, Kriterievurdering, Legemiddel, Pasient
from shared.events.contracts import (
    AnbefalingAvgitt,
    SakSendtTilKomite,
    SoknadForankret,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.recording import record_events
from tests.support.waiting import wait_until
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings
from vurdering.store import Sak as VurderingSak

PROBLEM = "application/problem+json"
SOKNAD_EXCHANGE = "soknad.events"
TODAY = oslo_date(datetime.now(UTC))


@dataclass
class Flow:
    bus: MemoryBus
    vurdering: FastAPI
    beslutning: FastAPI
    seen: list[Envelope] = field(default_factory=list)
    """Events a test subscriber received from the vurdering and beslutning exchanges."""

    def events(self, contract: type[EventContract], subject: str) -> list[Envelope]:
        return [e for e in self.seen if e.type == contract.TYPE and e.subject == subject]


@pytest_asyncio.fixture
async def flow(tmp_path: Any) -> AsyncIterator[Flow]:
    # Short retry delays: an event that overtakes the anchoring is retried within the test.
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2, 0.4, 0.8, 1.6)))
    await bus.connect()
    await bus.declare_exchange(SOKNAD_EXCHANGE)
    # Also makes TilleggsinformasjonEtterspurt routable: soknad, its real consumer, is not running here.
    seen = await record_events(
        bus,
        [
            ("beslutning.events", VedtakFattet),
            ("vurdering.events", AnbefalingAvgitt),
            ("vurdering.events", TilleggsinformasjonEtterspurt),
        ],
    )
    common: dict[str, Any] = {"log_json": False, "outbox_poll_interval_s": 0.05}
    vurdering = create_vurdering(VurderingSettings(data_dir=tmp_path / "vurdering", **common), bus=bus)
    beslutning = create_beslutning(BeslutningSettings(data_dir=tmp_path / "beslutning", **common), bus=bus)
    async with running(vurdering), running(beslutning):
        yield Flow(bus=bus, vurdering=vurdering, beslutning=beslutning, seen=seen)
    await bus.close()


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
            navn="Testa Testesen",
            fodselsdato=born,
            kjonn="kvinne",
        ),
        "legemiddel": Legemiddel(
            navn="MabThera inf kons 10 mg/ml", virkestoff="rituksimab", atc="L01FA01", verifisert=True
        ),
        "indikasjon": Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        "begrunnelse": "Attakker tross to linjer sykdomsmodifiserende behandling.",
        "estimert_kostnad_nok": 120_000,
        "sendt_at": now - timedelta(days=2),
        "forankret_at": now,
        "forankring": Forankring(
            leder_id="hbe-leder",
            leder_navn="Per Hansen",
            begrunnelse="Faglig og budsjettmessig enig.",
            kostnadssted="4100",
        ),
    }
    data.update(overrides)
    return SoknadForankret(**data)


def envelope_of(event: EventContract, *, subject: str, source: str = "/hf/HBE/soknad") -> Envelope:
    return Envelope(
        source=source,
        type=event.TYPE,
        hf="HBE",
        subject=subject,
        correlationid="t",
        data=event.model_dump(mode="json"),
    )


async def publish_forankret(flow: Flow, event: SoknadForankret) -> Envelope:
    envelope = envelope_of(event, subject=event.lopenummer)
    await flow.bus.publish(envelope, exchange=SOKNAD_EXCHANGE)
    return envelope


async def send_til_komite(
    flow: Flow,
    event: SoknadForankret,
    *,
    medlemmer: tuple[tuple[str, str], ...] = (("hbe-komite", "Ingrid Berg"),),
    frist: date | None = None,
) -> SakSendtTilKomite:
    """The director's triage to the complete flow, as beslutning publishes it."""
    sendt = SakSendtTilKomite(
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        medlemmer=[Komitemedlem(id=i, navn=n) for i, n in medlemmer],
        frist=frist or TODAY + timedelta(days=14),
        merknad="Vurder særlig dokumentasjonen.",
        sendt_av="hbe-fagdirektor",
        sendt_av_navn="Lars Haugen",
        sendt_at=datetime.now(UTC),
    )
    await flow.bus.publish(
        envelope_of(sendt, subject=event.lopenummer, source="/hf/HBE/beslutning"),
        exchange="beslutning.events",
    )
    return sendt


async def find_case(client: DemoClient, lopenummer: str) -> dict[str, Any] | None:
    response = await client.get("/api/saker")
    assert response.status_code == 200, response.text
    return next((s for s in response.json() if s["lopenummer"] == lopenummer), None)


async def wait_for_case(client: DemoClient, lopenummer: str, *, status: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def arrived() -> bool:
        case = await find_case(client, lopenummer)
        if case is None or (status is not None and case["status"] != status):
            return False
        found.update(case)
        return True

    await wait_until(arrived)
    return found


ANBEFALING: dict[str, Any] = {
    "anbefaling": "innvilge_med_vilkar",
    "begrunnelse": "Alvorlig sykdom, moderat dokumentasjon; bør evalueres etter seks måneder.",
    "vilkar": "Evaluering etter seks måneder; registrering i Norsk MS-register.",
    "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
}


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["detail"]
    if fields:
        assert {e["field"] for e in body["errors"]} >= set(fields), body
    return body


async def test_committee_recommends_and_director_decides(flow: Flow) -> None:
    event = forankret()
    await publish_forankret(flow, event)
    await send_til_komite(flow, event)
    async with (
        DemoClient(flow.vurdering, "hbe-komite") as komite,
        DemoClient(flow.beslutning, "hbe-fagdirektor") as direktor,
    ):
        summary = await wait_for_case(komite, event.lopenummer, status="til_vurdering")
        sak_id = summary["id"]
        assert summary["legemiddel"] == "MabThera inf kons 10 mg/ml"

        full = (await komite.get(f"/api/saker/{sak_id}")).json()
        assert full["snapshot"]["pasient"]["navn"] == "Testa Testesen"
        async with flow.vurdering.state.runtime.db.unit_of_work() as uow:
            audit = flow.vurdering.state.runtime.db.tables.audit
            reads = (
                await uow.session.execute(
                    select(audit.c.actor_id, audit.c.what).where(audit.c.case_ref == event.lopenummer)
                )
            ).all()
        assert ("hbe-komite", "vurdering.vis") in reads

        url = f"/api/saker/{sak_id}/anbefaling"
        blank = {**ANBEFALING, "begrunnelse": "  "}
        assert_problem(await komite.send_json("POST", url, blank), 422, "begrunnelse")
        bad_score = {**ANBEFALING, "kriterier": {**ANBEFALING["kriterier"], "nytte": 5}}
        assert_problem(await komite.send_json("POST", url, bad_score), 422, "kriterier.nytte")
        unknown = {**ANBEFALING, "anbefaling": "kanskje"}
        assert_problem(await komite.send_json("POST", url, unknown), 422, "anbefaling")
        no_conditions = {**ANBEFALING, "vilkar": " "}
        assert_problem(await komite.send_json("POST", url, no_conditions), 422, "vilkar")

        sporsmal = {"sporsmal": "Hvilke behandlinger er prøvd, og hvorfor ble de avsluttet?"}
        asked = await komite.send_json("POST", f"/api/saker/{sak_id}/tilleggsinformasjon", sporsmal)
        assert asked.status_code == 201, asked.text
        await wait_until(lambda: flow.events(TilleggsinformasjonEtterspurt, event.lopenummer))
        # The case waits for the answer: no recommendation meanwhile; it resumes when soknad says so.
        await wait_for_case(komite, event.lopenummer, status="venter_pa_svar")
        waiting = assert_problem(await komite.send_json("POST", url, ANBEFALING), 409)
        assert "venter på svar fra søker" in waiting["detail"]
        svar = TilleggsinformasjonBesvart(
            sporsmal_id=asked.json()["id"],
            soknad_id=event.soknad_id,
            lopenummer=event.lopenummer,
            svar="Interferon og natalizumab; avsluttet for attakker.",
            besvart_at=datetime.now(UTC),
            besvart_av_navn="Kari Nordmann",
        )
        await flow.bus.publish(envelope_of(svar, subject=event.lopenummer), exchange=SOKNAD_EXCHANGE)
        await wait_for_case(komite, event.lopenummer, status="til_vurdering")

        recommended = await komite.send_json("POST", url, ANBEFALING)
        assert recommended.status_code == 200, recommended.text
        assert recommended.json()["status"] == "anbefalt"
        assert recommended.json()["anbefaling"]["kriterier"]["alvorlighet"] == 3
        twice = assert_problem(await komite.send_json("POST", url, ANBEFALING), 409)
        assert "anbefaling" in twice["detail"]
        await wait_until(lambda: flow.events(AnbefalingAvgitt, event.lopenummer))
        avgitt = flow.events(AnbefalingAvgitt, event.lopenummer)[0]
        assert avgitt.hf == "HBE"
        assert avgitt.data["avgitt_av_navn"] == "Ingrid Berg"
        assert avgitt.data["vilkar"] == ANBEFALING["vilkar"]

        ready = await wait_for_case(direktor, event.lopenummer, status="klar_for_vedtak")
        assert ready["anbefaling"] == "innvilge_med_vilkar"
        vedtak_url = f"/api/saker/{ready['id']}/vedtak"
        good = {
            "utfall": "innvilget_med_vilkar",
            "begrunnelse": "Innvilges i tråd med komiteens anbefaling.",
            "vilkar": "Evaluer effekten etter seks måneder og registrer i Norsk MS-register.",
            "gyldig_til": (TODAY + timedelta(days=365)).isoformat(),
            "evalueringsdato": (TODAY + timedelta(days=180)).isoformat(),
        }
        stale = assert_problem(await direktor.send_json("POST", vedtak_url, {**good, "versjon": 1}), 409)
        assert stale["type"].endswith("versjonskonflikt")
        assert_problem(await direktor.send_json("POST", vedtak_url, {**good, "vilkar": ""}), 422, "vilkar")
        yesterday = (TODAY - timedelta(days=1)).isoformat()
        assert_problem(
            await direktor.send_json("POST", vedtak_url, {**good, "evalueringsdato": yesterday}),
            422,
            "evalueringsdato",
        )
        assert_problem(
            await direktor.send_json("POST", vedtak_url, {**good, "gyldig_til": "i morgen"}),
            422,
            "gyldig_til",
        )

        decided = await direktor.send_json("POST", vedtak_url, {**good, "versjon": ready["versjon"]})
        assert decided.status_code == 201, decided.text
        assert decided.json()["status"] == "vedtatt"
        assert decided.json()["vedtak"]["vurderingsflyt"] == "komplett"

        await wait_until(lambda: flow.events(VedtakFattet, event.lopenummer))
        published = flow.events(VedtakFattet, event.lopenummer)
        assert len(published) == 1
        assert published[0].data["utfall"] == "innvilget_med_vilkar"
        assert published[0].data["soknad_id"] == event.soknad_id

        again = assert_problem(await direktor.send_json("POST", vedtak_url, good), 409)
        assert "allerede" in again["detail"]

        closed = await wait_for_case(komite, event.lopenummer, status="avsluttet")
        assert (await komite.get(f"/api/saker/{closed['id']}")).json()["utfall"] == "innvilget_med_vilkar"

    async with DemoClient(flow.beslutning, "hbe-controller") as controller:
        page = await controller.get("/fakturering")
        assert page.status_code == 200
        assert event.lopenummer in page.text and "4100" in page.text


async def test_director_decides_without_the_committee(flow: Flow) -> None:
    event = forankret(kategori="godkjenningsfritak")
    await publish_forankret(flow, event)
    async with (
        DemoClient(flow.beslutning, "hbe-fagdirektor") as direktor,
        DemoClient(flow.vurdering, "hbe-komite") as komite,
    ):
        waiting = await wait_for_case(direktor, event.lopenummer, status="til_triage")
        decided = await direktor.send_json(
            "POST",
            f"/api/saker/{waiting['id']}/vedtak",
            {
                "utfall": "avslatt",
                "begrunnelse": "Godkjent alternativ er ikke prøvd.",
            },
        )
        assert decided.status_code == 201, decided.text
        assert decided.json()["vedtak"]["vurderingsflyt"] == "forenklet"

        # The committee never had the case: not in its queue, and no committee step is possible.
        db = flow.vurdering.state.runtime.db

        async def closed_in_vurdering() -> bool:
            async with db.unit_of_work() as uow:
                sak = await uow.session.scalar(
                    select(VurderingSak).where(VurderingSak.soknad_id == event.soknad_id)
                )
                return sak is not None and sak.status == "avsluttet" and sak.flyt == "forenklet"

        await wait_until(closed_in_vurdering)
        assert await find_case(komite, event.lopenummer) is None
        async with db.unit_of_work() as uow:
            sak_id = await uow.session.scalar(
                select(VurderingSak.id).where(VurderingSak.soknad_id == event.soknad_id)
            )
        late = await komite.send_json("POST", f"/api/saker/{sak_id}/anbefaling", ANBEFALING)
        assert "forenklet" in assert_problem(late, 409)["detail"]

    async with DemoClient(flow.beslutning, "hbe-controller") as controller:
        # A refusal is not invoiced.
        assert event.lopenummer not in (await controller.get("/fakturering")).text


async def test_another_trust_cannot_see_or_touch_the_case(flow: Flow) -> None:
    event = forankret()
    await publish_forankret(flow, event)
    await send_til_komite(flow, event)
    async with (
        DemoClient(flow.vurdering, "hbe-komite") as komite,
        DemoClient(flow.beslutning, "hbe-fagdirektor") as direktor,
    ):
        vurdering_id = (await wait_for_case(komite, event.lopenummer))["id"]
        beslutning_id = (await wait_for_case(direktor, event.lopenummer))["id"]

    async with DemoClient(flow.vurdering, "ous-komite") as ous:
        assert await find_case(ous, event.lopenummer) is None
        # Not even the case's existence is told across trusts.
        assert (await ous.get(f"/api/saker/{vurdering_id}")).status_code == 404
        assert (await ous.get(f"/sak/{vurdering_id}")).status_code == 404
        assert_problem(await ous.send_json("POST", f"/api/saker/{vurdering_id}/anbefaling", ANBEFALING), 404)
    async with DemoClient(flow.beslutning, "ous-fagdirektor") as ous:
        assert (await ous.get(f"/api/saker/{beslutning_id}")).status_code in (403, 404)
        decided = await ous.send_json(
            "POST", f"/api/saker/{beslutning_id}/vedtak", {"utfall": "innvilget", "begrunnelse": "Nei."}
        )
        assert decided.status_code in (403, 404)
    async with DemoClient(flow.vurdering, "hbe-soker") as soker:
        # The applicant has no business in the committee's case.
        assert (await soker.get(f"/api/saker/{vurdering_id}")).status_code == 403


async def test_a_redelivered_anchoring_creates_no_second_case(flow: Flow) -> None:
    event = forankret()
    envelope = await publish_forankret(flow, event)
    await flow.bus.publish(envelope, exchange=SOKNAD_EXCHANGE)
    await flow.bus.drain()
    await flow.bus.publish(envelope, exchange=SOKNAD_EXCHANGE)
    await flow.bus.drain()
    await send_til_komite(flow, event)
    await flow.bus.drain()
    async with (
        DemoClient(flow.vurdering, "hbe-komite") as komite,
        DemoClient(flow.beslutning, "hbe-fagdirektor") as direktor,
    ):
        for client in (komite, direktor):
            listed = (await client.get("/api/saker")).json()
            cases = [s for s in listed if s["lopenummer"] == event.lopenummer]
            assert len(cases) == 1


async def test_a_recommendation_that_overtakes_the_anchoring_is_retried(flow: Flow) -> None:
    event = forankret()
    anbefaling = AnbefalingAvgitt(
        sak_id=str(uuid.uuid4()),
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        anbefaling="innvilge",
        begrunnelse="God dokumentasjon.",
        kriterier=Kriterievurdering(alvorlighet=2, nytte=3, ressursbruk=1, evidenskvalitet=3),
        avgitt_av="hbe-komite",
        avgitt_at=datetime.now(UTC),
    )
    await flow.bus.publish(
        envelope_of(anbefaling, subject=event.lopenummer, source="/hf/HBE/vurdering"),
        exchange="vurdering.events",
    )
    registry = flow.beslutning.state.runtime.metrics.registry
    failures = {"service": "beslutning", "type": AnbefalingAvgitt.TYPE}
    await wait_until(lambda: (registry.get_sample_value("sp_events_failed_total", failures) or 0) >= 1)

    await publish_forankret(flow, event)
    async with DemoClient(flow.beslutning, "hbe-fagdirektor") as direktor:
        ready = await wait_for_case(direktor, event.lopenummer, status="klar_for_vedtak")
    assert ready["anbefaling"] == "innvilge"
    queue = f"evt-vurdering.events-{AnbefalingAvgitt.TYPE}--beslutning.on_anbefaling_avgitt"
    assert await flow.bus.dead_letter_count(queue) == 0


async def test_the_pages_work_without_javascript(flow: Flow) -> None:
    event = forankret()
    await publish_forankret(flow, event)
    await send_til_komite(flow, event)
    async with DemoClient(flow.vurdering, "hbe-komite") as komite:
        sak_id = (await wait_for_case(komite, event.lopenummer))["id"]
        listing = await komite.get("/")
        assert listing.status_code == 200 and event.lopenummer in listing.text
        page = await komite.get(f"/sak/{sak_id}")
        assert page.status_code == 200
        assert "Testa Testesen" in page.text and 'name="kriterier.alvorlighet"' in page.text
        assert page.headers["cache-control"] == "no-store"

        token = await komite.csrf()
        incomplete = await komite.post(
            f"/sak/{sak_id}/anbefaling",
            data={
                "csrf_token": token,
                "anbefaling": "innvilge",
                "kriterier.alvorlighet": "3",
                "begrunnelse": "",
            },
        )
        assert incomplete.status_code == 422
        assert "Skriv en begrunnelse for anbefalingen." in incomplete.text
        assert "Velg lav, moderat eller høy for nytte." in incomplete.text
        assert 'value="3" checked' in incomplete.text  # what was chosen is kept

        done = await komite.post(
            f"/sak/{sak_id}/anbefaling",
            data={
                "csrf_token": token,
                "anbefaling": "innvilge",
                "begrunnelse": "God dokumentasjon.",
                "kriterier.alvorlighet": "3",
                "kriterier.nytte": "3",
                "kriterier.ressursbruk": "1",
                "kriterier.evidenskvalitet": "2",
            },
        )
        assert done.status_code == 303
        shown = await komite.get(done.headers["location"])
        assert "Anbefalingen er registrert" in shown.text

    async with DemoClient(flow.beslutning, "hbe-fagdirektor") as direktor:
        ready = await wait_for_case(direktor, event.lopenummer, status="klar_for_vedtak")
        token = await direktor.csrf()
        form = {
            "csrf_token": token,
            "versjon": str(ready["versjon"]),
            "utfall": "innvilget_med_vilkar",
            "begrunnelse": "Innvilges.",
            "vilkar": "",
            "gyldig_til": "",
            "evalueringsdato": "",
        }
        refused = await direktor.post(f"/sak/{ready['id']}/vedtak", data=form)
        assert refused.status_code == 422
        assert "Skriv vilkårene" in refused.text
        assert "Innvilges." in refused.text  # nothing typed is lost

        form["vilkar"] = "Evaluer etter seks måneder."
        done = await direktor.post(f"/sak/{ready['id']}/vedtak", data=form)
        assert done.status_code == 303
        shown = await direktor.get(done.headers["location"])
        assert "Vedtak: Innvilget med vilkår" in shown.text

        twice = await direktor.post(f"/sak/{ready['id']}/vedtak", data=form)
        assert twice.status_code == 409
        assert "kan ikke få et nytt vedtak" in twice.text
