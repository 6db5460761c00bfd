"""Demo data for the embedded default, created through the public APIs so it flows like real cases."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import structlog
from fastapi import FastAPI

from embedded.historikk import seed_historikk
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.auth.session import CSRF_COOKIE, SESSION_COOKIE, CookieSigner

log = structlog.get_logger(__name__)

CASES: list[dict[str, Any]] = [
    {
        "kategori": "off_label",
        "navn": "Demo Pasient En",
        "fodt": date(1979, 4, 12),
        "kjonn": "kvinne",
        "legemiddel": {"navn": "MabThera inf kons 10 mg/ml", "virkestoff": "rituksimab", "atc": "L01FA01"},
        "indikasjon": {"kode": "G36.0", "tekst": "Neuromyelitis optica"},
        "svar": {
            "alvorlighetsgrad": "alvorlig",
            "alvorlighet_beskrivelse": "To attakker siste år med synstap; høy risiko for varig funksjonstap.",
            "dose": "1000 mg",
            "administrasjonsvei": "intravenos",
            "doseringsintervall": "Dag 1 og 15, deretter hver 6. måned",
            "antall_kurer": 3,
            "behandlingsvarighet": "18 måneder",
            "godkjent_bruk": "Non-Hodgkins lymfom, KLL, revmatoid artritt, GPA og MPA.",
            "tiltenkt_bruk": "Forebygging av attakker ved NMOSD, som ikke er godkjent indikasjon.",
            "tidligere_behandling": "Azatioprin 150 mg daglig i 12 måneder.",
            "tidligere_behandling_utfall": "To attakker under behandlingen: manglende effekt.",
            "dokumentasjon": "Observasjonsstudier og nasjonal faglig retningslinje anbefaler rituksimab.",
            "dokumentasjon_niva": "observasjonsstudier",
            "forventet_effekt": "Færre attakker og bevart syn.",
            "kostnad_grunnlag": "2 × 1000 mg hver 6. måned, sykehusapotekets pris.",
            "evalueringsplan": "Attakkfrekvens, synsfunksjon og MR etter 12 måneder.",
            "evaluering_tidspunkt": "Etter 12 måneder",
            "stoppkriterier": "Nytt attakk tross behandling, eller alvorlige infeksjoner.",
            "bivirkninger_oppfolging": "Immunglobuliner og infeksjoner kontrolleres før hver kur.",
            "register_registrering": "nei",
            "begrunnelse": "To attakker siste år til tross for azatioprin. Rituksimab er etablert ved NMOSD.",
        },
        "kostnad": 180_000,
        "utfall": "innvilget",
    },
    {
        "kategori": "off_label",
        "navn": "Demo Pasient To",
        "fodt": date(1961, 9, 3),
        "kjonn": "mann",
        "legemiddel": {"navn": "RoActemra inf kons 20 mg/ml", "virkestoff": "tocilizumab", "atc": "L04AC07"},
        "indikasjon": {"kode": "M31.4", "tekst": "Takayasus arteritt"},
        "svar": {
            "alvorlighetsgrad": "alvorlig",
            "alvorlighet_beskrivelse": "Progredierende karveggsbetennelse med risiko for organskade.",
            "dose": "8 mg/kg (pasienten veier 82 kg)",
            "administrasjonsvei": "intravenos",
            "doseringsintervall": "Hver 4. uke",
            "behandlingsvarighet": "12 måneder",
            "godkjent_bruk": "Revmatoid artritt, kjempecellearteritt og systemisk JIA.",
            "tiltenkt_bruk": "Takayasus arteritt, som ikke er godkjent indikasjon.",
            "tidligere_behandling": "Prednisolon og metotreksat 20 mg ukentlig i 9 måneder.",
            "tidligere_behandling_utfall": "Steroidavhengig; progresjon på metotreksat.",
            "dokumentasjon": "Randomisert studie (TAKT) og kohortstudier viser effekt.",
            "dokumentasjon_niva": "randomiserte",
            "forventet_effekt": "Remisjon og nedtrapping av prednisolon.",
            "kostnad_grunnlag": "13 infusjoner à 18 500 kr, sykehusapotekets pris.",
            "evalueringsplan": "CRP, senkning, symptomer og MR-angiografi.",
            "evaluering_tidspunkt": "Etter 6 måneder",
            "stoppkriterier": "Manglende effekt etter 6 måneder, eller alvorlige bivirkninger.",
            "bivirkninger_oppfolging": "Blodprøver hver 4. uke, oppfølging ved revmatologisk poliklinikk.",
            "register_registrering": "ja",
            "register_navn": "Norsk vaskulittregister og biobank (NorVas)",
            "begrunnelse": "Steroidavhengig sykdom med progresjon på metotreksat.",
        },
        "kostnad": 240_000,
        "utfall": "innvilget_med_vilkar",
    },
    {
        "kategori": "godkjenningsfritak",
        "navn": "Demo Pasient Tre",
        "fodt": date(2019, 2, 20),
        "kjonn": "kvinne",
        "legemiddel": {
            "navn": "Melatonin smeltetablett 1 mg (uregistrert)",
            "virkestoff": "melatonin",
            "atc": "N05CH01",
        },
        "indikasjon": {"kode": "G47.0", "tekst": "Insomni"},
        "svar": {
            "alvorlighetsgrad": "moderat",
            "alvorlighet_beskrivelse": "Alvorlige innsovningsvansker som går ut over dagfunksjonen.",
            "dose": "1 mg",
            "administrasjonsvei": "oral",
            "doseringsintervall": "Én gang daglig ved leggetid",
            "behandlingsvarighet": "6 måneder",
            "godkjenningsfritak_begrunnelse": "Norske preparater gir ikke lav nok dose for barnet.",
            "tidligere_behandling": "Søvnhygiene og atferdstiltak i 6 måneder.",
            "tidligere_behandling_utfall": "Ingen bedring av innsovningen.",
            "dokumentasjon": "Faglige retningslinjer for søvnvansker hos barn.",
            "dokumentasjon_niva": "ekspertuttalelse",
            "forventet_effekt": "Kortere innsovningstid.",
            "kostnad_grunnlag": "Apotekets pris for uregistrert preparat.",
            "evalueringsplan": "Søvndagbok før og etter oppstart.",
            "evaluering_tidspunkt": "Etter 3 måneder",
            "stoppkriterier": "Ingen effekt etter 4 uker.",
            "bivirkninger_oppfolging": "Foreldre melder fra ved bivirkninger; kontroll hos barnelege.",
            "register_registrering": "nei",
            "begrunnelse": "Registrert formulering egner seg ikke for barnet; behov for lav dose.",
        },
        "kostnad": 2_000,
        "utfall": None,
    },
]
"""Every answer the form asks for, so the cases can be sent; the last stays a draft."""


def _innhold(case: dict[str, Any], fnr: str) -> dict[str, Any]:
    return {
        **case["svar"],
        "pasient_fodselsnummer": fnr,
        "pasient_navn": case["navn"],
        "legemiddel": {**case["legemiddel"], "verifisert": True},
        "indikasjon": {**case["indikasjon"], "verifisert": True},
        "klinisk_studie": "nei",
        "estimert_kostnad_nok": case["kostnad"],
        "pasient_informert": "ja",
        "skriftlig_samtykke": "ja",
        "samtykke_dato": (date.today() - timedelta(days=3)).isoformat(),
    }


class _Client(httpx.AsyncClient):
    def __init__(self, app: FastAPI, user_id: str, signer: CookieSigner):
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://seed")
        self.katalog = app.state.runtime.katalog
        self.user_id = user_id
        self.signer = signer

    async def call(self, method: str, url: str, body: Any = None) -> Any:
        if SESSION_COOKIE not in self.cookies:
            # A session in the directory, as the demo login would open.
            session_id = await self.katalog.open_session(self.user_id)
            self.cookies.set(SESSION_COOKIE, self.signer.sign_session(session_id))
        if CSRF_COOKIE not in self.cookies:
            await self.get("/health/live")
        token = self.signer.read_csrf(self.cookies.get(CSRF_COOKIE)) or ""
        response = await self.request(method, url, json=body, headers={"x-csrf-token": token})
        response.raise_for_status()
        return response.json()


async def _wait_for_case(client: _Client, lopenummer: str) -> dict[str, Any]:
    for _ in range(200):
        for case in await client.call("GET", "/api/saker"):
            if case.get("lopenummer") == lopenummer:
                return dict(case)
        await asyncio.sleep(0.05)
    raise TimeoutError(f"case {lopenummer} did not arrive")


async def _seed_fraser(admin: _Client) -> None:
    """The trust's phrase library starts from the Norwegian defaults (beslutning's `STANDARDFRASER`)."""
    from beslutning.fraser import STANDARDFRASER

    if await admin.call("GET", "/api/fraser"):
        return
    for frase in STANDARDFRASER:
        await admin.call("POST", "/api/fraser", frase)


async def seed_demo_data(apps: dict[str, FastAPI], *, secret: str) -> None:
    signer = CookieSigner(secret)
    for hf in ("HBE", "OUS"):
        prefix = hf.lower()
        soker = _Client(apps["soknad"], f"{prefix}-soker", signer)
        if await soker.call("GET", "/api/soknader"):
            return  # already seeded
        leder = _Client(apps["soknad"], f"{prefix}-leder", signer)
        komite = _Client(apps["vurdering"], f"{prefix}-komite", signer)
        direktor = _Client(apps["beslutning"], f"{prefix}-fagdirektor", signer)
        admin = _Client(apps["beslutning"], f"{prefix}-admin", signer)
        await _seed_fraser(admin)
        enhet = "HBE-NEVRO" if hf == "HBE" else "OUS-NEVRO"
        for n, case in enumerate(CASES):
            fnr = synthetic_fodselsnummer(
                case["fodt"], sex=case["kjonn"], serial=n + (10 if hf == "OUS" else 0)
            )
            draft = await soker.call(
                "POST",
                "/api/soknader",
                {
                    "type": "enkeltpasient",
                    "kategori": case["kategori"],
                    "enhet": enhet,
                    "innhold": _innhold(case, fnr),
                },
            )
            if n == len(CASES) - 1:
                continue  # left as a draft
            sent = await soker.call("POST", f"/api/soknader/{draft['id']}/send", {})
            await leder.call(
                "POST",
                f"/api/soknader/{draft['id']}/forankring",
                {"begrunnelse": "Faglig og budsjettmessig forankret.", "kostnadssted": f"{hf}-4100"},
            )
            beslutning_sak = await _wait_for_case(direktor, sent["lopenummer"])
            if hf == "HBE" and n == len(CASES) - 2:
                continue  # left in the director's inbox to choose its flow
            # The director sends the case to the committee (the complete flow) before it assesses.
            await direktor.call(
                "POST",
                f"/api/saker/{beslutning_sak['id']}/triage",
                {
                    "flyt": "komplett",
                    "medlemmer": [f"{prefix}-komite"],
                    "frist": (date.today() + timedelta(days=21)).isoformat(),
                    "merknad": "Vurder særlig dokumentasjonen og stoppkriteriene.",
                },
            )
            sak = await _wait_for_case(komite, sent["lopenummer"])
            anbefaling = "innvilge" if case["utfall"] == "innvilget" else "innvilge_med_vilkar"
            await komite.call(
                "POST",
                f"/api/saker/{sak['id']}/anbefaling",
                {
                    "anbefaling": anbefaling,
                    "begrunnelse": "Godt dokumentert effekt; akseptabel kostnad.",
                    "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
                    # Conditions are required with «innvilge med vilkår».
                    "vilkar": "Evaluering etter 6 måneder; avsluttes ved manglende effekt."
                    if anbefaling == "innvilge_med_vilkar"
                    else None,
                },
            )
            if hf == "OUS" and n == 1:
                continue  # left for the director
            for _ in range(200):
                current = await direktor.call("GET", f"/api/saker/{beslutning_sak['id']}")
                if current.get("status") == "klar_for_vedtak":
                    break
                await asyncio.sleep(0.05)
            await direktor.call(
                "POST",
                f"/api/saker/{beslutning_sak['id']}/vedtak",
                {
                    "utfall": case["utfall"],
                    "begrunnelse": "Innvilget i tråd med komiteens anbefaling.",
                    "dosering": ", ".join(
                        str(case["svar"][k]) for k in ("dose", "doseringsintervall") if case["svar"].get(k)
                    )
                    or None,
                    "gyldig_fra": date.today().isoformat(),
                    "gyldig_til": (date.today() + timedelta(days=365)).isoformat(),
                    "vilkar_evaluering": "Evaluering etter 6 måneder."
                    if case["utfall"] == "innvilget_med_vilkar"
                    else None,
                    "vilkar_stoppregel": case["svar"].get("stoppkriterier")
                    if case["utfall"] == "innvilget_med_vilkar"
                    else None,
                    "evalueringsdato": (date.today() + timedelta(days=180)).isoformat(),
                    "resept_merknad": f"Sykehusfinansiert etter vedtak {sent['lopenummer']}.",
                    "faktureringsrutine": "Sykehusapoteket fakturerer enheten, med løpenummeret.",
                },
            )
        for client in (soker, leder, komite, direktor, admin):
            await client.aclose()
    # Whole earlier years for the national overview and its public page.
    await seed_historikk(apps["soknad"], apps["oversikt"])
    log.info("demo_data_seeded")
