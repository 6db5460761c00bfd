"""Writes FEST M30 files of our own: the small sample the demo and tests use, and a full-size one.

The sample holds real drugs (DOMAIN.md section 6) with made-up FEST ids in FEST's `ID_<GUID>` form;
the full-size file (about 9,000 brands, 11,000 packs, 120 MB, like DMP's `fest251.xml`) adds synthetic
brands and interaction entries, for the benchmark. Both follow the real element names and namespaces,
so what reads them reads DMP's file.

    python -m integrasjon.register.fest_eksempel OUT.xml [--versjon 2.4] [--full]
"""

from __future__ import annotations

import argparse
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final
from xml.sax.saxutils import escape, quoteattr

M30: Final = {
    "2.5.1": "http://www.kith.no/xmlstds/eresept/m30/2014-12-01",
    "2.4": "http://www.kith.no/xmlstds/eresept/m30/2013-10-08",
}
FORSKRIVNING: Final = {
    "2.5.1": "http://www.kith.no/xmlstds/eresept/forskrivning/2014-12-01",
    "2.4": "http://www.kith.no/xmlstds/eresept/forskrivning/2010-04-01",
}
ATC_OID: Final = "2.16.578.1.12.4.1.1.7180"
PRISTYPE_OID: Final = "2.16.578.1.12.4.1.1.7453"
ENHET_OID: Final = "2.16.578.1.12.4.1.1.7452"
SAMPLE_PATH: Final = Path(__file__).resolve().parents[1] / "data" / "fest251_eksempel.xml"
HENTET: Final = "2026-12-01T03:10:00"
_NAMESPACE: Final = uuid.UUID("5f0e1d1c-7a4e-4b53-9d7e-2f6d5c4b3a21")


def fest_id(*parts: str) -> str:
    """A stable `ID_<GUID>` for what the sample invents (the same on every run)."""
    return "ID_" + str(uuid.uuid5(_NAMESPACE, "/".join(parts))).upper()


@dataclass(frozen=True)
class Pakningsdata:
    storrelse: str
    enhet: str
    aip_nok: float
    markedsforingsdato: str = "2020-01-01"
    midl_utgatt_dato: str | None = None
    avreg_dato: str | None = None


@dataclass(frozen=True)
class Legemiddeldata:
    fest_id: str
    navn: str
    navn_form_styrke: str
    virkestoff: str
    virkestoff_engelsk: str
    atc: str
    legemiddelform: str
    styrke: tuple[str, str]
    nevner: tuple[str, str] | None
    produsent: str
    smpc_url: str | None
    pakninger: tuple[Pakningsdata, ...]
    preparattype: str = "7"
    reseptgruppe: str = "C"
    tablett: bool = False
    atc_navn: str = ""
    fyll: tuple[str, ...] = field(default=())


_EMA = "https://www.ema.europa.eu/en/medicines/human/EPAR/"
_INF = "Konsentrat til infusjonsvæske, oppløsning"
_FILM = "Tablett, filmdrasjert"
_IG = "immunglobulin, humant normalt"

