"""Nothing national changes with the FHIR export: after a full flow (sent, anchored, read as FHIR, decided,
amended, revoked), what the national overview receives holds no FHIR resource, no FHIR identifier
system and no personal data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from shared.domain.identifiers import find_personnummer_like
from shared.events.contracts import SakSammendragV2, VedtakOpphevet
from shared.fhir.systemer import FODSELSNUMMER, KANON
from shared.platform.bus.base import Message, Subscription
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold
from tests.support.soknad_flyt import SOKER, send_soknad, soknadsflyt, vedtak
from tests.support.waiting import wait_until

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
NATIONAL = "nasjonal.sammendrag"


class Captured:
    """A stand-in for the national overview: one queue on the national exchange, every trust's keys."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle(self, message: Message) -> None:
        self.messages.append(message)


async def test_the_national_overview_gets_no_fhir_and_no_personal_data(tmp_path: Path) -> None:
    innhold = complete_innhold()
    fnr, navn = innhold["pasient_fodselsnummer"], innhold["pasient_navn"]
    async with soknadsflyt(tmp_path / "soknad", NOW) as flyt:
        national = Captured()
        await flyt.bus.subscribe(
            Subscription(
                consumer="test",
                handler_name="capture",
                exchange=NATIONAL,
                event_type=SakSammendragV2.TYPE,
                handler=national.handle,
                binding_key="#",
            )
        )
        settings = IntegrasjonSettings(data_dir=tmp_path / "integrasjon", log_json=False)
        async with running(create_integrasjon(settings, bus=flyt.bus, national_bus=flyt.bus)):
            soknad_id, lopenummer = await send_soknad(flyt)
            first = vedtak(soknad_id, lopenummer)
            await flyt.publish(first, lopenummer=lopenummer)
            async with DemoClient(flyt.app, SOKER) as soker:
                for path in (f"/fhir/Patient/{soknad_id}", f"/fhir/ClaimResponse/{first.vedtak_id}"):
                    assert (await soker.get(path)).status_code == 200
                bundle = await soker.get(
                    "/fhir/Claim",
                    params={"identifier": lopenummer, "_revinclude": "ClaimResponse:request"},
                )
                assert bundle.status_code == 200 and bundle.json()["total"] == 1
            amended = vedtak(
                soknad_id, lopenummer, utfall="innvilget", art="endring", erstatter_vedtak_id=first.vedtak_id
            )
            await flyt.publish(amended, lopenummer=lopenummer)
            await flyt.publish(
                VedtakOpphevet(
                    vedtak_id="c2a9d4e6-1b7f-4c3a-a5e8-9f0b1c2d3e44",
                    opphever_vedtak_id=amended.vedtak_id,
                    soknad_id=soknad_id,
                    lopenummer=lopenummer,
                    begrunnelse="Alvorlig bivirkning.",
                    gjelder_fra=date(2026, 5, 1),
                    opphevet_av="hbe-fagdirektor",
                    opphevet_av_navn="Lars Haugen",
                    opphevet_at=datetime(2026, 4, 28, 14, tzinfo=UTC),
                ),
                lopenummer=lopenummer,
            )
            # Anchored, decided, amended, revoked: one summary each.
            await wait_until(lambda: len(national.messages) >= 4)
    assert len(national.messages) == 4
    for message in national.messages:
        text = message.envelope.model_dump_json()
        payload = json.loads(text)
        assert payload["data"]["lopenummer"] == lopenummer
        for forbidden in (
            "resourceType",
            "Patient",
            "QuestionnaireResponse",
            "ClaimResponse",
            KANON,
            FODSELSNUMMER,
        ):
            assert forbidden not in text, forbidden
        assert fnr not in text and navn not in text and fnr[:6] not in text
        assert find_personnummer_like(text) == []
