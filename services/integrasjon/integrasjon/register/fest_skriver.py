"""Writes FEST M30 messages: the real catalogues, element names and namespaces (FEST 2.5.1 and 2.4), so
what reads these files reads DMP's `fest251.xml`. The data comes from `fest_eksempel` (the shipped sample)
and `fest_syntetisk` (the full-size file for the benchmark)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


def kodet(tag: str, v: str, dn: str = "", s: str = "") -> str:
    attrs = (
        f" V={quoteattr(v)}" + (f" S={quoteattr(s)}" if s else "") + (f" DN={quoteattr(dn)}" if dn else "")
    )
    return f"<{tag}{attrs} />"


def oppf(kind: str, entry_id: str, payload: str) -> str:
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
        kodet("Atc", lm.atc, lm.atc_navn or lm.virkestoff.capitalize(), ATC_OID)
        + f"<NavnFormStyrke>{escape(lm.navn_form_styrke)}</NavnFormStyrke>"
        + kodet("Reseptgruppe", lm.reseptgruppe, f"Reseptgruppe {lm.reseptgruppe}")
        + (kodet("LegemiddelformKort", "53", "Tablett", "2.16.578.1.12.4.1.1.7448") if lm.tablett else "")
        + kodet(
            "Preparattype", lm.preparattype, "Krever godkj. fritak" if godkjenningsfritak else "Legemiddel"
        )
        + kodet(
            "TypeSoknadSlv",
            "2" if godkjenningsfritak else "1",
            "Søknad vurderes av apotek" if godkjenningsfritak else "Skal ikke søkes",
        )
    )


def _merkevare(lm: Legemiddeldata, ns: str) -> str:
    lenke = (
        "<Preparatomtaleavsnitt>"
        + kodet("Avsnittoverskrift", "1", "Preparatomtale")
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
        + lenke
        + "</LegemiddelMerkevare>"
    )
    return oppf("LegemiddelMerkevare", fest_id("oppforing", lm.fest_id), payload)


def _pakning(lm: Legemiddeldata, nr: int, p: Pakningsdata, ns: str) -> str:
    pakning_id = fest_id("pakning", lm.fest_id, str(nr))
    varenr = str(100000 + int(uuid.UUID(pakning_id[3:]).int % 899999))
    aup = round(p.aip_nok * 1.08 + 30, 2)
    priser = "".join(
        f'<PrisVare>{kodet("Type", code, dn, PRISTYPE_OID)}<Pris V="{value:.2f}" U="NOK" />'
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
        f"<Pakningsstr>{p.storrelse}</Pakningsstr>{kodet('EnhetPakning', p.enhet, enhet, ENHET_OID)}"
        f"<Mengde>{p.storrelse}</Mengde></Pakningsinfo>"
        + priser
        + f"<Markedsforingsinfo>{marked}</Markedsforingsinfo>"
        + "</Legemiddelpakning>"
    )
    return oppf("Legemiddelpakning", fest_id("oppforing", pakning_id), payload)


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
            yield oppf("Virkestoff", fest_id("oppforing", stoff_id), payload)
        vms_id = _vms_id(lm)
        if vms_id not in seen:
            seen.add(vms_id)
            nevner = f'<StyrkeNevner V="{lm.nevner[0]}" U="{lm.nevner[1]}" />' if lm.nevner else ""
            payload = (
                f'<VirkestoffMedStyrke xmlns="{ns}"><Id>{vms_id}</Id>'
                f'<Styrke V="{lm.styrke[0]}" U="{lm.styrke[1]}" />{nevner}'
                f"<RefVirkestoff>{stoff_id}</RefVirkestoff></VirkestoffMedStyrke>"
            )
            yield oppf("Virkestoff", fest_id("oppforing", vms_id), payload)


def skriv_fest(
    out: IO[str],
    legemidler: list[Legemiddeldata] | tuple[Legemiddeldata, ...],
    *,
    versjon: str = "2.5.1",
    fyll: Callable[[str], Iterable[str]] | None = None,
    hentet: str = HENTET,
) -> None:
    """Write a FEST M30 message; `fyll`, given the payload namespace, gives interaction entries to write
    first (what brings a file to full size)."""
    root, ns = M30[versjon], FORSKRIVNING[versjon]
    items = list(legemidler)
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(
        '<FEST xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{root}">\n'
        f"<HentetDato>{hentet}</HentetDato>\n"
    )
    if fyll is not None:
        out.write("<KatInteraksjon>\n")
        for entry in fyll(ns):
            out.write(entry)
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
