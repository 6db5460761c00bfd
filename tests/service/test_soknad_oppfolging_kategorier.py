"""Follow-up with categories: why the treatment stopped and the gravest adverse event are asked when they
apply, travel in `OppfolgingRegistrert` (the free texts never do), and bad input names the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.events.contracts import OppfolgingRegistrert
from tests.support.apps import DemoClient
from tests.support.soknad_flyt import HTML, SOKER, send_soknad, soknadsflyt, vedtak
from tests.support.visible_text import visible_text

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)

STOPPED: dict[str, Any] = {
    "effekt": "ingen",
    "bivirkninger": True,
    "bivirkninger_beskrivelse": "Alvorlig infusjonsreaksjon.",
    "bivirkningsgrad": "alvorlig",
    "fortsetter": False,
    "avslutningsarsak": "manglende_effekt",
    "begrunnelse": "Ingen bedring etter to kurer.",
}


async def test_categories_are_required_when_they_apply_and_travel(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        await flyt.publish(vedtak(soknad_id, lopenummer), lopenummer=lopenummer)
        url = f"/api/soknader/{soknad_id}/oppfolging"
        async with DemoClient(flyt.app, SOKER) as soker:
            for change, field in (
                ({"avslutningsarsak": ""}, "avslutningsarsak"),
                ({"bivirkningsgrad": ""}, "bivirkningsgrad"),
                ({"bivirkningsgrad": "verst"}, "bivirkningsgrad"),
                ({"avslutningsarsak": "lei"}, "avslutningsarsak"),
            ):
                r = await soker.send_json("POST", url, {**STOPPED, **change})
                assert r.status_code == 422, r.text
                assert r.headers["content-type"].startswith("application/problem+json")
                assert field in {e["field"] for e in r.json()["errors"]}, r.json()

            page = await soker.post(
                f"/s/{soknad_id}/oppfolging",
                data={
                    "csrf_token": await soker.csrf(),
                    "effekt": "delvis",
                    "bivirkninger": "ja",
                    "bivirkninger_beskrivelse": "Utslett.",
                    "fortsetter": "nei",
                    "begrunnelse": "Pasienten ville slutte.",
                },
                headers=HTML,
            )
            assert page.status_code == 422
            shown = " ".join(visible_text(page.text).split())
            assert "Velg hvorfor behandlingen ble avsluttet." in shown
            assert "Velg hvor alvorlig den alvorligste bivirkningen var." in shown
            assert ">Pasienten ville slutte.</textarea>" in page.text

            r = await soker.send_json("POST", url, STOPPED)
            assert r.status_code == 201, r.text
            assert (r.json()["avslutningsarsak"], r.json()["bivirkningsgrad"]) == (
                "manglende_effekt",
                "alvorlig",
            )
            # Categories that do not apply are not kept, even when sent.
            r = await soker.send_json(
                "POST",
                url,
                {
                    "effekt": "god",
                    "bivirkninger": False,
                    "bivirkningsgrad": "lett",
                    "fortsetter": True,
                    "avslutningsarsak": "annet",
                },
            )
            assert r.status_code == 201, r.text
            assert (r.json()["avslutningsarsak"], r.json()["bivirkningsgrad"]) == (None, None)
            listing = " ".join(
                visible_text((await soker.get(f"/s/{soknad_id}/oppfolging", headers=HTML)).text).split()
            )
        events = await flyt.wait_for(OppfolgingRegistrert, soknad_id, count=2)
    assert [(e.effekt, e.fortsetter, e.avslutningsarsak, e.bivirkningsgrad) for e in events] == [
        ("ingen", False, "manglende_effekt", "alvorlig"),
        ("god", True, None, None),
    ]
    assert "Ja (alvorlig (grad 3)): Alvorlig infusjonsreaksjon." in listing
    assert "Avsluttet (manglende effekt): Ingen bedring etter to kurer." in listing
    raw = [e.model_dump() for e in events]
    assert all("begrunnelse" not in e and "bivirkninger_beskrivelse" not in e for e in raw)
