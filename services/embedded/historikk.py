"""Demo history: each trust's decisions of the two years before this one, post-registered as the trust's
admin would (`soknad.etterregistrering`), so the national overview has whole years to show: statistics,
variation between the trusts, the flagged list and the public page, which publishes a year only once it
is over. Synthetic patients only; the case references make a second run import nothing."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, timedelta

import structlog
from fastapi import FastAPI
from sqlalchemy import func, select

from oversikt.store import Sammendrag
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.domain.kalender import oslo_date
from shared.platform.auth.principal import Principal, Role
from soknad.etterregistrering import handlers
from soknad.etterregistrering.fil import open_file
from soknad.etterregistrering.jobb import Etterregistrering
from soknad.etterregistrering.kolonner import KOLONNER

log = structlog.get_logger(__name__)

RADER_PER_AR = 48
"""Decisions a trust post-registers for each year."""

KOMBINASJONER: tuple[tuple[str, str, str, str], ...] = (
    # (drug as the catalogue knows it, ICD-10, scheme, the unit's suffix)
    ("L01FA01", "G36.0", "off_label", "NEVRO"),
    ("L01FA01", "G35", "off_label", "NEVRO"),
    ("L04AC07", "M31.4", "off_label", "REVMA"),
    ("L04AF02", "M33.1", "off_label", "REVMA"),
    ("N05CH01", "G47.0", "godkjenningsfritak", "NEVRO"),
    ("L04AC03", "M06.1", "off_label", "REVMA"),
)
ENHETER = {
    "HBE": {"NEVRO": "HBE-NEVRO", "REVMA": "HBE-REVMA"},
    "OUS": {"NEVRO": "OUS-NEVRO", "REVMA": "OUS-BARN"},
}
AVSLAG_HVER = {"HBE": 9, "OUS": 4}
"""Every n-th decision of a trust is refused: OUS refuses more often, so the variation page has a story."""


def rader(hf: str, ar: int, idag: date) -> list[dict[str, str]]:
    out = []
    for i in range(RADER_PER_AR):
        legemiddel, icd10, kategori, enhet = KOMBINASJONER[i % len(KOMBINASJONER)]
        sendt = date(ar, 1 + (i * 5) % 12, 1 + (i * 11) % 28)
        vedtak = min(sendt + timedelta(days=4 + (i * 13) % 60), idag)
        utfall = (
            "avslått" if i % AVSLAG_HVER[hf] == 0 else ("innvilget med vilkår" if i % 3 == 0 else "innvilget")
        )
        fodt = date(1950 + (i * 7) % 55, 1 + i % 12, 1 + (i * 3) % 28)
        # The birth date varies with i; the serial tells the trusts' and the years' patients apart.
        serial = (2 if hf == "OUS" else 0) + ar % 2
        out.append(
            {
                "saksreferanse": f"DEMO-{hf}-{ar}-{i + 1:03d}",
                "type": "enkeltpasient",
                "kategori": kategori,
                "enhet": ENHETER[hf][enhet],
                "fodselsnummer": synthetic_fodselsnummer(
                    fodt, sex="kvinne" if i % 2 else "mann", serial=serial
                ),
                "pasient_navn": f"Demo Pasient {hf} {ar}-{i + 1}",
                "gruppe_storrelse": "",
                "legemiddel": legemiddel,
                "icd10": icd10,
                "sendt_dato": sendt.isoformat(),
                "vedtak_dato": vedtak.isoformat(),
                "utfall": utfall,
                "gyldig_til": "" if utfall == "avslått" else (vedtak + timedelta(days=365)).isoformat(),
                "estimert_kostnad": str(50_000 + (i * 7919) % 400_000),
                "soker_navn": "Demo Lege",
            }
        )
    return out


def csv_fil(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([k.overskrift for k in KOLONNER])
    for row in rows:
        writer.writerow([row[k.key] for k in KOLONNER])
    return out.getvalue().encode("utf-8")


async def seed_historikk(soknad: FastAPI, oversikt: FastAPI) -> None:
    """Post-register the demo history of HBE and OUS through the same job as the upload page, and wait
    until the national overview has it: the public page fixes a year the first time it is shown, and a
    first look right after start-up must not fix one without it."""
    runtime = soknad.state.runtime
    runner: Etterregistrering = soknad.state.etterregistrering
    idag = oslo_date(runtime.db.clock.now())
    for hf in ("HBE", "OUS"):
        admin = Principal(
            user_id=f"{hf.lower()}-admin", name="Demo-admin", roles=frozenset({Role.ADMIN}), hf=hf
        )
        rows = [row for ar in (idag.year - 2, idag.year - 1) for row in rader(hf, ar, idag)]
        filnavn = f"demo-historikk-{hf}.csv"
        jobb = await handlers.start_jobb(runtime.db, admin, filnavn=filnavn, bare_gyldige=False)
        await runner.run(jobb.id, open_file(csv_fil(rows), filnavn), hf)
        resultat = (await handlers.read_jobb(runtime.db, admin, jobb.id, feil_limit=5)).jobb
        log.info(
            "demo_history_seeded",
            hf=hf,
            importert=resultat.importert,
            hoppet_over=resultat.hoppet_over,
            feil=resultat.feil,
            status=resultat.status,
        )
    await _until_national(oversikt, 2 * 2 * RADER_PER_AR)


async def _until_national(oversikt: FastAPI, expected: int, timeout_s: float = 60) -> None:
    db = oversikt.state.runtime.db
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        async with db.sessions() as session:
            stored = await session.scalar(
                select(func.count()).select_from(Sammendrag).where(Sammendrag.etterregistrert.is_(True))
            )
        if (stored or 0) >= expected:
            return
        await asyncio.sleep(0.1)
    log.warning("demo_history_not_national_yet", expected=expected)
