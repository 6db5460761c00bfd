"""Demo data for the embedded default, created through the public APIs so it flows like real cases."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import structlog
from fastapi import FastAPI

from shared.auth.session import CSRF_COOKIE, SESSION_COOKIE, CookieSigner
from shared.identifiers import synthetic_fodselsnummer

log = structlog.get_logger(__name__)

CASES: list[dict[str, Any]] = [
    {
        "kategori": "off_label",
        "navn": "Demo Pasient En",
        "fodt": date(1979, 4, 12),
        "kjonn": "kvinne",
        "legemiddel": {"navn": "MabThera inf kons 10 mg/ml", "virkestoff": "rituksimab", "atc": "L01FA01"},
        "indikasjon": {"kode": "G36.0", "tekst": "Neuromyelitis optica"},
        "begrunnelse": "To attakker siste år til tross for azatioprin. Rituksimab er etablert ved NMOSD.",
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
        "begrunnelse": "Steroidavhengig sykdom med progresjon på metotreksat.",
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
        "begrunnelse": "Registrert formulering egner seg ikke for barnet; behov for lav dose.",
        "kostnad": 2_000,
        "utfall": None,
    },
]


class _Client(httpx.AsyncClient):
    def __init__(self, app: FastAPI, user_id: str, signer: CookieSigner):
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://seed")
        self.cookies.set(SESSION_COOKIE, signer.sign_session(user_id))
        self.signer = signer

    async def call(self, method: str, url: str, body: Any = None) -> Any:
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
                    "innhold": {
                        "pasient_fodselsnummer": fnr,
                        "pasient_navn": case["navn"],
                        "legemiddel": {**case["legemiddel"], "verifisert": True},
                        "indikasjon": {**case["indikasjon"], "verifisert": True},
                        "begrunnelse": case["begrunnelse"],
                        "estimert_kostnad_nok": case["kostnad"],
                    },
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
            sak = await _wait_for_case(komite, sent["lopenummer"])
            anbefaling = "innvilge" if case["utfall"] == "innvilget" else "innvilge_med_vilkar"
            await komite.call(
                "POST",
                f"/api/saker/{sak['id']}/anbefaling",
                {
                    "anbefaling": anbefaling,
                    "begrunnelse": "Godt dokumentert effekt; akseptabel kostnad.",
                    "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
                },
            )
            if hf == "OUS" and n == 1:
                continue  # left for the director
            beslutning_sak = await _wait_for_case(direktor, sent["lopenummer"])
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
                    "vilkar": "Evaluering etter 6 måneder."
                    if case["utfall"] == "innvilget_med_vilkar"
                    else None,
                    "evalueringsdato": (date.today() + timedelta(days=180)).isoformat(),
                },
            )
        for client in (soker, leder, komite, direktor):
            await client.aclose()
    log.info("demo_data_seeded")
