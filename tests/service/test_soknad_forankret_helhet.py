"""`SoknadForankret` carries the whole application: the form version, every stored answer, and the visible
sections exactly as the applicant's read-only page shows them (same sections, labels and answers, the
hidden sections absent), for the realistic cases of DOMAIN.md section 6."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.events.contracts import SoknadForankret
from tests.support.apps import DemoClient
from tests.support.soknad_flyt import HTML, SOKER, page_sections, send_soknad, soknadsflyt

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)

CASES: list[tuple[str, str, dict[str, Any], set[str]]] = [
    # (type, kategori, overrides, sections that must be absent)
    (
        "enkeltpasient",
        "off_label",
        {"register_registrering": "ja", "register_navn": "Norsk MS-register", "antall_kurer": None},
        {"pasientgruppe"},
    ),
    (
        "gruppe",
        "unntaksordningen",
        {
            "legemiddel": {"navn": "Keytruda", "virkestoff": "pembrolizumab", "atc": "L01FF02"},
            "indikasjon": {"kode": "C53.9", "tekst": "Livmorhalskreft", "verifisert": True},
        },
        {"pasient"},
    ),
    (
        "enkeltpasient",
        "godkjenningsfritak",
        {
            "legemiddel": {
                "navn": "Melatonin AGB 1 mg",
                "virkestoff": "melatonin",
                "atc": "N05CH01",
                "verifisert": False,
            },
            "indikasjon": {"kode": "G47.0", "tekst": "Søvnløshet", "verifisert": True},
        },
        {"pasientgruppe"},
    ),
    (
        "enkeltpasient",
        "tilgangsordningen",
        {
            "legemiddel": {"navn": "Kineret", "virkestoff": "anakinra", "atc": "L04AC03", "verifisert": True},
            "indikasjon": {"kode": "D76.1", "tekst": "Hemofagocytisk lymfohistiocytose", "verifisert": True},
        },
        {"pasientgruppe"},
    ),
]


@pytest.mark.parametrize(("type_", "kategori", "overrides", "hidden"), CASES)
async def test_the_event_shows_the_application_as_the_applicant_reads_it(
    tmp_path: Path, type_: str, kategori: str, overrides: dict[str, Any], hidden: set[str]
) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, _ = await send_soknad(flyt, type_=type_, kategori=kategori, **overrides)
        (event,) = await flyt.wait_for(SoknadForankret, soknad_id)
        async with DemoClient(flyt.app, SOKER) as soker:
            page = await soker.get(f"/s/{soknad_id}", headers=HTML)
            stored = (await soker.get(f"/api/soknader/{soknad_id}")).json()
    assert page.status_code == 200
    shown = [
        (title, [(label, answer) for label, answer in fields if answer != "Ikke besvart"])
        for title, fields in page_sections(page.text)
    ]
    carried = [(s.tittel, [(f.etikett, f.svar) for f in s.felt]) for s in event.visning]
    assert carried == [(title, fields) for title, fields in shown if fields]
    assert len(carried) >= 8
    ids = {s.id for s in event.visning}
    assert not ids & hidden, ids & hidden
    assert event.skjema_versjon == 1
    assert event.svar == stored["innhold"]
    # Formatted as the page formats them: choices as labels, amounts in kroner, dates in Norwegian.
    answers = {f.id: f.svar for s in event.visning for f in s.felt}
    assert answers["estimert_kostnad_nok"].replace("\u00a0", " ").startswith("180 000")
    assert answers["administrasjonsvei"] != "intravenos"
    if type_ == "enkeltpasient":
        assert "år" in answers["pasient_fodselsnummer"]  # age and sex derived, as beside the field
        assert answers["samtykke_dato"] == "15. januar 2026"
    if kategori == "godkjenningsfritak":
        assert answers["legemiddel"].endswith("(ikke kontrollert mot legemiddelregisteret)")
        assert "godkjent_bruk" not in answers  # asked only for off-label and Nye Metoder schemes
    if kategori == "off_label":
        assert answers["register_navn"] == "Norsk MS-register"
        assert "antall_kurer" not in answers  # not answered: not carried
        assert "nye_metoder_id" not in answers


async def test_the_contracts_own_fields_are_still_filled(tmp_path: Path) -> None:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        (event,) = await flyt.wait_for(SoknadForankret, soknad_id)
    assert event.lopenummer == lopenummer
    assert event.legemiddel.atc == "L01FA01" and event.indikasjon.kode == "G36.0"
    assert event.pasient is not None and event.pasient.navn == "Syntetisk Testpasient"
    assert event.forankring.leder_navn
