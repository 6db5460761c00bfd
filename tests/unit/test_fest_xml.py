"""The FEST M30 reader on the shipped sample in both namespace variants, and on files it must refuse."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from integrasjon.register.fest_eksempel import EKSEMPEL, SAMPLE_PATH, skriv_eksempel
from integrasjon.register.fest_skriver import skriv_fest
from integrasjon.register.fest_syntetisk import interaksjoner
from integrasjon.register.fest_xml import FestFormatFeil, les_fest
from integrasjon.register.rader import fest_rader

MABTHERA = "ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF"
MELATONIN = "ID_DB89D62E-6925-4A04-B9F7-C817330D7BEA"


def rows_by_id(path: Path) -> dict[str, dict[str, object]]:
    brands, _ = fest_rader(les_fest(path), date(2026, 12, 3))
    return {str(r["fest_id"]): r for r in brands}


def test_the_shipped_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    # The sample is generated, never edited by hand: a change to the generator shows here.
    assert skriv_eksempel(tmp_path / "f.xml").read_bytes() == SAMPLE_PATH.read_bytes()


def test_the_shipped_fest_251_sample_gives_brands_packs_substances_and_links() -> None:
    fil = les_fest(SAMPLE_PATH)
    assert fil.versjon == "2.5.1" and fil.hentet_dato == "2026-12-01T03:10:00"
    assert len(fil.merkevarer) == len(EKSEMPEL)
    brands, packs = fest_rader(fil, date(2026, 12, 3))
    by_id = {r["fest_id"]: r for r in brands}
    mabthera = by_id[MABTHERA]
    assert (mabthera["navn"], mabthera["atc"], mabthera["virkestoff"], mabthera["styrke"]) == (
        "MabThera",
        "L01FA01",
        "rituksimab",
        "10 mg/ml",
    )
    assert mabthera["virkestoff_engelsk"] == "rituximab"
    assert mabthera["legemiddelform"] == "Konsentrat til infusjonsvæske, oppløsning"
    assert mabthera["smpc_url"] == "https://www.ema.europa.eu/en/medicines/human/EPAR/mabthera"
    assert mabthera["markedsstatus"] == "markedsfort" and mabthera["preparattype"] == "7"
    melatonin = by_id[MELATONIN]
    assert melatonin["preparattype"] == "11" and melatonin["smpc_url"] is None
    kineret = next(r for r in brands if r["navn"] == "Kineret")
    assert kineret["styrke"] == "100 mg/0,67 ml"
    # Fewer than half of FEST's brands have an SmPC link; the sample has both kinds.
    assert {r["smpc_url"] is None for r in brands} == {True, False}
    mab_packs = [p for p in packs if p["merkevare_id"] == MABTHERA]
    assert [p["aip_ore"] for p in mab_packs] == [421600, 1054000]
    assert all(p["aup_ore"] and p["varenr"] for p in mab_packs)
    remicade = [p for p in packs if p["navn_form_styrke"].startswith("Remicade")]
    assert {str(p["avreg_dato"]) for p in remicade} == {"None", "2025-06-01"}
    octagam = next(r for r in brands if r["navn"] == "Octagam")
    assert octagam["markedsstatus"] == "midlertidig_utgatt"


def test_the_fest_24_namespaces_give_the_same_catalogue(tmp_path: Path) -> None:
    old = skriv_eksempel(tmp_path / "fest24.xml", versjon="2.4")
    text = old.read_text(encoding="utf-8")
    assert "m30/2013-10-08" in text and "forskrivning/2010-04-01" in text and "2014-12-01" not in text
    assert les_fest(old).versjon == "2.4"
    assert rows_by_id(old) == rows_by_id(SAMPLE_PATH)


def _sample(**replace: str) -> bytes:
    text = SAMPLE_PATH.read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


def test_a_truncated_file_is_refused_in_norwegian() -> None:
    data = SAMPLE_PATH.read_bytes()
    with pytest.raises(FestFormatFeil, match=r"ikke gyldig XML \(avkortet eller skadet\?\): feil ved linje"):
        les_fest(io.BytesIO(data[: len(data) // 2]))


def test_a_file_in_another_namespace_is_refused() -> None:
    wrong_root = _sample(**{"eresept/m30/2014-12-01": "eresept/m30/2099-01-01"})
    with pytest.raises(FestFormatFeil, match="Filen er ikke en FEST-fil"):
        les_fest(io.BytesIO(wrong_root))
    wrong_payload = _sample(**{"forskrivning/2014-12-01": "forskrivning/2099-01-01"})
    with pytest.raises(FestFormatFeil, match="ukjent navnerom"):
        les_fest(io.BytesIO(wrong_payload))
    with pytest.raises(FestFormatFeil, match="rotelementet er «html»"):
        les_fest(io.BytesIO(b"<html><body>Ikke funnet</body></html>"))


def test_an_entry_without_id_is_refused() -> None:
    without = _sample(**{f"<Id>{MABTHERA}</Id>": ""})
    with pytest.raises(
        FestFormatFeil, match=r"KatLegemiddelMerkevare: oppføring nr. 1 \(MabThera .*\) mangler Id"
    ):
        les_fest(io.BytesIO(without))


def test_entities_are_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE FEST [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<FEST xmlns="http://www.kith.no/xmlstds/eresept/m30/2014-12-01"><HentetDato>&b;</HentetDato></FEST>'
    )
    with pytest.raises(Exception, match=r"[Ee]ntit"):
        les_fest(io.BytesIO(bomb))


def test_the_reader_streams_instead_of_holding_the_tree(tmp_path: Path) -> None:
    path = tmp_path / "stor.xml"
    with path.open("w", encoding="utf-8") as out:
        skriv_fest(out, EKSEMPEL, fyll=interaksjoner(8_000_000))
    tracemalloc.start()
    try:
        fil = les_fest(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(fil.merkevarer) == len(EKSEMPEL)
    # The whole tree of 8 MB of XML takes several times its size; a stream holds one entry at a time.
    assert peak < 3_000_000, peak
