"""Requests for more information from the committee and the director: the applicant sees who asked and
by when, answers, and may update answers of the application with the form's own rules; nothing already
saved is lost, bad input is a Norwegian message naming the field (422), and the answer's event carries
who answered, the changed fields and the whole application after the answer."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from shared.events.contracts import (
    SoknadForankret,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    TilleggsinformasjonEtterspurtAvFagdirektor,
)
from tests.support.apps import DemoClient
from tests.support.soknad_flyt import HTML, SOKER, Soknadsflyt, send_soknad, soknadsflyt
from tests.support.visible_text import visible_text

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
PROBLEM = "application/problem+json"


def text(html: str) -> str:
    return " ".join(visible_text(html).split())


async def ask(flyt: Soknadsflyt, soknad_id: str, lopenummer: str, *, fagdirektor: bool = True) -> str:
    contract = TilleggsinformasjonEtterspurtAvFagdirektor if fagdirektor else TilleggsinformasjonEtterspurt
    sporsmal_id = str(uuid.uuid4())
    await flyt.publish(
        contract(
            sporsmal_id=sporsmal_id,
            soknad_id=soknad_id,
            lopenummer=lopenummer,
            sporsmal="Hvilken dose er planlagt, og hvor mange kurer?",
            spurt_at=NOW,
            spurt_av_navn="Lars Haugen" if fagdirektor else "Kari Komité",
            svarfrist=date(2026, 1, 27),
        ),
        lopenummer=lopenummer,
    )
    return sporsmal_id


async def test_the_directors_request_shows_who_asked_and_by_when(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        await ask(flyt, soknad_id, lopenummer)
        async with DemoClient(flyt.app, SOKER) as soker:
            page = text((await soker.get(f"/s/{soknad_id}", headers=HTML)).text)
            varsler = text((await soker.get("/varsler", headers=HTML)).text)
            api = (await soker.get(f"/api/soknader/{soknad_id}")).json()
    assert "Spørsmål fra Lars Haugen, 20. januar 2026" in page
    assert "Svarfrist: 27. januar 2026" in page
    assert "Oppdater svar i søknaden (valgfritt)" in page
    assert f"Lars Haugen ber om mer informasjon i søknad {lopenummer}. Svarfrist 27. januar 2026." in varsler
    assert api["status"] == "tilleggsinfo_etterspurt"


async def test_an_answer_updates_fields_and_carries_the_application_after_it(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        (forankret,) = await flyt.wait_for(SoknadForankret, soknad_id)
        sporsmal_id = await ask(flyt, soknad_id, lopenummer)
        flyt.clock.at = datetime(2026, 1, 22, 9, tzinfo=UTC)
        async with DemoClient(flyt.app, SOKER) as soker:
            before = (await soker.get(f"/api/soknader/{soknad_id}")).json()["innhold"]
            r = await soker.send_json(
                "POST",
                f"/api/soknader/{soknad_id}/tilleggsinfo/{sporsmal_id}/svar",
                {
                    "svar": "Dosen er redusert, og det planlegges fire kurer.",
                    # Unchanged answers sent along (as the page does) change nothing.
                    "innhold": {
                        "dose": "500 mg",
                        "antall_kurer": "4",
                        "behandlingsvarighet": "18 måneder",
                        # As the page sends a drug back: every part, the empty FEST id too.
                        "legemiddel": {**before["legemiddel"], "fest_id": "", "verifisert": "true"},
                    },
                },
            )
            assert r.status_code == 200, r.text
            assert r.json()["endrede_felt"] == ["dose", "antall_kurer"]
            after = (await soker.get(f"/api/soknader/{soknad_id}")).json()
            page = text((await soker.get(f"/s/{soknad_id}", headers=HTML)).text)
        (besvart,) = await flyt.wait_for(TilleggsinformasjonBesvart, soknad_id)
    assert after["innhold"] == {**before, "dose": "500 mg", "antall_kurer": 4}
    assert after["status"] == "under_vurdering"
    assert besvart.besvart_av_navn == "Kari Nordmann"
    assert besvart.endrede_felt == ["dose", "antall_kurer"]
    now_shown = {f.id: f.svar for s in besvart.visning for f in s.felt}
    before_shown = {f.id: f.svar for s in forankret.visning for f in s.felt}
    assert now_shown["dose"] == "500 mg" and now_shown["antall_kurer"] == "4"
    assert {k: v for k, v in now_shown.items() if k not in ("dose", "antall_kurer")} == {
        k: v for k, v in before_shown.items() if k not in ("dose", "antall_kurer")
    }
    assert [s.id for s in besvart.visning] == [s.id for s in forankret.visning]
    assert "Endret i søknaden: «Dose», «Antall kurer eller doser»" in page
    assert "Svarte på spørsmål fra Lars Haugen og endret 2 svar i søknaden" in page
    assert "Endret «Dose» og «Antall kurer eller doser»" in page  # the field history


async def test_an_answer_without_changes_carries_none(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        sporsmal_id = await ask(flyt, soknad_id, lopenummer, fagdirektor=False)
        async with DemoClient(flyt.app, SOKER) as soker:
            r = await soker.send_json(
                "POST",
                f"/api/soknader/{soknad_id}/tilleggsinfo/{sporsmal_id}/svar",
                {"svar": "Se søknaden.", "innhold": {"dose": "1000 mg"}},
            )
            assert r.status_code == 200, r.text
        (besvart,) = await flyt.wait_for(TilleggsinformasjonBesvart, soknad_id)
    assert besvart.endrede_felt == [] and besvart.visning == []
    assert besvart.besvart_av_navn == "Kari Nordmann"


async def test_bad_input_names_the_field_and_loses_nothing(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        sporsmal_id = await ask(flyt, soknad_id, lopenummer)
        url = f"/api/soknader/{soknad_id}/tilleggsinfo/{sporsmal_id}/svar"
        async with DemoClient(flyt.app, SOKER) as soker:
            before = (await soker.get(f"/api/soknader/{soknad_id}")).json()["innhold"]
            for innhold, field, message in (
                ({"antall_kurer": "mange", "dose": "500 mg"}, "innhold.antall_kurer", "Må være et heltall."),
                ({"dose": ""}, "innhold.dose", "Må fylles ut før søknaden kan sendes."),
                ({"ukjent_felt": "x"}, "innhold.ukjent_felt", "Ukjent spørsmål i skjemaet."),
            ):
                r = await soker.send_json("POST", url, {"svar": "Svar.", "innhold": innhold})
                assert r.status_code == 422, r.text
                assert r.headers["content-type"].startswith(PROBLEM)
                errors = {e["field"]: e["message"] for e in r.json()["errors"]}
                assert errors.get(field) == message, errors
            blank = await soker.send_json("POST", url, {"svar": "  "})
            assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "svar"
            # Nothing saved: neither the answer nor a change.
            assert (await soker.get(f"/api/soknader/{soknad_id}")).json()["innhold"] == before
            (q,) = (await soker.get(f"/api/soknader/{soknad_id}/tilleggsinfo")).json()
            assert q["svar"] is None

            # The page: the message next to the field, and what was typed kept.
            page = await soker.post(
                f"/s/{soknad_id}/tilleggsinfo/{sporsmal_id}",
                data={
                    "csrf_token": await soker.csrf(),
                    "svar": "Fire kurer.",
                    "innhold.antall_kurer": "fire",
                },
                headers=HTML,
            )
        assert page.status_code == 422
        assert "Må være et heltall." in page.text
        assert 'value="fire"' in page.text and "Fire kurer." in page.text
        assert 'aria-invalid="true"' in page.text
        assert flyt.events(TilleggsinformasjonBesvart, soknad_id) == []
