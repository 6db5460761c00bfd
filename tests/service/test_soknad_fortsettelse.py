"""Continuation: as a granted treatment's validity nears its end (configurable, 30 days by default) the
applicant is reminded once and applies for continuation with one click: a new draft prefilled from the
old application and its follow-up, linked both ways, with a new løpenummer when sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from soknad.samarbeid import validity_ending
from soknad.store.varsler import GYLDIGHET_UTLOPER, Varsel
from tests.support.apps import DemoClient
from tests.support.soknad_flyt import HTML, SOKER, Soknadsflyt, send_soknad, soknadsflyt, vedtak
from tests.support.visible_text import visible_text

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
LATER = datetime(2027, 1, 11, 10, tzinfo=UTC)  # 20 days before the validity ends


def text(html: str) -> str:
    return " ".join(visible_text(html).split())


async def reminders(flyt: Soknadsflyt) -> int:
    async with flyt.app.state.runtime.db.unit_of_work() as uow:
        value = await uow.session.scalar(
            select(func.count()).select_from(Varsel).where(Varsel.kind == GYLDIGHET_UTLOPER)
        )
    return int(value or 0)


def ending(idag: date, *, utfall: str = "innvilget", status: str = "vedtatt", dager: int = 30) -> int | None:
    return validity_ending(
        status=status, utfall=utfall, gyldig_til=date(2027, 1, 31), idag=idag, varsel_dager=dager
    )


def test_validity_ends_within_the_configured_days() -> None:
    end = date(2027, 1, 31)
    assert ending(end - timedelta(days=31)) is None
    assert ending(end - timedelta(days=30)) == 30
    assert ending(end + timedelta(days=2)) == -2
    assert ending(end - timedelta(days=20), dager=10) is None
    assert ending(end, utfall="avslatt") is None
    assert ending(end, status="opphevet") is None


async def test_one_click_continuation_prefilled_and_linked(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        old_id, old_lopenummer = await send_soknad(flyt)
        await flyt.publish(vedtak(old_id, old_lopenummer), lopenummer=old_lopenummer)
        async with DemoClient(flyt.app, SOKER) as soker:
            r = await soker.send_json(
                "POST",
                f"/api/soknader/{old_id}/oppfolging",
                {"effekt": "god", "bivirkninger": False, "fortsetter": True, "begrunnelse": "Attakkfri."},
            )
            assert r.status_code == 201, r.text
            # Not yet: a year of validity left.
            early = await soker.send_json("POST", f"/api/soknader/{old_id}/fortsettelse")
            assert early.status_code == 409 and "gyldighetsperioden" in early.json()["detail"]
            assert "Søk om fortsettelse" not in text((await soker.get(f"/s/{old_id}", headers=HTML)).text)

            flyt.clock.at = LATER
            for _ in range(2):
                start = text((await soker.get("/", headers=HTML)).text)
                assert "Vedtak som snart utløper" in start and old_lopenummer in start
            assert await reminders(flyt) == 1
            varsler = text((await soker.get("/varsler", headers=HTML)).text)
            assert f"Vedtaket i søknad {old_lopenummer} gjelder til 31. januar 2027." in varsler

            old_page = text((await soker.get(f"/s/{old_id}", headers=HTML)).text)
            assert "Vedtaket er gyldig i 20 dager til." in old_page and "Søk om fortsettelse" in old_page
            click = await soker.post(
                f"/s/{old_id}/fortsettelse", data={"csrf_token": await soker.csrf()}, headers=HTML
            )
            assert click.status_code == 303, click.text
            new_id = click.headers["location"].split("/s/", 1)[1].split("?", 1)[0]
            again = await soker.post(
                f"/s/{old_id}/fortsettelse", data={"csrf_token": await soker.csrf()}, headers=HTML
            )
            assert again.headers["location"] == click.headers["location"]  # the same draft, not a second

            new = (await soker.get(f"/api/soknader/{new_id}")).json()
            old = (await soker.get(f"/api/soknader/{old_id}")).json()
            assert new["status"] == "utkast" and new["lopenummer"] is None
            assert new["fortsettelse_av"] == old_id
            for same in ("legemiddel", "indikasjon", "dose", "pasient_fodselsnummer", "begrunnelse"):
                assert new["innhold"][same] == old["innhold"][same], same
            assert "samtykke_dato" not in new["innhold"]
            assert new["innhold"]["tidligere_behandling"].startswith(
                f"MabThera inf kons 10 mg/ml etter vedtak {old_lopenummer} (1. februar 2026–31. januar 2027)."
            )
            assert old["innhold"]["tidligere_behandling"] in new["innhold"]["tidligere_behandling"]
            utfall = new["innhold"]["tidligere_behandling_utfall"]
            assert utfall.startswith(
                "Effekt av behandlingen så langt:\nOppfølging 20. januar 2026: god effekt"
            )
            assert "Attakkfri." in utfall

            draft_page = text((await soker.get(f"/s/{new_id}", headers=HTML)).text)
            assert (
                f"Denne søknaden gjelder fortsettelse av behandlingen i søknad {old_lopenummer}" in draft_page
            )
            old_page = text((await soker.get(f"/s/{old_id}", headers=HTML)).text)
            assert "Søknad om fortsettelse: utkast (utkast)" in old_page
            assert "Søk om fortsettelse" not in old_page

            r = await soker.send_json(
                "PUT",
                f"/api/soknader/{new_id}",
                {"versjon": new["versjon"], "innhold": {"samtykke_dato": "2027-01-10"}},
            )
            assert r.status_code == 200, r.text
            r = await soker.send_json("POST", f"/api/soknader/{new_id}/send", {})
            assert r.status_code == 200, r.text
            assert r.json()["lopenummer"] not in (None, old_lopenummer)
            assert r.json()["lopenummer"].startswith("HBE-2027-")
        async with DemoClient(flyt.app, "hbe-soker2") as other:
            r = await other.send_json("POST", f"/api/soknader/{old_id}/fortsettelse")
            assert r.status_code == 404


async def test_the_reminder_days_are_configurable(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW, fortsettelse_varsel_dager=10) as flyt:
        old_id, old_lopenummer = await send_soknad(flyt)
        await flyt.publish(vedtak(old_id, old_lopenummer), lopenummer=old_lopenummer)
        flyt.clock.at = LATER
        async with DemoClient(flyt.app, SOKER) as soker:
            assert "Vedtak som snart utløper" not in text((await soker.get("/", headers=HTML)).text)
            assert (await soker.send_json("POST", f"/api/soknader/{old_id}/fortsettelse")).status_code == 409
        assert await reminders(flyt) == 0
