"""integrasjon's national summary v2 in-process: amendments, revocations, follow-up and
post-registration change what the nation sees, in whatever order the trust's queues deliver them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from fastapi import FastAPI

from shared.events.common import Indikasjon, Legemiddel, Pasient, VedtakOmfang, Vilkar
from shared.events.contracts import (
    OppfolgingRegistrert,
    SakEtterregistrert,
    SakSammendragV2,
    VedtakOpphevet,
)
from shared.platform.bus.memory import MemoryBus
from tests.service import test_integrasjon_summary as v1
from tests.service.test_integrasjon_summary import (
    BORN,
    FNR,
    NAVN,
    Captured,
    assert_anonymous,
    envelope,
    forankret,
    vedtatt,
)
from tests.support.waiting import wait_until

# The in-process app, its bus and the stand-in for the national overview, as for v1's tests.
bus, national, app = v1.bus, v1.national, v1.app

SOKNAD_ID = "3f2c6a4e-1111-4000-8000-000000000042"
LOPENUMMER = "HBE-2026-000042"


def summaries(national: Captured) -> list[SakSammendragV2]:
    return [SakSammendragV2.model_validate(m.envelope.data) for m in national.messages]


def has_count(national: Captured, count: int) -> bool:
    return len(national.messages) == count


def endring(**overrides: Any) -> Any:
    values: dict[str, Any] = {
        "vedtak_id": "vedtak-43",
        "art": "endring",
        "erstatter_vedtak_id": "vedtak-42",
        "utfall": "innvilget_med_vilkar",
        "vilkar": "Evaluering etter seks måneder.",
        "fattet_at": datetime(2026, 8, 3, 9, 0, tzinfo=UTC),
    }
    return vedtatt(**{**values, **overrides})


def opphevet() -> VedtakOpphevet:
    return VedtakOpphevet(
        vedtak_id="vedtak-44",
        opphever_vedtak_id="vedtak-42",
        soknad_id=SOKNAD_ID,
        lopenummer=LOPENUMMER,
        begrunnelse=f"{NAVN} fikk alvorlige bivirkninger.",
        gjelder_fra=date(2026, 9, 1),
        opphevet_av="hbe-fagdirektor",
        opphevet_av_navn="Lars Haugen",
        opphevet_at=datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
    )


def oppfulgt() -> OppfolgingRegistrert:
    return OppfolgingRegistrert(
        soknad_id=SOKNAD_ID,
        lopenummer=LOPENUMMER,
        effekt="delvis",
        bivirkninger=True,
        fortsetter=False,
        registrert_at=datetime(2026, 10, 1, 8, 0, tzinfo=UTC),
        avslutningsarsak="bivirkninger",
        bivirkningsgrad="alvorlig",
    )


async def test_amendment_revocation_and_follow_up_each_send_a_summary(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    steps: list[tuple[Any, str]] = [
        (forankret(), "soknad.events"),
        (vedtatt(), "beslutning.events"),
        (endring(), "beslutning.events"),
        (oppfulgt(), "soknad.events"),
        (opphevet(), "beslutning.events"),
    ]
    for count, (event, exchange) in enumerate(steps, start=1):
        await bus.publish(envelope(event), exchange=exchange)
        await wait_until(partial(has_count, national, count))
    _, decided, amended, followed, revoked = summaries(national)
    assert [s.sekvens for s in summaries(national)] == [1, 2, 3, 4, 5]
    assert (decided.status, decided.utfall, decided.endret) == ("vedtatt", "innvilget", False)
    assert (amended.status, amended.utfall, amended.endret, amended.med_vilkar) == (
        "vedtatt",
        "innvilget_med_vilkar",
        True,
        True,
    )
    # The processing time stays the first decision's.
    assert (amended.vedtak_maned, amended.behandlingstid_dager) == ("2026-04", 23)
    assert (followed.effekt, followed.fortsetter, followed.avslutningsarsak, followed.bivirkningsgrad) == (
        "delvis",
        False,
        "bivirkninger",
        "alvorlig",
    )
    assert (revoked.status, revoked.endret, revoked.effekt) == ("opphevet", True, "delvis")
    assert all(s.gruppevedtak is None for s in summaries(national))
    for message in national.messages:
        assert message.user_id == "integrasjon-hbe"
        assert_anonymous(message)
        assert "bivirkninger." not in message.envelope.model_dump_json()  # the revocation's reasons


async def test_revocation_and_follow_up_that_overtake_the_decision_wait_for_it(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    await bus.publish(envelope(forankret()), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 1)
    # Separate queues: both arrive before the decision and are retried until it is there.
    await bus.publish(envelope(opphevet()), exchange="beslutning.events")
    await bus.publish(envelope(oppfulgt()), exchange="soknad.events")
    await bus.publish(envelope(vedtatt()), exchange="beslutning.events")
    await wait_until(lambda: len(national.messages) == 4)
    await bus.drain()
    last = summaries(national)[-1]
    assert (last.sekvens, last.status, last.effekt) == (4, "opphevet", "delvis")


async def test_a_first_decision_arriving_after_its_amendment_changes_nothing(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    await bus.publish(envelope(forankret()), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 1)
    await bus.publish(envelope(endring(utfall="avslatt", vilkar=None)), exchange="beslutning.events")
    await wait_until(lambda: len(national.messages) == 2)
    await bus.publish(envelope(vedtatt()), exchange="beslutning.events")
    await bus.drain()
    assert [(s.utfall, s.endret) for s in summaries(national)] == [(None, False), ("avslatt", True)]


async def test_a_granted_group_decision_is_published_with_its_text(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    gruppe = forankret(
        type="gruppe",
        pasient=None,
        gruppe_beskrivelse="Voksne med NMOSD ved nevrologisk avdeling",
        gruppe_storrelse=15,
        begrunnelse="Gruppevedtak ønskes.",
    )
    omfang = VedtakOmfang(
        legemiddel=gruppe.legemiddel,
        indikasjon=gruppe.indikasjon,
        dosering="1000 mg x 2",
        enhet="HBE-NEVRO",
        enhet_navn="Nevrologisk avdeling",
    )
    vilkar = [Vilkar(type="registrering", tekst="Registreres i kvalitetsregister.")]
    await bus.publish(envelope(gruppe), exchange="soknad.events")
    await bus.publish(
        envelope(
            vedtatt(soknad_type="gruppe", omfang=omfang, vilkar_liste=vilkar, gyldig_til=date(2027, 4, 30))
        ),
        exchange="beslutning.events",
    )
    await wait_until(lambda: len(national.messages) == 2)
    published = summaries(national)[-1].gruppevedtak
    assert published is not None
    assert (published.beskrivelse, published.dosering, published.vilkar, published.begrunnelse) == (
        "Voksne med NMOSD ved nevrologisk avdeling",
        "1000 mg x 2",
        vilkar,
        "Oppfyller kriteriene.",
    )
    assert (published.gyldig_til, published.enhet_navn) == (date(2027, 4, 30), "Nevrologisk avdeling")
    assert "Gruppevedtak ønskes." not in national.messages[-1].envelope.model_dump_json()


def etterregistrert(**overrides: Any) -> SakEtterregistrert:
    values: dict[str, Any] = {
        "soknad_id": "9c9c9c9c-0000-4000-8000-000000000001",
        "lopenummer": "HBE-2023-000901",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "pasient": Pasient(fodselsnummer=FNR, navn=NAVN, fodselsdato=BORN, kjonn="kvinne"),
        "legemiddel": Legemiddel(navn="MabThera", virkestoff="rituksimab", atc="L01FA01", verifisert=True),
        "indikasjon": Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        "utfall": "innvilget",
        "sendt_dato": date(2023, 3, 1),
        "vedtak_dato": date(2023, 3, 20),
        "estimert_kostnad_nok": 90_000,
        "registrert_av": "hbe-admin",
        "registrert_at": datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    }
    return SakEtterregistrert(**{**values, **overrides})


async def test_a_post_registered_case_reaches_the_nation_as_decided(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    await bus.publish(envelope(etterregistrert(), subject="HBE-2023-000901"), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 1)
    s = summaries(national)[0]
    assert (s.lopenummer, s.etterregistrert, s.status, s.utfall, s.sekvens) == (
        "HBE-2023-000901",
        True,
        "vedtatt",
        "innvilget",
        1,
    )
    assert (s.aldersgruppe, s.kjonn, s.sendt_maned, s.vedtak_maned, s.behandlingstid_dager) == (
        "30-49",
        "kvinne",
        "2023-03",
        "2023-03",
        19,
    )
    assert national.messages[0].user_id == "integrasjon-hbe"
    assert_anonymous(national.messages[0])
    # Imported again with a correction: a new summary, the sequence goes on.
    corrected = etterregistrert(utfall="avslatt")
    await bus.publish(envelope(corrected, subject="HBE-2023-000901"), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 2)
    assert (summaries(national)[1].sekvens, summaries(national)[1].utfall) == (2, "avslatt")
    # Amended in the new system: the new outcome, the imported processing time kept.
    amendment = vedtatt(
        vedtak_id="vedtak-901", art="endring", soknad_id="9c9c9c9c-0000-4000-8000-000000000001",
        lopenummer="HBE-2023-000901", utfall="innvilget",
    )  # fmt: skip
    await bus.publish(envelope(amendment, subject="HBE-2023-000901"), exchange="beslutning.events")
    await wait_until(lambda: len(national.messages) == 3)
    amended = summaries(national)[2]
    assert (amended.utfall, amended.endret, amended.etterregistrert, amended.behandlingstid_dager) == (
        "innvilget",
        True,
        True,
        19,
    )


async def test_a_post_registered_case_of_another_trust_is_dead_lettered(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    await bus.publish(
        envelope(etterregistrert(), hf="SUS", subject="HBE-2023-000901"), exchange="soknad.events"
    )
    await bus.drain()
    assert national.messages == []
    queue = f"evt-soknad.events-{SakEtterregistrert.TYPE}--integrasjon.on_sak_etterregistrert"
    assert await bus.dead_letter_count(queue) == 1
