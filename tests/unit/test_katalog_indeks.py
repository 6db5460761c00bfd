"""The look-up index: ranking, accents, codes with or without the dot, gone and inactive entries."""

from __future__ import annotations

from dataclasses import replace

from integrasjon.katalog import DiagnoseOppslag, Katalog, LegemiddelOppslag

BASE = LegemiddelOppslag(
    fest_id="ID_0",
    navn="",
    navn_form_styrke="",
    virkestoff="",
    atc="",
    legemiddelform="Tablett",
    styrke="5 mg",
    krever_godkjenningsfritak=False,
    smpc_url=None,
)


def drug(
    fest_id: str,
    navn: str,
    virkestoff: str,
    atc: str,
    *,
    markedsstatus: str = "markedsfort",
    sokeord: tuple[str, ...] = (),
    borte: bool = False,
) -> LegemiddelOppslag:
    return replace(
        BASE,
        fest_id=fest_id,
        navn=navn,
        navn_form_styrke=f"{navn} tab 5 mg",
        virkestoff=virkestoff,
        atc=atc,
        markedsstatus=markedsstatus,
        sokeord=sokeord,
        borte=borte,
    )


KATALOG = Katalog.bygg(
    [
        drug("ID_1", "Atcnavn", "noe annet", "L04AA"),
        drug("ID_2", "Lamotrigin Orion", "lamotrigin", "N03AX09"),
        drug("ID_3", "Xeljanz", "tofacitinib", "L04AF01"),
        drug("ID_4", "Olumiant", "baricitinib", "L04AF02"),
        drug("ID_5", "Tofacitinib Sandoz", "tofacitinib", "L04AF01", markedsstatus="avregistrert"),
        drug("ID_6", "Æbleø Ønske", "søvnstoff", "N05CH01", sokeord=("sleepwell",)),
        drug("ID_7", "Borte", "tofacitinib", "L04AF01", borte=True),
    ],
    [
        DiagnoseOppslag("G35", "Multippel sklerose"),
        DiagnoseOppslag("G36.0", "Neuromyelitis optica [Devics sykdom]"),
        DiagnoseOppslag("G36.1", "Akutt og subakutt hemoragisk leukoencefalitt"),
        DiagnoseOppslag("N04.2", "Nefrotisk syndrom med diffus membranøs glomerulonefritt"),
        DiagnoseOppslag("A09.9", "Utgått", aktiv=False),
    ],
    versjon="t1",
)


def ids(q: str, limit: int = 10) -> list[str]:
    return [d.fest_id for d in KATALOG.sok_legemidler(q, limit=limit)]


def test_an_exact_atc_code_ranks_before_atc_prefixes_names_and_substances() -> None:
    assert ids("L04AF01") == ["ID_3", "ID_5"]
    assert ids("l04af") == ["ID_4", "ID_3", "ID_5"]
    assert ids("L04AA")[0] == "ID_1"


def test_a_name_prefix_ranks_before_a_substance_and_marketed_before_withdrawn() -> None:
    # "Tofacitinib Sandoz" starts with the text; Xeljanz only has it as its substance.
    assert ids("tofa") == ["ID_5", "ID_3"]
    assert ids("ian")[0] == "ID_4"  # Olumiant contains it in the name


def test_search_ignores_case_and_accents() -> None:
    for q in ("æbleø", "AEBLEO", "ønske", "onske", "SØVN", "sovnstoff", "sleepwell"):
        assert ids(q) == ["ID_6"], q


def test_gone_entries_are_found_by_id_only() -> None:
    assert "ID_7" not in ids("tofacitinib")
    gone = KATALOG.legemiddel("id_7")
    assert gone is not None and gone.borte


def test_diagnoses_by_code_with_or_without_dot_and_by_words() -> None:
    assert [d.kode for d in KATALOG.sok_diagnoser("G36.0", limit=10)] == ["G36.0"]
    assert [d.kode for d in KATALOG.sok_diagnoser("g360", limit=10)] == ["G36.0"]
    assert [d.kode for d in KATALOG.sok_diagnoser("G36", limit=10)] == ["G36.0", "G36.1"]
    assert [d.kode for d in KATALOG.sok_diagnoser("membranos nefrotisk", limit=10)] == ["N04.2"]
    assert [d.kode for d in KATALOG.sok_diagnoser("Multippel", limit=10)] == ["G35"]
    assert KATALOG.diagnose("g36.0") is not None and KATALOG.diagnose("G360") is not None


def test_inactive_codes_are_not_offered_but_still_resolve() -> None:
    assert KATALOG.sok_diagnoser("A09", limit=10) == []
    old = KATALOG.diagnose("A099")
    assert old is not None and not old.aktiv
