"""The director's triage in soknad: the simplified flow and tilgangsordningen, published on the bus as
beslutning publishes them, land in the case history with who and when (the applicant's, the leader's
and the register's alike), the applicant's page says where the case is, and an interregional decision
says who made it and who registered it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from shared.events.contracts import SakTilForenkletBehandling, SakVideresendtInterregionalt
from shared.events.envelope import Envelope
from tests.support.apps import DemoClient
from tests.support.soknad_flyt import HTML, LEDER, SOKER, Soknadsflyt, send_soknad, soknadsflyt, vedtak
from tests.support.visible_text import visible_text

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
VALGT_AT = datetime(2026, 1, 21, 8, 30, tzinfo=UTC)
"""Later than the clock soknad handles the event by: the history shows when the director chose."""


def text(html: str) -> str:
    return " ".join(visible_text(html).split())


def history_of(html: str) -> str:
    return text(html.split('id="historikk-tittel"', 1)[1].split("</section>", 1)[0])


def in_order(history: str, steps: list[str]) -> None:
    positions = [history.find(step) for step in steps]
    assert all(p >= 0 for p in positions), list(zip(steps, positions, strict=True))
    assert positions == sorted(positions), list(zip(steps, positions, strict=True))


async def page_of(flyt: Soknadsflyt, user: str, path: str) -> str:
    async with DemoClient(flyt.app, user) as client:
        response = await client.get(path, headers=HTML)
    assert response.status_code == 200, (user, path, response.status_code)
    return response.text


async def register_history(flyt: Soknadsflyt, soknad_id: str) -> str:
    return history_of(await page_of(flyt, "hbe-fagdirektor", f"/register/{soknad_id}"))


async def test_the_simplified_flow_shows_who_chose_it_and_when(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        event = SakTilForenkletBehandling(
            soknad_id=soknad_id,
            lopenummer=lopenummer,
            frist=date(2026, 2, 4),
            valgt_av="hbe-fagdirektor",
            valgt_av_navn="Lars Haugen",
            valgt_at=VALGT_AT,
        )
        envelope = Envelope(
            source="/hf/HBE/beslutning",
            type=event.TYPE,
            subject=lopenummer,
            hf="HBE",
            correlationid=str(uuid.uuid4()),
            data=event.model_dump(mode="json"),
        )
        # Delivered twice (the broker's at-least-once), then re-published under a new event id.
        for _ in range(2):
            await flyt.bus.publish(envelope, exchange="beslutning.events")
            await flyt.bus.drain()
        await flyt.publish(event, lopenummer=lopenummer)

        step = (
            "21. januar 2026 kl. 09:30 – Lars Haugen: Fagdirektøren behandler saken selv (forenklet "
            "behandling), frist for vedtak 4. februar 2026"
        )
        for user in (SOKER, LEDER):
            shown = text(await page_of(flyt, user, f"/s/{soknad_id}"))
            assert "Søknad " + lopenummer + " Under vurdering" in shown
            assert "Fagdirektøren behandler saken selv Lars Haugen valgte 21. januar 2026 kl. 09:30" in shown
            assert "Frist for vedtak: 4. februar 2026." in shown
            assert shown.count("Fagdirektøren behandler saken selv (forenklet behandling)") == 1, user
            assert step in shown
        assert step in await register_history(flyt, soknad_id)

        await flyt.publish(
            vedtak(soknad_id, lopenummer, utfall="innvilget", vurderingsflyt="forenklet"),
            lopenummer=lopenummer,
        )
        expected = [
            "Sendt til forankring",
            "Forankret og sendt til vurdering",
            step,
            "30. januar 2026 kl. 11:00 – Lars Haugen: Vedtak: Innvilget, gyldig til 31. januar 2027",
        ]
        soker_page = await page_of(flyt, SOKER, f"/s/{soknad_id}")
        in_order(history_of(soker_page), expected)
        in_order(await register_history(flyt, soknad_id), expected)
        shown = text(soker_page)
        # Decided: the page shows the decision, no longer the flow the case was in.
        assert "Fagdirektøren behandler saken selv Lars Haugen" not in shown
        assert "Vedtatt av Lars Haugen, 30. januar 2026 kl. 11:00" in shown
        assert "Forenklet (fagdirektøren avgjør direkte)" in shown
        assert "Søknadsportalen" not in history_of(soker_page)


def videresendt(soknad_id: str, lopenummer: str) -> SakVideresendtInterregionalt:
    """The director forwards the case to the interregional committee, as beslutning publishes it."""
    return SakVideresendtInterregionalt(
        soknad_id=soknad_id,
        lopenummer=lopenummer,
        frist=date(2026, 4, 21),
        videresendt_av="hbe-fagdirektor",
        videresendt_av_navn="Lars Haugen",
        videresendt_at=VALGT_AT,
    )


async def test_tilgangsordningen_shows_the_interregional_committee_and_the_trust_registering(
    tmp_path: Path,
) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt, kategori="tilgangsordningen")
        await flyt.publish(
            videresendt(soknad_id, lopenummer),
            lopenummer=lopenummer,
        )
        step = (
            "21. januar 2026 kl. 09:30 – Lars Haugen: Videresendt til den interregionale vurderingskomiteen "
            "(tilgangsordningen), forventet avgjort innen 21. april 2026"
        )
        for user in (SOKER, LEDER):
            shown = text(await page_of(flyt, user, f"/s/{soknad_id}"))
            assert "Saken er hos den interregionale vurderingskomiteen" in shown
            assert (
                "Lars Haugen videresendte saken 21. januar 2026 kl. 09:30 til den interregionale "
                "vurderingskomiteen etter tilgangsordningen. Det er denne komiteen som avgjør saken, "
                "ikke helseforetaket." in shown
            )
            assert "kan ta inntil 90 dager. Vedtaket ventes senest 21. april 2026." in shown
            assert step in shown
            varsler = text(await page_of(flyt, user, "/varsler"))
            assert (
                f"Søknad {lopenummer} er videresendt til den interregionale vurderingskomiteen av "
                "Lars Haugen. Vedtaket kan ta inntil 90 dager; forventet innen 21. april 2026." in varsler
            ), user
        assert step in await register_history(flyt, soknad_id)

        decision = vedtak(
            soknad_id,
            lopenummer,
            utfall="innvilget",
            vurderingsflyt="interregional",
            interregional_referanse="IRK-2026-0042",
            interregional_vedtaksdato=date(2026, 3, 30),
            fattet_at=datetime(2026, 4, 2, 7, 45, tzinfo=UTC),
            resept_merknad="Tilgangsordningen, IRK-2026-0042.",
            faktureringsrutine="Faktureres Nevrologisk avdeling, kostnadssted 4100.",
        )
        await flyt.publish(decision, lopenummer=lopenummer)
        decided = (
            "2. april 2026 kl. 09:45 – Lars Haugen: Vedtak: Innvilget, gyldig til 31. januar 2027. "
            "Avgjort av den interregionale vurderingskomiteen (referanse IRK-2026-0042, "
            "vedtatt 30. mars 2026), registrert av helseforetaket"
        )
        expected = ["Sendt til forankring", "Forankret og sendt til vurdering", step, decided]
        for user in (SOKER, LEDER):
            raw = await page_of(flyt, user, f"/s/{soknad_id}")
            shown = text(raw)
            in_order(history_of(raw), expected)
            assert "Saken er hos den interregionale vurderingskomiteen" not in shown
            assert "Vedtak: Innvilget" in shown
            assert (
                "Vedtatt av Den interregionale vurderingskomiteen, referanse IRK-2026-0042, 30. mars 2026"
                in shown
            )
            assert "Registrert av Lars Haugen, Helse Bergen, 2. april 2026 kl. 09:45" in shown
            assert "Vedtatt av Lars Haugen" not in shown
            assert "Merknad på resepten Tilgangsordningen, IRK-2026-0042." in shown
            varsler = text(await page_of(flyt, user, "/varsler"))
            assert (
                f"Vedtak i søknad {lopenummer}: innvilget. Avgjort av den interregionale vurderingskomiteen "
                "og registrert av Lars Haugen." in varsler
            ), user
        register = await page_of(flyt, "hbe-fagdirektor", f"/register/{soknad_id}")
        in_order(history_of(register), expected)
        assert "Registrert av Lars Haugen, Helse Bergen" in text(register)
        assert "Søknadsportalen" not in history_of(register)


async def test_a_refused_interregional_decision_names_the_committee(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt, kategori="tilgangsordningen")
        await flyt.publish(
            vedtak(
                soknad_id,
                lopenummer,
                utfall="avslatt",
                vurderingsflyt="interregional",
                interregional_referanse="IRK-2026-0043",
            ),
            lopenummer=lopenummer,
        )
        shown = text(await page_of(flyt, SOKER, f"/s/{soknad_id}"))
    assert (
        "Avgjort av den interregionale vurderingskomiteen, registrert 30. januar 2026 kl. 11:00 "
        "av Lars Haugen." in shown
    )
    assert "Vedtatt av Den interregionale vurderingskomiteen, referanse IRK-2026-0043" in shown


async def test_a_triage_after_the_withdrawal_is_on_record_only(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        async with DemoClient(flyt.app, SOKER) as soker:
            r = await soker.send_json("POST", f"/api/soknader/{soknad_id}/trekk", {})
            assert r.status_code == 200, r.text
        await flyt.publish(
            videresendt(soknad_id, lopenummer),
            lopenummer=lopenummer,
        )
        shown = text(await page_of(flyt, SOKER, f"/s/{soknad_id}"))
        varsler = text(await page_of(flyt, SOKER, "/varsler"))
    assert "Trukket" in shown
    assert "Lars Haugen: Videresendt til den interregionale vurderingskomiteen" in shown
    assert "Saken er hos den interregionale vurderingskomiteen" not in shown
    assert "videresendt til den interregionale" not in varsler
