"""The applicant's and leader's side of a case in soknad, in-process: send and anchor through the API,
and the committee's and director's events published on the bus as vurdering and beslutning would."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from shared.events.base import EventContract
from shared.events.common import Indikasjon, Legemiddel, VedtakOmfang, Vilkar
from shared.events.contracts import (
    OppfolgingRegistrert,
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold
from tests.support.recording import record_events
from tests.support.register_cases import SettableClock
from tests.support.waiting import wait_until

HTML = {"accept": "text/html"}
LEDER = "hbe-leder"
SOKER = "hbe-soker"


@dataclass
class Soknadsflyt:
    app: FastAPI
    bus: MemoryBus
    clock: SettableClock
    seen: list[Envelope] = field(default_factory=list)

    def events(self, contract: type[EventContract], soknad_id: str) -> list[Any]:
        return [
            contract.model_validate(e.data)
            for e in self.seen
            if e.type == contract.TYPE and e.data.get("soknad_id") == soknad_id
        ]

    async def publish(self, event: EventContract, *, lopenummer: str) -> None:
        producer = event.PRODUCER
        envelope = Envelope(
            source=f"/hf/HBE/{producer}",
            type=event.TYPE,
            subject=lopenummer,
            hf="HBE",
            correlationid=str(uuid.uuid4()),
            data=event.model_dump(mode="json"),
        )
        await self.bus.publish(envelope, exchange=f"{producer}.events")
        await self.bus.drain()

    async def wait_for(self, contract: type[EventContract], soknad_id: str, count: int = 1) -> list[Any]:
        """The events of `contract` for the application once `count` left through the outbox."""

        async def arrived() -> bool:
            return len(self.events(contract, soknad_id)) >= count

        await wait_until(arrived)
        return self.events(contract, soknad_id)


@asynccontextmanager
async def soknadsflyt(tmp_path: Path, now: datetime, **settings: Any) -> AsyncIterator[Soknadsflyt]:
    bus = MemoryBus()
    await bus.connect()
    seen = await record_events(
        bus,
        [
            ("soknad.events", SoknadForankret),
            ("soknad.events", TilleggsinformasjonBesvart),
            ("soknad.events", OppfolgingRegistrert),
            ("soknad.events", SoknadTrukket),
        ],
    )
    clock = SettableClock(now)
    app = create_app(
        SoknadSettings(data_dir=tmp_path, log_json=False, outbox_poll_interval_s=0.05, **settings),
        bus=bus,
        clock=clock,
    )
    async with running(app):
        yield Soknadsflyt(app, bus, clock, seen)
    await bus.close()


async def send_soknad(
    flyt: Soknadsflyt,
    *,
    type_: str = "enkeltpasient",
    kategori: str = "off_label",
    soker: str = SOKER,
    anchor: bool = True,
    **overrides: Any,
) -> tuple[str, str]:
    """A complete application sent (and anchored): its id and løpenummer."""
    async with DemoClient(flyt.app, soker) as client:
        r = await client.send_json(
            "POST",
            "/api/soknader",
            {
                "type": type_,
                "kategori": kategori,
                "enhet": "HBE-NEVRO",
                "innhold": complete_innhold(type_, kategori, **overrides),
            },
        )
        assert r.status_code == 201, r.text
        soknad_id = r.json()["id"]
        r = await client.send_json("POST", f"/api/soknader/{soknad_id}/send", {})
        assert r.status_code == 200, r.text
        lopenummer = r.json()["lopenummer"]
    if anchor:
        async with DemoClient(flyt.app, LEDER) as leder:
            r = await leder.send_json(
                "POST",
                f"/api/soknader/{soknad_id}/forankring",
                {"begrunnelse": "Faglig og budsjettmessig enig.", "kostnadssted": "4100"},
            )
            assert r.status_code == 200, r.text
    return soknad_id, lopenummer


def vedtak(
    soknad_id: str,
    lopenummer: str,
    *,
    utfall: str = "innvilget_med_vilkar",
    fattet_at: datetime | None = None,
    gyldig_fra: date = date(2026, 2, 1),
    gyldig_til: date = date(2027, 1, 31),
    **overrides: Any,
) -> VedtakFattet:
    """A decision as beslutning publishes it since December 2026: scope, conditions, who decided."""
    data: dict[str, Any] = {
        "vedtak_id": str(uuid.uuid4()),
        "soknad_id": soknad_id,
        "lopenummer": lopenummer,
        "utfall": utfall,
        "begrunnelse": "Alvorlig sykdom uten effekt av førstelinjebehandling.",
        "vilkar": "Evaluer effekt etter seks måneder." if utfall == "innvilget_med_vilkar" else None,
        "gyldig_til": gyldig_til if utfall != "avslatt" else None,
        "evalueringsdato": date(2026, 8, 1) if utfall != "avslatt" else None,
        "vurderingsflyt": "komplett",
        "fattet_av": "hbe-fagdirektor",
        "fattet_av_navn": "Lars Haugen",
        "fattet_at": fattet_at or datetime(2026, 1, 30, 10, tzinfo=UTC),
        "kategori": "off_label",
        "soknad_type": "enkeltpasient",
        "enhet": "HBE-NEVRO",
        "omfang": VedtakOmfang(
            legemiddel=Legemiddel(
                navn="MabThera inf kons 10 mg/ml", virkestoff="rituksimab", atc="L01FA01", verifisert=True
            ),
            indikasjon=Indikasjon(kode="G36.0", tekst="Neuromyelitis optica", verifisert=True),
            dosering="1000 mg dag 1 og 15, deretter hver 6. måned",
            antall_kurer=3,
            gyldig_fra=gyldig_fra,
            gyldig_til=gyldig_til,
            enhet="HBE-NEVRO",
            enhet_navn="Nevrologisk avdeling",
        )
        if utfall != "avslatt"
        else None,
        "vilkar_liste": [
            Vilkar(type="evaluering", tekst="Evaluer attakkfrekvens og MR.", dato=date(2026, 8, 1)),
            Vilkar(type="registrering", tekst="Registrer behandlingen i Norsk MS-register."),
        ]
        if utfall == "innvilget_med_vilkar"
        else [],
        "gyldig_fra": gyldig_fra if utfall != "avslatt" else None,
        "kostnadssted": "4100",
    }
    data.update(overrides)
    return VedtakFattet(**data)


class _Sections(HTMLParser):
    """The read-only application of `_svar.html`: (section title, [(label, answer)]) in page order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[tuple[str, str]]]] = []
        self._in: str | None = None
        self._depth = 0
        self._text: list[str] = []
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section" and "seksjon-lesbar" in classes:
            self._depth = 1
            self.sections.append(("", []))
        elif tag == "section" and self._depth:
            self._depth += 1
        if self._depth and tag in ("h3", "dt", "dd"):
            self._in, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._depth:
            self._depth -= 1
        if self._depth and tag == self._in:
            # Only the markup's own line breaks and indentation: a no-break space is part of the answer.
            text = re.sub(r"[ \t\r\n]+", " ", "".join(self._text)).strip()
            fields = self.sections[-1][1]
            if tag == "h3":
                self.sections[-1] = (text, fields)
            elif tag == "dt":
                self._label = text
            else:
                fields.append((self._label, text))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)


def page_sections(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    parser = _Sections()
    parser.feed(html)
    return parser.sections
