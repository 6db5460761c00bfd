"""Builders for the events a decision for integrators starts from: an anchored application and its
decision, as soknad and beslutning publish them (synthetic fødselsnummer only)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from shared.domain.identifiers import synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.base import EventContract
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient, VedtakOmfang, Vilkar
from shared.events.contracts import SoknadForankret, VedtakFattet, VedtakOpphevet
from shared.events.envelope import Envelope

PASIENT_NAVN = "Integra Testesen"


def pasient() -> Pasient:
    fnr = validate_fodselsnummer(synthetic_fodselsnummer(date(1971, 3, 14), sex="mann"), allow_synthetic=True)
    return Pasient(fodselsnummer=fnr.value, navn=PASIENT_NAVN, fodselsdato=fnr.birth_date, kjonn=fnr.sex)


LEGEMIDDEL = Legemiddel(
    navn="MabThera inf kons 10 mg/ml",
    virkestoff="rituksimab",
    atc="L01FA01",
    fest_id="ID_8F3A1C2E-0000-4000-8000-000000000001",
    verifisert=True,
)
INDIKASJON = Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True)


def forankret(lopenummer: str, *, hf: str = "HBE", **overrides: Any) -> SoknadForankret:
    fields: dict[str, Any] = {
        "soknad_id": str(uuid.uuid4()),
        "lopenummer": lopenummer,
        "hf": hf,
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "soker_id": "hbe-soker",
        "soker_navn": "Kari Nordmann",
        "pasient": pasient(),
        "legemiddel": LEGEMIDDEL,
        "indikasjon": INDIKASJON,
        "begrunnelse": "Pasienten har ikke tålt førstelinjebehandling.",
        "estimert_kostnad_nok": 150_000,
        "sendt_at": datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        "forankret_at": datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
        "forankring": Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Støttes.", kostnadssted="4410"
        ),
    }
    fields.update(overrides)
    return SoknadForankret(**fields)


def vedtak(lopenummer: str, **overrides: Any) -> VedtakFattet:
    fields: dict[str, Any] = {
        "vedtak_id": str(uuid.uuid4()),
        "soknad_id": str(uuid.uuid4()),
        "lopenummer": lopenummer,
        "utfall": "innvilget_med_vilkar",
        "begrunnelse": "Oppfyller kriteriene. Pasienten har alvorlig sykdom.",
        "vilkar": "Effekten evalueres etter seks måneder.",
        "gyldig_til": date(2027, 11, 30),
        "evalueringsdato": date(2027, 5, 31),
        "vurderingsflyt": "forenklet",
        "fattet_av": "hbe-fagdirektor",
        "fattet_at": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "fattet_av_navn": "Fagdirektør Fredrik",
        "kategori": "off_label",
        "soknad_type": "enkeltpasient",
        "enhet": "HBE-NEVRO",
        "omfang": VedtakOmfang(
            legemiddel=LEGEMIDDEL,
            indikasjon=INDIKASJON,
            dosering="1000 mg iv hver 6. måned",
            antall_kurer=2,
            gyldig_fra=date(2026, 12, 1),
            gyldig_til=date(2027, 11, 30),
            enhet="HBE-NEVRO",
            enhet_navn="Nevrologisk avdeling",
        ),
        "vilkar_liste": [Vilkar(type="evaluering", tekst="Evaluer effekten.", dato=date(2027, 5, 31))],
        "gyldig_fra": date(2026, 12, 1),
        "kostnadssted": "4410",
    }
    fields.update(overrides)
    return VedtakFattet(**fields)


def opphevet(lopenummer: str, opphever: str) -> VedtakOpphevet:
    return VedtakOpphevet(
        vedtak_id=str(uuid.uuid4()),
        opphever_vedtak_id=opphever,
        soknad_id=str(uuid.uuid4()),
        lopenummer=lopenummer,
        begrunnelse="Behandlingen er avsluttet.",
        gjelder_fra=date(2027, 1, 1),
        opphevet_av="hbe-fagdirektor",
        opphevet_av_navn="Fagdirektør Fredrik",
        opphevet_at=datetime(2026, 12, 20, 10, 0, tzinfo=UTC),
        kategori="off_label",
        enhet="HBE-NEVRO",
    )


def envelope(event: EventContract, *, hf: str = "HBE", subject: str | None = None) -> Envelope:
    return Envelope(
        source=f"/hf/{hf}/{event.PRODUCER}",
        type=event.TYPE,
        subject=subject,
        hf=hf,
        correlationid=f"test-{uuid.uuid4().hex[:8]}",
        data=event.model_dump(mode="json"),
    )
