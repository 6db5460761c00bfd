"""A trust's integrasjon feeds the national oversikt through real RabbitMQ, as in the distributed mode:
a trust vhost, a national vhost, and a national user that may only write its own routing keys."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from oversikt.store import Sammendrag
from shared.domain.identifiers import synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SakSammendrag, SoknadForankret
from shared.events.envelope import Envelope
from shared.platform.bus.base import PublishError, RetryPolicy
from shared.platform.bus.factory import create_bus
from tests.support.apps import running
from tests.support.rabbit import UserFactory, set_topic_permissions, temporary_vhost, vhost_of
from tests.support.waiting import wait_until

NATIONAL = "nasjonal.sammendrag"


def forankret(lopenummer: str) -> Envelope:
    fnr = validate_fodselsnummer(
        synthetic_fodselsnummer(date(2012, 1, 9), sex="kvinne"), allow_synthetic=True
    )
    event = SoknadForankret(
        soknad_id=str(uuid.uuid4()),
        lopenummer=lopenummer,
        hf="HBE",
        type="enkeltpasient",
        kategori="godkjenningsfritak",
        enhet="HBE-NEVRO",
        soker_id="hbe-soker",
        soker_navn="Kari Nordmann",
        pasient=Pasient(
            fodselsnummer=fnr.value, navn="Rabbit Testesen", fodselsdato=fnr.birth_date, kjonn=fnr.sex
        ),
        legemiddel=Legemiddel(navn="Melatonin 1 mg", virkestoff="melatonin", atc="N05CH01", verifisert=True),
        indikasjon=Indikasjon(kode="G47.0", tekst="Insomni", verifisert=True),
        begrunnelse="Trenger lav dose.",
        estimert_kostnad_nok=2_000,
        sendt_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
        forankret_at=datetime(2026, 6, 2, 8, 0, tzinfo=UTC),
        forankring=Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Ok", kostnadssted="1"
        ),
    )
    return Envelope(
        source="/hf/HBE/soknad",
        type=event.TYPE,
        subject=lopenummer,
        hf="HBE",
        correlationid="rabbit-test",
        data=event.model_dump(mode="json"),
    )


@pytest.mark.integration
async def test_summary_travels_between_vhosts_with_the_trusts_own_user(
    tmp_path: Path, rabbit_vhost_url: str, rabbit_users: UserFactory
) -> None:
    national_vhost = vhost_of(rabbit_vhost_url)
    user = f"integrasjon-hbe-{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    # The permissions run_distributed.py gives a trust: write the national exchange, only `HBE.*` keys.
    national_url = rabbit_users(user, password, national_vhost, "^$", f"^{NATIONAL}$", "^$")
    set_topic_permissions(user, national_vhost, NATIONAL, "^HBE\\.", "^$")
    common: dict[str, Any] = {
        "log_json": False,
        "bus_retry_delays_s": (0.1, 0.2),
        "outbox_poll_interval_s": 0.1,
    }

    with temporary_vhost() as trust_url:
        oversikt = create_oversikt(
            OversiktSettings(
                data_dir=tmp_path / "o", bus_url=rabbit_vhost_url, expected_publishers={"HBE": user}, **common
            )
        )
        integrasjon = create_integrasjon(
            IntegrasjonSettings(
                data_dir=tmp_path / "i",
                hf=["HBE"],
                bus_url=trust_url,
                national_bus_url=national_url,
                national_user_template=user,
                **common,
            )
        )
        soknad = create_bus(trust_url, retry=RetryPolicy())
        async with running(oversikt), running(integrasjon):
            await soknad.connect()
            try:
                await soknad.publish(forankret("HBE-2026-000777"), exchange="soknad.events")
            finally:
                await soknad.close()

            # Read as stored: a lone case is withheld from the pages and the API (oversikt/kanonymitet.py).
            async def stored() -> Sammendrag | None:
                async with oversikt.state.runtime.db.sessions() as session:
                    return await session.get(Sammendrag, "HBE-2026-000777")

            await wait_until(stored, timeout=20)
            sak = await stored()
            assert sak is not None
            assert (sak.aldersgruppe, sak.kjonn, sak.kostnadsband) == ("13-17", "kvinne", "<100k")
            assert "Rabbit Testesen" not in str(vars(sak))

            # The broker itself stops HBE's user from writing another trust's summaries.
            forger = create_bus(national_url, retry=RetryPolicy())
            await forger.connect()
            try:
                forged = Envelope(
                    source="/hf/OUS/integrasjon",
                    type=SakSammendrag.TYPE,
                    subject="OUS-2026-000001",
                    hf="OUS",
                    correlationid="rabbit-test",
                    data={},
                )
                with pytest.raises(PublishError):
                    await forger.publish(forged, exchange=NATIONAL, user_id=user)
            finally:
                await forger.close()
