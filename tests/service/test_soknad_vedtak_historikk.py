"""The decision for the applicant and the leader (scope, conditions, validity, who decided, the letter),
its amendment and revocation, and a case history that names every step with who and when, without the
committee's internal comments."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from shared.events.common import Komitemedlem, Kriterievurdering, Medlemsvurdering
from shared.events.contracts import (
    AnbefalingAvgitt,
    SakSendtTilKomite,
    TilleggsinformasjonEtterspurt,
    VedtakOpphevet,
)
from tests.support.apps import DemoClient
from tests.support.soknad_flyt import HTML, LEDER, SOKER, Soknadsflyt, send_soknad, soknadsflyt, vedtak
from tests.support.visible_text import visible_text

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
INTERNAL = ("INTERN-BEGRUNNELSE", "INTERN-SIKKERHET", "INTERN-MERKNAD")


def text(html: str) -> str:
    return " ".join(visible_text(html).split())


async def through_the_committee(flyt: Soknadsflyt, soknad_id: str, lopenummer: str) -> None:
    await flyt.publish(
        SakSendtTilKomite(
            soknad_id=soknad_id,
            lopenummer=lopenummer,
            medlemmer=[Komitemedlem(id="hbe-komite", navn="Kari Komité")],
            frist=date(2026, 2, 10),
            merknad="INTERN-MERKNAD til komiteen",
            sendt_av="hbe-fagdirektor",
            sendt_av_navn="Lars Haugen",
            sendt_at=NOW,
        ),
        lopenummer=lopenummer,
    )
    sporsmal_id = str(uuid.uuid4())
    await flyt.publish(
        TilleggsinformasjonEtterspurt(
            sporsmal_id=sporsmal_id,
            soknad_id=soknad_id,
            lopenummer=lopenummer,
            sporsmal="Hvilke behandlinger er prøvd før?",
            spurt_at=NOW,
            spurt_av_navn="Kari Komité",
            svarfrist=date(2026, 1, 27),
        ),
        lopenummer=lopenummer,
    )
    async with DemoClient(flyt.app, SOKER) as soker:
        r = await soker.send_json(
            "POST",
            f"/api/soknader/{soknad_id}/tilleggsinfo/{sporsmal_id}/svar",
            {"svar": "Azatioprin i ett år uten effekt."},
        )
        assert r.status_code == 200, r.text
        assert r.json()["spurt_av_navn"] == "Kari Komité" and r.json()["svarfrist"] == "2026-01-27"
    await flyt.publish(
        AnbefalingAvgitt(
            sak_id=str(uuid.uuid4()),
            soknad_id=soknad_id,
            lopenummer=lopenummer,
            anbefaling="innvilge_med_vilkar",
            begrunnelse="INTERN-BEGRUNNELSE fra komiteen",
            kriterier=Kriterievurdering(alvorlighet=3, nytte=2, ressursbruk=2, evidenskvalitet=2),
            avgitt_av="hbe-komite",
            avgitt_at=NOW,
            avgitt_av_navn="Kari Komité",
            medlemsvurderinger=[
                Medlemsvurdering(
                    medlem_id="hbe-komite", medlem_navn="Kari Komité", sikkerhet="INTERN-SIKKERHET"
                )
            ],
        ),
        lopenummer=lopenummer,
    )


async def test_the_applicant_and_leader_see_the_decision_and_every_step(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        await through_the_committee(flyt, soknad_id, lopenummer)
        decision = vedtak(soknad_id, lopenummer)
        await flyt.publish(decision, lopenummer=lopenummer)

        for user in (SOKER, LEDER):
            async with DemoClient(flyt.app, user) as client:
                page = await client.get(f"/s/{soknad_id}", headers=HTML)
                varsler = text((await client.get("/varsler", headers=HTML)).text)
            assert page.status_code == 200
            shown = text(page.text)
            for expected in (
                "Vedtak: Innvilget med vilkår",
                "Vedtatt av Lars Haugen, 30. januar 2026",
                "Komplett (etter vurdering i komiteen)",
                "Godkjent legemiddel MabThera inf kons 10 mg/ml – rituksimab (L01FA01)",
                "Godkjent indikasjon G36.0 Neuromyelitis optica",
                "Dosering 1000 mg dag 1 og 15, deretter hver 6. måned",
                "Antall kurer 3",
                "Gyldig fra 1. februar 2026 til 31. januar 2027",
                "Evaluering: Evaluer attakkfrekvens og MR. (innen 1. august 2026)",
                "Registrering: Registrer behandlingen i Norsk MS-register.",
                "Les vedtaksbrevet",
            ):
                assert expected in shown, (user, expected)
            assert f'href="/beslutning/vedtak/{decision.vedtak_id}/brev"' in page.text
            assert f'href="/beslutning/vedtak/{decision.vedtak_id}/brev.pdf"' in page.text
            assert f"Vedtak i søknad {lopenummer}: innvilget med vilkår. Fattet av Lars Haugen." in varsler
            # The committee's reasons, scores and notes never reach soknad's pages.
            for secret in INTERNAL:
                assert secret not in page.text, (user, secret)

        async with DemoClient(flyt.app, "hbe-fagdirektor") as direktor:
            register = await direktor.get(f"/register/{soknad_id}", headers=HTML)
        assert register.status_code == 200
        history = text(register.text.split('id="historikk-tittel"', 1)[1].split("</section>", 1)[0])
        assert "Søknadsportalen" not in history
        steps = [
            "Sendt til forankring",
            "Forankret og sendt til vurdering",
            "Lars Haugen: Sendt til vurderingskomiteen, frist 10. februar 2026",
            "Kari Komité: Ba om mer informasjon: Hvilke behandlinger er prøvd før? "
            "Svarfrist 27. januar 2026.",
            "Svarte på spørsmål fra Kari Komité",
            "Kari Komité: Vurderingskomiteen anbefaler: Innvilge med vilkår",
            "Lars Haugen: Vedtak: Innvilget med vilkår, gyldig til 31. januar 2027",
        ]
        positions = [history.find(step) for step in steps]
        assert all(p >= 0 for p in positions), list(zip(steps, positions, strict=True))
        assert positions == sorted(positions)
        assert "Vedtatt av Lars Haugen" in text(register.text)
        for secret in INTERNAL:
            assert secret not in register.text


async def test_an_amendment_replaces_the_decision_and_a_revocation_shows(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        first = vedtak(soknad_id, lopenummer, utfall="innvilget_med_vilkar")
        await flyt.publish(first, lopenummer=lopenummer)
        amended = vedtak(
            soknad_id,
            lopenummer,
            utfall="innvilget",
            art="endring",
            erstatter_vedtak_id=first.vedtak_id,
            fattet_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            gyldig_til=date(2027, 6, 30),
            fattet_av_navn="Berit Berg",
            vurderingsflyt="interregional",
            interregional_referanse="IRK-2026-0007",
        )
        await flyt.publish(amended, lopenummer=lopenummer)
        async with DemoClient(flyt.app, SOKER) as soker:
            page = text((await soker.get(f"/s/{soknad_id}", headers=HTML)).text)
            raw = (await soker.get(f"/s/{soknad_id}", headers=HTML)).text
        assert "Vedtak: Innvilget (endret)" in page
        assert "Endret vedtak. Dette vedtaket erstatter et tidligere vedtak" in page
        assert "til 30. juni 2027" in page
        # The interregional committee decided; the trust's director only registered it.
        assert "Vedtatt av Den interregionale vurderingskomiteen, referanse IRK-2026-0007" in page
        assert "Registrert av Berit Berg, Helse Bergen, 2. mars 2026" in page
        assert "Vedtatt av Berit Berg" not in page
        assert (
            "Interregional (den interregionale vurderingskomiteen avgjorde) (referanse IRK-2026-0007)" in page
        )
        assert f"/beslutning/vedtak/{amended.vedtak_id}/brev" in raw
        assert (
            "Berit Berg: Vedtaket er endret: Innvilget, gyldig til 30. juni 2027. Avgjort av den "
            "interregionale vurderingskomiteen (referanse IRK-2026-0007), registrert av helseforetaket. "
            "Erstatter vedtaket fra 30. januar 2026" in page
        )

        await flyt.publish(
            VedtakOpphevet(
                vedtak_id=str(uuid.uuid4()),
                opphever_vedtak_id=amended.vedtak_id,
                soknad_id=soknad_id,
                lopenummer=lopenummer,
                begrunnelse="Alvorlige infeksjoner.",
                gjelder_fra=date(2026, 4, 1),
                opphevet_av="hbe-fagdirektor",
                opphevet_av_navn="Lars Haugen",
                opphevet_at=datetime(2026, 3, 20, 9, tzinfo=UTC),
            ),
            lopenummer=lopenummer,
        )
        for user in (SOKER, LEDER):
            async with DemoClient(flyt.app, user) as client:
                page = text((await client.get(f"/s/{soknad_id}", headers=HTML)).text)
                varsler = text((await client.get("/varsler", headers=HTML)).text)
            assert "Vedtaket er opphevet" in page
            assert "Vedtak: Innvilget – opphevet" in page
            assert "Vedtaket er opphevet fra 1. april 2026 av Lars Haugen" in page
            assert "Begrunnelse for opphevingen: Alvorlige infeksjoner." in page
            assert "skrive løpenummer" not in page
            assert f"Vedtaket i søknad {lopenummer} er opphevet av Lars Haugen fra 1. april 2026." in varsler
            assert "Registrer oppfølging av behandlingen" not in page


async def test_another_applicant_gets_404(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        await flyt.publish(vedtak(soknad_id, lopenummer), lopenummer=lopenummer)
        async with DemoClient(flyt.app, "hbe-soker2") as other:
            assert (await other.get(f"/s/{soknad_id}", headers=HTML)).status_code == 404
            assert (await other.get(f"/api/soknader/{soknad_id}")).status_code == 404
            assert (await other.get(f"/api/soknader/{soknad_id}/tilleggsinfo")).status_code == 404


async def test_a_decision_without_a_name_is_shown_under_the_directorys_name(tmp_path: Path) -> None:
    """Decisions published before `fattet_av_navn` existed still name who decided, never «Søknadsportalen»."""
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        await flyt.publish(vedtak(soknad_id, lopenummer, fattet_av_navn=None), lopenummer=lopenummer)
        async with DemoClient(flyt.app, "hbe-fagdirektor") as direktor:
            register = await direktor.get(f"/register/{soknad_id}", headers=HTML)
    history = text(register.text.split('id="historikk-tittel"', 1)[1].split("</section>", 1)[0])
    assert "Lars Haugen: Vedtak: Innvilget med vilkår" in history
    assert "Søknadsportalen" not in history
