"""A known set of applications for the register and statistics tests, made through the soknad API.

Each case is drafted and sent by a demo applicant at a chosen time (a settable clock), anchored by the
unit's demo leader when it should get further, and decided by a `VedtakFattet` event on the bus, as
beslutning would publish it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.contracts import VedtakFattet
from shared.events.envelope import Envelope
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient
from tests.support.builders import complete_innhold

LEDER_FOR = {"HBE-NEVRO": "hbe-leder", "HBE-REVMA": "hbe-leder2", "OUS-NEVRO": "ous-leder"}


class SettableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class Case:
    """What to create; `decided` is (utfall, days from sent to decided)."""

    key: str
    soker: str
    kategori: str
    enhet: str
    drug: tuple[str, str, str]  # name, active substance, ATC
    icd10: tuple[str, str]
    sendt_at: datetime
    type: str = "enkeltpasient"
    decided: tuple[str, float] | None = None
    anchored: bool = False
    withdrawn: bool = False
    sent: bool = True
    patient_name: str = ""
    fodselsnummer: str = ""
    # Filled in when created:
    id: str = ""
    lopenummer: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def vedtatt_at(self) -> datetime | None:
        return self.sendt_at + timedelta(days=self.decided[1]) if self.decided else None


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def innhold(case: Case, serial: int) -> dict[str, Any]:
    name, substance, atc = case.drug
    drug = {"legemiddel": {"navn": name, "virkestoff": substance, "atc": atc}}
    indication = {"indikasjon": {"kode": case.icd10[0], "tekst": case.icd10[1]}}
    if case.type == "gruppe":
        return complete_innhold("gruppe", case.kategori, **drug, **indication)
    case.patient_name = case.patient_name or f"Pasient Registersen {serial}"
    case.fodselsnummer = synthetic_fodselsnummer(datetime(1980, 1, 1 + serial % 28).date(), sex="kvinne")
    return complete_innhold(
        "enkeltpasient",
        case.kategori,
        **drug,
        **indication,
        pasient_fodselsnummer=case.fodselsnummer,
        pasient_navn=case.patient_name,
        # Consent is given before the application, and our clock stands in the past.
        samtykke_dato=(case.sendt_at - timedelta(days=1)).date().isoformat(),
    )


async def create(app: FastAPI, bus: MemoryBus, clock: SettableClock, cases: list[Case]) -> dict[str, Case]:
    for serial, case in enumerate(cases):
        clock.at = case.sendt_at
        async with DemoClient(app, case.soker) as soker:
            r = await soker.send_json(
                "POST",
                "/api/soknader",
                {
                    "type": case.type,
                    "kategori": case.kategori,
                    "enhet": case.enhet,
                    "innhold": innhold(case, serial),
                },
            )
            assert r.status_code == 201, r.text
            case.id = r.json()["id"]
            if not case.sent:
                continue
            r = await soker.send_json("POST", f"/api/soknader/{case.id}/send", {})
            assert r.status_code == 200, r.text
            case.lopenummer = r.json()["lopenummer"]
            if case.anchored or case.decided:
                async with DemoClient(app, LEDER_FOR[case.enhet]) as leder:
                    r = await leder.send_json(
                        "POST",
                        f"/api/soknader/{case.id}/forankring",
                        {"begrunnelse": "Faglig og budsjettmessig enig.", "kostnadssted": "4100"},
                    )
                    assert r.status_code == 200, r.text
            if case.decided:
                await decide(bus, case)
            if case.withdrawn:
                r = await soker.send_json("POST", f"/api/soknader/{case.id}/trekk", {})
                assert r.status_code == 200, r.text
    return {c.key: c for c in cases}


async def decide(bus: MemoryBus, case: Case) -> None:
    assert case.decided and case.vedtatt_at
    utfall, _ = case.decided
    hf = case.lopenummer.split("-")[0]
    event = VedtakFattet(
        vedtak_id=str(uuid.uuid4()),
        soknad_id=case.id,
        lopenummer=case.lopenummer,
        utfall=utfall,  # type: ignore[arg-type]
        begrunnelse="Vurdert etter prioriteringskriteriene.",
        vilkar="Evaluer effekt etter tre måneder." if utfall == "innvilget_med_vilkar" else None,
        vurderingsflyt="forenklet",
        fattet_av=f"{hf.lower()}-fagdirektor",
        fattet_at=case.vedtatt_at,
    )
    envelope = Envelope(
        source=f"/hf/{hf}/beslutning",
        type=VedtakFattet.TYPE,
        subject=case.lopenummer,
        hf=hf,
        correlationid=str(uuid.uuid4()),
        data=event.model_dump(mode="json"),
    )
    await bus.publish(envelope, exchange="beslutning.events")
    await bus.drain()


def standard_cases() -> list[Case]:
    """Eight sent HBE applications, one HBE draft and one OUS application.

    Decided ones took 2, 4, 6, 8 and 10 days: median 6, 90th percentile 9.2. Per unit: NEVRO 2, 4, 10
    (median 4, p90 8.8), REVMA 6, 8 (median 7, p90 7.8)."""
    return [
        Case("A", "hbe-soker", "off_label", "HBE-NEVRO", ("MabThera", "rituksimab", "L01FA01"),
             ("G35", "Multippel sklerose"), at("2026-01-10"), decided=("innvilget", 2)),
        Case("B", "hbe-soker2", "godkjenningsfritak", "HBE-NEVRO", ("Melatonin AGB", "melatonin", "N05CH01"),
             ("G47.0", "Søvnløshet"), at("2026-01-20"), decided=("avslatt", 4)),
        Case("C", "hbe-soker", "unntaksordningen", "HBE-REVMA", ("Keytruda", "pembrolizumab", "L01FF02"),
             ("C53.9", "Livmorhalskreft"), at("2026-02-05"), type="gruppe",
             decided=("innvilget_med_vilkar", 6)),
        Case("D", "hbe-soker2", "off_label", "HBE-REVMA", ("RoActemra", "tocilizumab", "L04AC07"),
             ("M31.4", "Takayasus arteritt"), at("2026-02-15"), decided=("innvilget", 8)),
        Case("E", "hbe-soker", "off_label", "HBE-NEVRO", ("Rixathon", "rituksimab", "L01FA01"),
             ("G36.0", "Nevromyelitis optica"), at("2026-03-01"), decided=("innvilget", 10)),
        Case("F", "hbe-soker", "tilgangsordningen", "HBE-NEVRO", ("Kineret", "anakinra", "L04AC03"),
             ("D76.1", "Hemofagocytisk lymfohistiocytose"), at("2026-03-05"), anchored=True),
        Case("G", "hbe-soker2", "off_label", "HBE-REVMA", ("Olumiant", "baricitinib", "L04AF02"),
             ("M33.0", "Juvenil dermatomyositt"), at("2026-03-10")),
        Case("H", "hbe-soker", "off_label", "HBE-NEVRO", ("Remicade", "infliksimab", "L04AB02"),
             ("D86.0", "Sarkoidose i lunge"), at("2026-03-12"), withdrawn=True),
        Case("utkast", "hbe-soker", "off_label", "HBE-NEVRO", ("MabThera", "rituksimab", "L01FA01"),
             ("G35", "Multippel sklerose"), at("2026-03-13"), sent=False),
        Case("OUS", "ous-soker", "off_label", "OUS-NEVRO", ("MabThera", "rituksimab", "L01FA01"),
             ("G35", "Multippel sklerose"), at("2026-02-01"), decided=("innvilget", 3)),
    ]  # fmt: skip