EKSEMPEL: Final[tuple[Legemiddeldata, ...]] = (
    Legemiddeldata(
        "ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF",
        "MabThera",
        "MabThera konsentrat til infusjonsvæske 10 mg/ml",
        "rituksimab",
        "rituximab",
        "L01FA01",
        _INF,
        ("10", "mg"),
        ("1", "ml"),
        "Roche",
        _EMA + "mabthera",
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
        _INF,
        ("10", "mg"),
        ("1", "ml"),
        "Celltrion",
        _EMA + "truxima",
        (Pakningsdata("2", "stk", 2950.0),),
        atc_navn="Rituksimab",
    ),
    Legemiddeldata(
        "ID_CE9EB8D1-91AB-4C29-A05B-CC7498765597",
        "Privigen",
        "Privigen infusjonsvæske 100 mg/ml",
        _IG,
        "immunoglobulin, human normal",
        "J06BA02",
        "Infusjonsvæske, oppløsning",
        ("100", "mg"),
        ("1", "ml"),
        "CSL Behring",
        _EMA + "privigen",
        (Pakningsdata("1", "stk", 3890.0),),
        atc_navn="Immunglobuliner, normale humane, til intravaskulær adm.",
    ),
    Legemiddeldata(
        "ID_90E60E49-E701-4969-80DA-747E466083B6",
        "Kiovig",
        "Kiovig infusjonsvæske 100 mg/ml",
        _IG,
        "immunoglobulin, human normal",
        "J06BA02",
        "Infusjonsvæske, oppløsning",
        ("100", "mg"),
        ("1", "ml"),
        "Takeda",
        _EMA + "kiovig",
        (Pakningsdata("1", "stk", 3925.0),),
    ),
    Legemiddeldata(
        fest_id("merkevare", "Octagam"),
        "Octagam",
        "Octagam infusjonsvæske 100 mg/ml",
        _IG,
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
        _INF,
        ("20", "mg"),
        ("1", "ml"),
        "Roche",
        _EMA + "roactemra",
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
        _EMA + "roactemra",
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
        _EMA + "kineret",
        (Pakningsdata("7", "stk", 2310.0), Pakningsdata("28", "stk", 9180.0)),
    ),
    Legemiddeldata(
        "ID_CEBB8183-788D-4A54-B531-096BEB368F8D",
        "Olumiant",
        "Olumiant tablett 4 mg",
        "baricitinib",
        "baricitinib",
        "L04AF02",
        _FILM,
        ("4", "mg"),
        None,
        "Eli Lilly",
        _EMA + "olumiant",
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
        _FILM,
        ("2", "mg"),
        None,
        "Eli Lilly",
        _EMA + "olumiant",
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
        _FILM,
        ("5", "mg"),
        None,
        "Pfizer",
        _EMA + "xeljanz",
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
        _EMA + "jakavi",
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
        _EMA + "remicade",
        (Pakningsdata("1", "stk", 4830.0), Pakningsdata("3", "stk", 14490.0, avreg_dato="2025-06-01")),
    ),
    Legemiddeldata(
        "ID_A954AD57-B7B3-4F3B-A9FC-3BE75A121986",
        "CellCept",
        "CellCept tablett 500 mg",
        "mykofenolatmofetil",
        "mycophenolate mofetil",
        "L04AA06",
        _FILM,
        ("500", "mg"),
        None,
        "Roche",
        _EMA + "cellcept",
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
        _INF,
        ("25", "mg"),
        ("1", "ml"),
        "MSD",
        _EMA + "keytruda",
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
        _EMA + "hemangiol",
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


def _kodet(tag: str, v: str, dn: str = "", s: str = "") -> str:
    attrs = (
        f" V={quoteattr(v)}" + (f" S={quoteattr(s)}" if s else "") + (f" DN={quoteattr(dn)}" if dn else "")
    )
    return f"<{tag}{attrs} />"


def _oppf(kind: str, entry_id: str, payload: str) -> str:
    return (
        f"<Oppf{kind}><Id>{entry_id}</Id><Tidspunkt>2026-11-28T03:11:16</Tidspunkt>"
        f'<Status V="A" DN="Aktiv oppføring" />{payload}</Oppf{kind}>\n'
    )


def _vms_id(lm: Legemiddeldata) -> str:
    nevner = "/".join(lm.nevner) if lm.nevner else ""
    return fest_id("virkestoffmedstyrke", lm.virkestoff, *lm.styrke, nevner)


def _felles(lm: Legemiddeldata) -> str:
    """The `typeLegemiddel` part that brands and packs share, in the schema's order."""
    godkjenningsfritak = lm.preparattype == "11"
    return (
        _kodet("Atc", lm.atc, lm.atc_navn or lm.virkestoff.capitalize(), ATC_OID)
        + f"<NavnFormStyrke>{escape(lm.navn_form_styrke)}</NavnFormStyrke>"
        + _kodet("Reseptgruppe", lm.reseptgruppe, f"Reseptgruppe {lm.reseptgruppe}")
        + (_kodet("LegemiddelformKort", "53", "Tablett", "2.16.578.1.12.4.1.1.7448") if lm.tablett else "")
        + _kodet(
            "Preparattype", lm.preparattype, "Krever godkj. fritak" if godkjenningsfritak else "Legemiddel"
        )
        + _kodet(
            "TypeSoknadSlv",
            "2" if godkjenningsfritak else "1",
            "Søknad vurderes av apotek" if godkjenningsfritak else "Skal ikke søkes",
        )
    )


def _merkevare(lm: Legemiddeldata, ns: str) -> str:
    lenke = (
        "<Preparatomtaleavsnitt>"
        + _kodet("Avsnittoverskrift", "1", "Preparatomtale")
        + f"<Lenke><Www V={quoteattr(lm.smpc_url)} /></Lenke></Preparatomtaleavsnitt>"
        if lm.smpc_url
        else ""
    )
    payload = (
        f'<LegemiddelMerkevare xmlns="{ns}">'
        + _felles(lm)
        + f"<Id>{lm.fest_id}</Id><Varenavn>{escape(lm.navn)}</Varenavn>"
        + f"<LegemiddelformLang>{escape(lm.legemiddelform)}</LegemiddelformLang>"
        + f"<SortertVirkestoffMedStyrke><Sortering>0</Sortering>"
        f"<RefVirkestoffMedStyrke>{_vms_id(lm)}</RefVirkestoffMedStyrke></SortertVirkestoffMedStyrke>"
        + f"<ProduktInfo><Produsent>{escape(lm.produsent)}</Produsent></ProduktInfo>"
        + "".join(lm.fyll)
        + lenke
        + "</LegemiddelMerkevare>"
    )
    return _oppf("LegemiddelMerkevare", fest_id("oppforing", lm.fest_id), payload)


def _pakning(lm: Legemiddeldata, nr: int, p: Pakningsdata, ns: str) -> str:
    pakning_id = fest_id("pakning", lm.fest_id, str(nr))
    varenr = str(100000 + int(uuid.UUID(pakning_id[3:]).int % 899999))
    aup = round(p.aip_nok * 1.08 + 30, 2)
    priser = "".join(
        f'<PrisVare>{_kodet("Type", code, dn, PRISTYPE_OID)}<Pris V="{value:.2f}" U="NOK" />'
        "<GyldigFraDato>2026-01-01</GyldigFraDato></PrisVare>"
        for code, dn, value in (("3", "AIP", p.aip_nok), ("4", "AUP", aup))
    )
    marked = f"<Markedsforingsdato>{p.markedsforingsdato}</Markedsforingsdato>"
    if p.midl_utgatt_dato:
        marked += f"<MidlUtgattDato>{p.midl_utgatt_dato}</MidlUtgattDato>"
    if p.avreg_dato:
        marked += f"<AvregDato>{p.avreg_dato}</AvregDato>"
    enhet = "stykk" if p.enhet == "stk" else p.enhet
    payload = (
        f'<Legemiddelpakning xmlns="{ns}">'
        + _felles(lm)
        + f"<Id>{pakning_id}</Id><Varenr>{varenr}</Varenr>"
        + f"<Pakningsinfo><RefLegemiddelMerkevare>{lm.fest_id}</RefLegemiddelMerkevare>"
        f"<Pakningsstr>{p.storrelse}</Pakningsstr>{_kodet('EnhetPakning', p.enhet, enhet, ENHET_OID)}"
        f"<Mengde>{p.storrelse}</Mengde></Pakningsinfo>"
        + priser
        + f"<Markedsforingsinfo>{marked}</Markedsforingsinfo>"
        + "</Legemiddelpakning>"
    )
    return _oppf("Legemiddelpakning", fest_id("oppforing", pakning_id), payload)


def _virkestoff(legemidler: list[Legemiddeldata], ns: str) -> Iterator[str]:
    seen: set[str] = set()
    for lm in legemidler:
        stoff_id = fest_id("virkestoff", lm.virkestoff)
        if stoff_id not in seen:
            seen.add(stoff_id)
            payload = (
                f'<Virkestoff xmlns="{ns}"><Id>{stoff_id}</Id><Navn>{escape(lm.virkestoff)}</Navn>'
                f"<NavnEngelsk>{escape(lm.virkestoff_engelsk)}</NavnEngelsk></Virkestoff>"
            )
            yield _oppf("Virkestoff", fest_id("oppforing", stoff_id), payload)
        vms_id = _vms_id(lm)
        if vms_id not in seen:
            seen.add(vms_id)
            nevner = f'<StyrkeNevner V="{lm.nevner[0]}" U="{lm.nevner[1]}" />' if lm.nevner else ""
            payload = (
                f'<VirkestoffMedStyrke xmlns="{ns}"><Id>{vms_id}</Id>'
                f'<Styrke V="{lm.styrke[0]}" U="{lm.styrke[1]}" />{nevner}'
                f"<RefVirkestoff>{stoff_id}</RefVirkestoff></VirkestoffMedStyrke>"
            )
            yield _oppf("Virkestoff", fest_id("oppforing", vms_id), payload)


def _interaksjon(nr: int, rng: random.Random, ns: str) -> str:
    a, b = _atc(rng), _atc(rng)
    payload = (
        f'<Interaksjon xmlns="{ns}"><Id>{fest_id("interaksjon", str(nr))}</Id>'
        + _kodet("Relevans", str(rng.choice((1, 2, 3))), "Bør unngås")
        + "<Kliniskkonsekvens>Økt risiko for bivirkninger ved samtidig bruk. Konsentrasjonen av det ene "
        "virkestoffet kan øke betydelig, med fare for toksiske effekter.</Kliniskkonsekvens>"
        + "<Interaksjonsmekanisme>Hemming av CYP3A4-mediert metabolisme.</Interaksjonsmekanisme>"
        + "".join(
            f"<Substansgruppe><Substans><Substans>{escape(_navn(rng))}</Substans>"
            f"{_kodet('Atc', atc, 'Syntetisk', ATC_OID)}</Substans></Substansgruppe>"
            for atc in (a, b)
        )
        + "<Handtering>Kombinasjonen bør unngås. Dersom samtidig bruk er nødvendig, bør dosen justeres og "
        "pasienten følges opp med tanke på bivirkninger og effekt.</Handtering>"
        + "<Referanse><Kilde>Syntetisk referanse for ytelsestest</Kilde></Referanse></Interaksjon>"
    )
    return _oppf("Interaksjon", fest_id("oppforing", "interaksjon", str(nr)), payload)


_SYLLABLES: Final = (
    "ra",
    "ko",
    "li",
    "ne",
    "ta",
    "vo",
    "mi",
    "zu",
    "sa",
    "pe",
    "dro",
    "kal",
    "fen",
    "tor",
    "bin",
)
_ENDINGS: Final = (
    "mab",
    "nib",
    "olol",
    "pril",
    "sartan",
    "statin",
    "prazol",
    "mycin",
    "cillin",
    "tinib",
    "parin",
)
_FORMS: Final = (
    ("Tablett", "tab", ("5", "mg")),
    (_FILM, "tab", ("20", "mg")),
    (_INF, "inf kons", ("10", "mg")),
    ("Kapsel, hard", "kaps", ("50", "mg")),
    ("Injeksjonsvæske, oppløsning", "inj", ("40", "mg")),
)


def _navn(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(_ENDINGS)


def _atc(rng: random.Random) -> str:
    return (
        rng.choice("ABCDGHJLMNPRSV")
        + f"{rng.randint(1, 16):02d}"
        + rng.choice("ABCDEFGHX")
        + rng.choice("ABCDEFGHX")
        + f"{rng.randint(1, 40):02d}"
    )


def syntetiske(merkevarer: int, pakninger: int, *, seed: int = 251) -> list[Legemiddeldata]:
    """Synthetic brands for the full-size file: plausible shapes, invented names, 40 % with an SmPC link."""
    rng = random.Random(seed)
    substances = [(_navn(rng), _atc(rng)) for _ in range(max(1, merkevarer // 6))]
    extra_packs = max(0, pakninger - merkevarer)
    result: list[Legemiddeldata] = []
    for i in range(merkevarer):
        stoff, atc = substances[i % len(substances)]
        form, kort, styrke = _FORMS[i % len(_FORMS)]
        navn = (
            f"{stoff.capitalize()} {rng.choice(('Sandoz', 'Teva', 'Orion', 'Mylan', 'Krka', 'Accord'))} {i}"
        )
        packs = [Pakningsdata(str(rng.choice((10, 28, 30, 100))), "stk", round(rng.uniform(50, 5000), 2))]
        if i < extra_packs:
            packs.append(Pakningsdata("98", "stk", round(rng.uniform(50, 9000), 2)))
        result.append(
            Legemiddeldata(
                fest_id("syntetisk", str(i)),
                navn,
                f"{navn} {kort} {styrke[0]} {styrke[1]}",
                stoff,
                stoff,
                atc,
                form,
                styrke,
                ("1", "ml") if kort == "inf kons" else None,
                "Syntetisk AS",
                f"https://produktinformasjon.legemiddelsok.no/preparatomtaler/{i:05d}.pdf"
                if rng.random() < 0.4
                else None,
                tuple(packs),
                preparattype="11" if rng.random() < 0.03 else "7",
                tablett=kort == "tab",
            )
        )
    return result


def skriv_fest(
    out: IO[str],
    legemidler: list[Legemiddeldata] | tuple[Legemiddeldata, ...],
    *,
    versjon: str = "2.5.1",
    fyll_bytes: int = 0,
    hentet: str = HENTET,
) -> None:
    """Write a FEST M30 message; `fyll_bytes` of interaction entries first bring it to full size."""
    root, ns = M30[versjon], FORSKRIVNING[versjon]
    items = list(legemidler)
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(
        '<FEST xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{root}">\n'
        f"<HentetDato>{hentet}</HentetDato>\n"
    )
    if fyll_bytes:
        rng = random.Random(7)
        out.write("<KatInteraksjon>\n")
        written, nr = 0, 0
        while written < fyll_bytes:
            entry = _interaksjon(nr, rng, ns)
            out.write(entry)
            written += len(entry.encode())
            nr += 1
        out.write("</KatInteraksjon>\n")
    out.write("<KatLegemiddelMerkevare>\n")
    for lm in items:
        out.write(_merkevare(lm, ns))
    out.write("</KatLegemiddelMerkevare>\n<KatLegemiddelpakning>\n")
    for lm in items:
        for nr, p in enumerate(lm.pakninger):
            out.write(_pakning(lm, nr, p, ns))
    out.write("</KatLegemiddelpakning>\n<KatVirkestoff>\n")
    for entry in _virkestoff(items, ns):
        out.write(entry)
    out.write("</KatVirkestoff>\n</FEST>\n")


def skriv_eksempel(path: Path, *, versjon: str = "2.5.1") -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        skriv_fest(out, EKSEMPEL, versjon=versjon)
    return path


def skriv_fullstorrelse(
    path: Path, *, merkevarer: int = 9000, pakninger: int = 11000, megabyte: int = 120, versjon: str = "2.5.1"
) -> Path:
    """A file the size of DMP's full extract (never committed: the benchmark writes it to a temp dir)."""
    legemidler = [*EKSEMPEL, *syntetiske(merkevarer - len(EKSEMPEL), pakninger - 22)]
    # Brands, packs and substances take about 1.9 KB per brand; interactions fill the rest, as in DMP's file.
    fyll = max(0, megabyte * 1_000_000 - merkevarer * 1_900)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        skriv_fest(out, legemidler, versjon=versjon, fyll_bytes=fyll)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Skriv en FEST M30-fil (eksempel eller full størrelse).")
    parser.add_argument("ut", type=Path, help="Filen som skrives.")
    parser.add_argument("--versjon", choices=sorted(M30), default="2.5.1", help="FEST-versjonens navnerom.")
    parser.add_argument("--full", action="store_true", help="Full størrelse: 9 000 merkevarer, 120 MB.")
    args = parser.parse_args(argv)
    if args.full:
        skriv_fullstorrelse(args.ut, versjon=args.versjon)
    else:
        skriv_eksempel(args.ut, versjon=args.versjon)


if __name__ == "__main__":
    main()
