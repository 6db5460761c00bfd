"""One vocabulary for the case's data: the producer (soknad's snapshot) puts the drug and indication in
their normal form and lengths once, and the national summary carries `icd10_kode`/`icd10_tekst` while
still reading summaries queued under the old names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.domain import saksdata
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.common import NasjonalStatus
from shared.events.contracts import SakSammendrag
from soknad.handlers.snapshot import forankret_event
from soknad.skjema.register import SkjemaRegister
from soknad.store import Soknad

SUMMARY: dict[str, Any] = {
    "lopenummer": "HBE-2026-000042",
    "hf": "HBE",
    "rhf": "HV",
    "sekvens": 1,
    "type": "enkeltpasient",
    "kategori": "off_label",
    "legemiddel_navn": "MabThera",
    "virkestoff": "rituksimab",
    "status": "vedtatt",
    "sendt_maned": "2026-03",
}


def test_icd10_codes_are_upper_case_with_the_dot() -> None:
    assert saksdata.icd10_kode(" g360 ") == "G36.0"
    assert saksdata.icd10_kode("G35") == "G35"
    assert saksdata.icd10_kode("m33.1") == "M33.1"
    assert saksdata.icd10_kode(None) == ""
    assert len(saksdata.icd10_kode("X" * 50)) == saksdata.ICD10_KODE_MAKS


def test_texts_are_trimmed_and_cut_to_their_length() -> None:
    assert saksdata.kort_tekst("  rituksimab  ", saksdata.VIRKESTOFF_MAKS) == "rituksimab"
    assert len(saksdata.kort_tekst("a" * 1000, saksdata.LEGEMIDDEL_NAVN_MAKS)) == 200
    assert saksdata.kort_tekst(42, 10) == ""
    assert saksdata.atc_kode(" l01fa01 ") == "L01FA01"
    assert saksdata.atc_kode("") is None


def test_the_snapshot_carries_the_drug_and_indication_in_their_normal_form() -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    soknad = Soknad(
        id="s-1",
        hf="HBE",
        lopenummer="HBE-2026-000042",
        type="enkeltpasient",
        kategori="off_label",
        enhet="HBE-NEVRO",
        soker_id="hbe-soker",
        soker_navn="Lege Legesen",
        innhold={
            "pasient_fodselsnummer": synthetic_fodselsnummer(datetime(1985, 3, 15).date(), sex="kvinne"),
            "pasient_navn": "Kari Nordmann",
            "legemiddel": {
                "navn": "M" * 400,
                "virkestoff": " rituksimab ",
                "atc": "l01fa01",
                "verifisert": True,
            },
            "indikasjon": {"kode": "g360", "tekst": "N" * 400, "verifisert": False},
        },
        sendt_at=at,
        forankret_at=at,
        forankring={"leder_id": "l", "leder_navn": "Per", "begrunnelse": "Enig.", "kostnadssted": "4100"},
    )
    soknad.skjema_versjon = 1
    event = forankret_event(soknad, skjemaer=SkjemaRegister.load(), allow_synthetic=True, today=at.date())
    assert event.indikasjon.kode == "G36.0"
    assert len(event.indikasjon.tekst) == saksdata.ICD10_TEKST_MAKS
    assert len(event.legemiddel.navn) == saksdata.LEGEMIDDEL_NAVN_MAKS
    assert (event.legemiddel.virkestoff, event.legemiddel.atc) == ("rituksimab", "L01FA01")


def test_the_summary_speaks_icd10_kode_and_still_reads_the_old_names() -> None:
    old = SakSammendrag.model_validate({**SUMMARY, "indikasjon_kode": "G35", "indikasjon_tekst": "MS"})
    new = SakSammendrag.model_validate({**SUMMARY, "icd10_kode": "G35", "icd10_tekst": "MS"})
    assert old == new
    sent = new.model_dump(mode="json")
    assert (sent["icd10_kode"], sent["icd10_tekst"]) == ("G35", "MS")
    assert "indikasjon_kode" not in sent and "indikasjon_tekst" not in sent
    assert new.status is NasjonalStatus.VEDTATT and sent["status"] == "vedtatt"
