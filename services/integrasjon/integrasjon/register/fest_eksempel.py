"""The shipped FEST sample: real drugs (DOMAIN.md section 6, and what the demo and tests look up) with
made-up FEST ids in FEST's `ID_<GUID>` form, written in the real M30 format by `fest_skriver`.

    python -m integrasjon.register.fest_eksempel OUT.xml [--versjon 2.4] [--full]

`--full` writes a full-size file instead (about 9,000 brands, 11,000 packs, 120 MB; `fest_syntetisk`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from integrasjon.register.fest_skriver import M30, Legemiddeldata, Pakningsdata, fest_id, skriv_fest

SAMPLE_PATH: Final = Path(__file__).resolve().parents[1] / "data" / "fest251_eksempel.xml"

EMA_EPAR = "https://www.ema.europa.eu/en/medicines/human/EPAR/"
INFUSJONSKONSENTRAT = "Konsentrat til infusjonsvæske, oppløsning"
FILMDRASJERT = "Tablett, filmdrasjert"
IMMUNGLOBULIN = "immunglobulin, humant normalt"

EKSEMPEL: Final[tuple[Legemiddeldata, ...]] = (
    Legemiddeldata(
        "ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF",
        "MabThera",
        "MabThera konsentrat til infusjonsvæske 10 mg/ml",
        "rituksimab",
        "rituximab",
        "L01FA01",
        INFUSJONSKONSENTRAT,
        ("10", "mg"),
        ("1", "ml"),
        "Roche",
        EMA_EPAR + "mabthera",
        (Pakningsdata("2", "stk", 4216.0), Pakningsdata("1", "stk", 10540.0)),
        reseptgruppe="C",
        atc_navn="Rituksimab",
    ),
    Legemiddeldata(
        "ID_73BF6D22-F2C1-44C6-87A5-E49EF3176F33",
        "Truxima",
        "Truxima konsentrat til infusjonsvæske 10 mg/ml",
        "rituksimab",
        "rituximab",
        "L01FA01",
        INFUSJONSKONSENTRAT,
        ("10", "mg"),
        ("1", "ml"),
        "Celltrion",
        EMA_EPAR + "truxima",
        (Pakningsdata("2", "stk", 2950.0),),
        atc_navn="Rituksimab",
    ),
    Legemiddeldata(
        "ID_CE9EB8D1-91AB-4C29-A05B-CC7498765597",
        "Privigen",
        "Privigen infusjonsvæske 100 mg/ml",
        IMMUNGLOBULIN,
        "immunoglobulin, human normal",
        "J06BA02",
        "Infusjonsvæske, oppløsning",
        ("100", "mg"),
        ("1", "ml"),
        "CSL Behring",
        EMA_EPAR + "privigen",
        (Pakningsdata("1", "stk", 3890.0),),
        atc_navn="Immunglobuliner, normale humane, til intravaskulær adm.",
    ),
    Legemiddeldata(
        "ID_90E60E49-E701-4969-80DA-747E466083B6",
        "Kiovig",
        "Kiovig infusjonsvæske 100 mg/ml",
        IMMUNGLOBULIN,
        "immunoglobulin, human normal",
        "J06BA02",
        "Infusjonsvæske, oppløsning",
        ("100", "mg"),
        ("1", "ml"),
        "Takeda",
        EMA_EPAR + "kiovig",
        (Pakningsdata("1", "stk", 3925.0),),
    ),
    Legemiddeldata(
        fest_id("merkevare", "Octagam"),
        "Octagam",
        "Octagam infusjonsvæske 100 mg/ml",
        IMMUNGLOBULIN,
        "immunoglobulin, human normal",
        "J06BA02",
        "Infusjonsvæske, oppløsning",
        ("100", "mg"),
        ("1", "ml"),
        "Octapharma",
        None,
        (Pakningsdata("1", "stk", 3810.0, midl_utgatt_dato="2026-11-15"),),
    ),
    Legemiddeldata(
        "ID_A77E656E-03A9-4494-922E-FECCAF894EDF",
        "RoActemra",
        "RoActemra konsentrat til infusjonsvæske 20 mg/ml",
        "tocilizumab",
        "tocilizumab",
        "L04AC07",
        INFUSJONSKONSENTRAT,
        ("20", "mg"),
        ("1", "ml"),
        "Roche",
        EMA_EPAR + "roactemra",
        (Pakningsdata("1", "stk", 1240.0),),
    ),
    Legemiddeldata(
        "ID_583DC969-92A4-4802-AF62-50CA258ECF47",
        "RoActemra",
        "RoActemra injeksjonsvæske i ferdigfylt penn 162 mg",
        "tocilizumab",
        "tocilizumab",
        "L04AC07",
        "Injeksjonsvæske, oppløsning i ferdigfylt penn",
        ("162", "mg"),
        None,
        "Roche",
        EMA_EPAR + "roactemra",
        (Pakningsdata("4", "stk", 8790.0),),
    ),
    Legemiddeldata(
        "ID_800EA357-14AB-4AC0-BEF6-0A29FF0FDF31",
        "Kineret",
        "Kineret injeksjonsvæske i ferdigfylt sprøyte 100 mg/0,67 ml",
        "anakinra",
        "anakinra",
        "L04AC03",
        "Injeksjonsvæske, oppløsning i ferdigfylt sprøyte",
        ("100", "mg"),
        ("0.67", "ml"),
        "Sobi",
        EMA_EPAR + "kineret",
        (Pakningsdata("7", "stk", 2310.0), Pakningsdata("28", "stk", 9180.0)),
    ),
    Legemiddeldata(
        "ID_CEBB8183-788D-4A54-B531-096BEB368F8D",
        "Olumiant",
        "Olumiant tablett 4 mg",
        "baricitinib",
        "baricitinib",
        "L04AF02",
        FILMDRASJERT,
        ("4", "mg"),
        None,
        "Eli Lilly",
        EMA_EPAR + "olumiant",
        (Pakningsdata("28", "stk", 8975.0),),
        tablett=True,
    ),
    Legemiddeldata(
        "ID_B12B500F-CF1A-4AAA-9A75-5AF152A16073",
        "Olumiant",
        "Olumiant tablett 2 mg",
        "baricitinib",
        "baricitinib",
        "L04AF02",
        FILMDRASJERT,
        ("2", "mg"),
        None,
        "Eli Lilly",
        EMA_EPAR + "olumiant",
        (Pakningsdata("28", "stk", 8975.0),),
        tablett=True,
    ),
    Legemiddeldata(
        "ID_7E1631AE-FDC4-4B0A-B19B-2CB792957A00",
        "Xeljanz",
        "Xeljanz tablett 5 mg",
        "tofacitinib",
        "tofacitinib",
        "L04AF01",
        FILMDRASJERT,
        ("5", "mg"),
        None,
        "Pfizer",
        EMA_EPAR + "xeljanz",
        (Pakningsdata("56", "stk", 7420.0),),
        tablett=True,
    ),
    Legemiddeldata(
        "ID_A6D28B7C-12DB-45EB-86C5-C23994D2B253",
        "Jakavi",
        "Jakavi tablett 5 mg",
        "ruksolitinib",
        "ruxolitinib",
        "L01EJ01",
        "Tablett",
        ("5", "mg"),
        None,
        "Novartis",
        EMA_EPAR + "jakavi",
        (Pakningsdata("56", "stk", 30150.0),),
        tablett=True,
    ),
    Legemiddeldata(
        "ID_73669299-A86D-482B-95F3-C4495E861FE9",
        "Remicade",
        "Remicade pulver til konsentrat til infusjonsvæske 100 mg",
        "infliksimab",
        "infliximab",
        "L04AB02",
        "Pulver til konsentrat til infusjonsvæske, oppløsning",
        ("100", "mg"),
        None,
        "Janssen",
        EMA_EPAR + "remicade",
        (Pakningsdata("1", "stk", 4830.0), Pakningsdata("3", "stk", 14490.0, avreg_dato="2025-06-01")),
    ),
    Legemiddeldata(
        "ID_A954AD57-B7B3-4F3B-A9FC-3BE75A121986",
        "CellCept",
        "CellCept tablett 500 mg",
        "mykofenolatmofetil",
        "mycophenolate mofetil",
        "L04AA06",
        FILMDRASJERT,
        ("500", "mg"),
        None,
        "Roche",
        EMA_EPAR + "cellcept",
        (Pakningsdata("50", "stk", 640.0),),
        reseptgruppe="C",
        tablett=True,
    ),
    Legemiddeldata(
        "ID_2B106709-359E-4699-BCFA-454758260ED2",
        "Keytruda",
        "Keytruda konsentrat til infusjonsvæske 25 mg/ml",
        "pembrolizumab",
        "pembrolizumab",
        "L01FF02",
        INFUSJONSKONSENTRAT,
        ("25", "mg"),
        ("1", "ml"),
        "MSD",
        EMA_EPAR + "keytruda",
        (Pakningsdata("1", "stk", 39620.0),),
    ),
    Legemiddeldata(
        "ID_F9894F8A-6029-4DF0-A067-6806D1E0382C",
        "Hemangiol",
        "Hemangiol mikstur 3,75 mg/ml",
        "propranolol",
        "propranolol",
        "C07AA05",
        "Mikstur, oppløsning",
        ("3.75", "mg"),
        ("1", "ml"),
        "Pierre Fabre",
        EMA_EPAR + "hemangiol",
        (Pakningsdata("120", "ml", 2985.0),),
    ),
    Legemiddeldata(
        "ID_7125A8FB-13C8-40F5-8855-4FEF8A9F478E",
        "Propranolol (uregistrert)",
        "Propranolol mikstur 1 mg/ml (uregistrert)",
        "propranolol",
        "propranolol",
        "C07AA05",
        "Mikstur, oppløsning",
        ("1", "mg"),
        ("1", "ml"),
        "Unimedic",
        None,
        (Pakningsdata("100", "ml", 410.0),),
        preparattype="11",
    ),
    Legemiddeldata(
        "ID_DB89D62E-6925-4A04-B9F7-C817330D7BEA",
        "Melatonin (uregistrert)",
        "Melatonin smeltetablett 1 mg (uregistrert)",
        "melatonin",
        "melatonin",
        "N05CH01",
        "Smeltetablett",
        ("1", "mg"),
        None,
        "Orifarm",
        None,
        (Pakningsdata("30", "stk", 95.0),),
        preparattype="11",
    ),
)


def skriv_eksempel(path: Path, *, versjon: str = "2.5.1") -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        skriv_fest(out, EKSEMPEL, versjon=versjon)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Skriv en FEST M30-fil (eksempel eller full størrelse).")
    parser.add_argument("ut", type=Path, help="Filen som skrives.")
    parser.add_argument("--versjon", choices=sorted(M30), default="2.5.1", help="FEST-versjonens navnerom.")
    parser.add_argument("--full", action="store_true", help="Full størrelse: 9 000 merkevarer, 120 MB.")
    args = parser.parse_args(argv)
    if args.full:
        from integrasjon.register.fest_syntetisk import skriv_fullstorrelse

        skriv_fullstorrelse(args.ut, versjon=args.versjon)
    else:
        skriv_eksempel(args.ut, versjon=args.versjon)


if __name__ == "__main__":
    main()
