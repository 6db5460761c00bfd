"""Streaming reader of the FEST M30 message (FEST 2.5.1, and the older 2.4 namespaces).

The file is about 120 MB; it is read with `iterparse` and every entry is cleared once read, so memory
holds what we keep (brands, packs, substances), never the tree."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import iterparse

M30_NAMESPACES: Final = {
    "http://www.kith.no/xmlstds/eresept/m30/2014-12-01": "2.5.1",
    "http://www.kith.no/xmlstds/eresept/m30/2013-10-08": "2.4",
}
"""The root element's namespace, by FEST version."""

PAYLOAD_NAMESPACES: Final = frozenset(
    {
        "http://www.kith.no/xmlstds/eresept/forskrivning/2014-12-01",
        "http://www.kith.no/xmlstds/eresept/forskrivning/2013-10-08",
        "http://www.kith.no/xmlstds/eresept/forskrivning/2010-04-01",
    }
)
"""Namespaces of the entries' payload (`LegemiddelMerkevare` …); 2.4 files used the older ones."""

PREPARATTYPE_GODKJENNINGSFRITAK: Final = "11"
"""Preparattype 11, «Krever godkj. fritak»: no Norwegian marketing authorisation."""

PRISTYPE: Final = {"2": "refusjonspris", "3": "aip", "4": "aup"}
"""FEST's price types (OID 7453) we keep: refusjonspris, AIP (pharmacy purchase) and AUP (retail)."""

_TAG = re.compile(r"\{([^}]*)\}(.*)")


class FestFormatFeil(ValueError):
    """The file is not a usable FEST M30 message; the message is Norwegian, for the admin."""


@dataclass(frozen=True)
class VirkestoffMedStyrke:
    fest_id: str
    virkestoff_id: str
    styrke: str
    """Formatted, e.g. `10 mg/ml`."""


@dataclass(frozen=True)
class Virkestoff:
    fest_id: str
    navn: str
    navn_engelsk: str
    hovedvirkestoff_id: str | None
    """A salt refers to its parent substance."""


@dataclass(frozen=True)
class Merkevare:
    fest_id: str
    navn: str
    navn_form_styrke: str
    atc: str
    atc_navn: str
    legemiddelform: str
    preparattype: str
    reseptgruppe: str
    produsent: str
    smpc_url: str | None
    tidspunkt: str
    virkestoff_med_styrke: tuple[str, ...]
    """`RefVirkestoffMedStyrke`, in FEST's own order (`Sortering`)."""


@dataclass(frozen=True)
class Pakning:
    fest_id: str
    merkevare_id: str
    varenr: str
    navn_form_styrke: str
    pakningsstr: str
    enhet: str
    priser_ore: dict[str, int]
    """Price in øre by `PRISTYPE` name."""
    markedsforingsdato: str | None
    midl_utgatt_dato: str | None
    avreg_dato: str | None
    tidspunkt: str


@dataclass
class FestFil:
    """Everything kept from one file."""

    versjon: str
    hentet_dato: str = ""
    merkevarer: list[Merkevare] = field(default_factory=list)
    pakninger: list[Pakning] = field(default_factory=list)
    virkestoff: dict[str, Virkestoff] = field(default_factory=dict)
    virkestoff_med_styrke: dict[str, VirkestoffMedStyrke] = field(default_factory=dict)


def _split(tag: str) -> tuple[str, str]:
    match = _TAG.fullmatch(tag)
    return (match.group(1), match.group(2)) if match else ("", tag)


def _tall(verdi: str) -> str:
    """`10`, `0,67`, `3,75`: FEST's decimal point as Norwegians write it."""
    try:
        number = float(verdi)
    except ValueError:
        return verdi
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


class _Oppforing:
    """One `Oppf*` entry: its payload element and the payload's namespace prefix."""

    def __init__(self, oppf: Element, katalog: str, nummer: int, navn: str):
        self.katalog = katalog
        self.nummer = nummer
        self.payload: Element | None = None
        self.p = ""
        self.tidspunkt = ""
        self.status = ""
        for child in oppf:
            ns, local = _split(child.tag)
            if local == navn:
                if ns not in PAYLOAD_NAMESPACES:
                    raise FestFormatFeil(
                        f"{katalog}: oppføring nr. {nummer} har «{local}» i et ukjent navnerom "
                        f"({ns or 'uten'}). Filen er ikke FEST 2.4 eller 2.5.1."
                    )
                self.payload = child
                self.p = f"{{{ns}}}"
            elif local == "Tidspunkt":
                self.tidspunkt = (child.text or "").strip()
            elif local == "Status":
                self.status = child.get("V", "")

    def tekst(self, path: str, el: Element | None = None) -> str:
        found = (el if el is not None else self.payload).find(self.path(path))  # type: ignore[union-attr]
        return (found.text or "").strip() if found is not None else ""

    def attr(self, path: str, name: str = "V", el: Element | None = None) -> str:
        found = (el if el is not None else self.payload).find(self.path(path))  # type: ignore[union-attr]
        return (found.get(name) or "").strip() if found is not None else ""

    def alle(self, path: str, el: Element | None = None) -> list[Element]:
        return (el if el is not None else self.payload).findall(self.path(path))  # type: ignore[union-attr]

    def path(self, path: str) -> str:
        return "/".join(self.p + part for part in path.split("/"))

    def fest_id(self, beskrivelse: str) -> str:
        value = self.tekst("Id")
        if not value:
            raise FestFormatFeil(
                f"{self.katalog}: oppføring nr. {self.nummer} ({beskrivelse or 'uten navn'}) mangler Id. "
                "Filen er ufullstendig og er ikke tatt i bruk."
            )
        return value


def _merkevare(o: _Oppforing) -> Merkevare:
    navn_form_styrke = o.tekst("NavnFormStyrke")
    sortert = sorted(
        (int(o.tekst("Sortering", s) or 0), o.tekst("RefVirkestoffMedStyrke", s))
        for s in o.alle("SortertVirkestoffMedStyrke")
    )
    return Merkevare(
        fest_id=o.fest_id(navn_form_styrke),
        navn=o.tekst("Varenavn"),
        navn_form_styrke=navn_form_styrke,
        atc=o.attr("Atc").upper(),
        atc_navn=o.attr("Atc", "DN"),
        legemiddelform=o.tekst("LegemiddelformLang") or o.attr("LegemiddelformKort", "DN"),
        preparattype=o.attr("Preparattype"),
        reseptgruppe=o.attr("Reseptgruppe"),
        produsent=o.tekst("ProduktInfo/Produsent"),
        smpc_url=o.attr("Preparatomtaleavsnitt/Lenke/Www") or None,
        tidspunkt=o.tidspunkt,
        virkestoff_med_styrke=tuple(ref for _, ref in sortert if ref),
    )


def _ore(verdi: str) -> int | None:
    try:
        return round(float(verdi) * 100)
    except ValueError:
        return None


def _pakning(o: _Oppforing) -> Pakning:
    navn_form_styrke = o.tekst("NavnFormStyrke")
    priser: dict[str, int] = {}
    for pris in o.alle("PrisVare"):
        kind = PRISTYPE.get(o.attr("Type", el=pris))
        ore = _ore(o.attr("Pris", el=pris))
        if kind and ore is not None:
            priser[kind] = ore
    info = o.payload.find(o.path("Pakningsinfo")) if o.payload is not None else None
    return Pakning(
        fest_id=o.fest_id(navn_form_styrke),
        merkevare_id=o.tekst("RefLegemiddelMerkevare", info) if info is not None else "",
        varenr=o.tekst("Varenr"),
        navn_form_styrke=navn_form_styrke,
        pakningsstr=o.tekst("Pakningsstr", info) if info is not None else "",
        enhet=(o.attr("EnhetPakning", "DN", info) or o.attr("EnhetPakning", el=info))
        if info is not None
        else "",
        priser_ore=priser,
        markedsforingsdato=o.tekst("Markedsforingsinfo/Markedsforingsdato") or None,
        midl_utgatt_dato=o.tekst("Markedsforingsinfo/MidlUtgattDato") or None,
        avreg_dato=o.tekst("Markedsforingsinfo/AvregDato") or None,
        tidspunkt=o.tidspunkt,
    )


def _styrke(o: _Oppforing, el: Element) -> str:
    verdi, enhet = o.attr("Styrke", el=el), o.attr("Styrke", "U", el)
    if not verdi:
        return ""
    text = f"{_tall(verdi)} {enhet}".strip()
    nevner, nevner_enhet = o.attr("StyrkeNevner", el=el), o.attr("StyrkeNevner", "U", el)
    if nevner_enhet:
        text += f"/{nevner_enhet}" if nevner in ("", "1") else f"/{_tall(nevner)} {nevner_enhet}"
    return text


def _virkestoff(o: _Oppforing, fil: FestFil, oppf: Element) -> None:
    for child in oppf:
        ns, local = _split(child.tag)
        if local not in ("Virkestoff", "VirkestoffMedStyrke"):
            continue
        if ns not in PAYLOAD_NAMESPACES:
            raise FestFormatFeil(
                f"KatVirkestoff: oppføring nr. {o.nummer} har «{local}» i et ukjent navnerom "
                f"({ns or 'uten'})."
            )
        o.payload, o.p = child, f"{{{ns}}}"
        if local == "Virkestoff":
            fest_id = o.fest_id(o.tekst("Navn"))
            fil.virkestoff[fest_id] = Virkestoff(
                fest_id=fest_id,
                navn=o.tekst("Navn"),
                navn_engelsk=o.tekst("NavnEngelsk"),
                hovedvirkestoff_id=o.tekst("RefVirkestoff") or None,
            )
        else:
            fest_id = o.fest_id("virkestoff med styrke")
            fil.virkestoff_med_styrke[fest_id] = VirkestoffMedStyrke(
                fest_id=fest_id, virkestoff_id=o.tekst("RefVirkestoff"), styrke=_styrke(o, child)
            )


_KINDS: Final = {
    "OppfLegemiddelMerkevare": ("KatLegemiddelMerkevare", "LegemiddelMerkevare"),
    "OppfLegemiddelpakning": ("KatLegemiddelpakning", "Legemiddelpakning"),
    "OppfVirkestoff": ("KatVirkestoff", ""),
}


def _xml_feil(exc: ParseError) -> FestFormatFeil:
    line, column = getattr(exc, "position", (0, 0))
    return FestFormatFeil(
        f"Filen er ikke gyldig XML (avkortet eller skadet?): feil ved linje {line}, kolonne {column}. "
        "Den er ikke tatt i bruk."
    )


def _rot(source: Path | IO[bytes]) -> tuple[str, str]:
    """Namespace and version of the root element, read from the file's first 64 KB alone: the full pass
    then needs no start events, which are half of the parser's work."""
    if isinstance(source, Path):
        with source.open("rb") as stream:
            head = stream.read(65536)
    else:
        head = source.read(65536)
        source.seek(0)
    try:
        for _, el in iterparse(io.BytesIO(head), events=("start",)):
            ns, local = _split(el.tag)
            versjon = M30_NAMESPACES.get(ns)
            if local != "FEST" or versjon is None:
                raise FestFormatFeil(
                    f"Filen er ikke en FEST-fil (M30): rotelementet er «{local}» i navnerommet "
                    f"«{ns or 'uten navnerom'}». Ventet «FEST» i FEST 2.5.1 ("
                    "http://www.kith.no/xmlstds/eresept/m30/2014-12-01) eller 2.4."
                )
            return ns, versjon
    except ParseError as exc:
        raise _xml_feil(exc) from exc
    raise FestFormatFeil("Filen er tom.")


def les_fest(source: Path | IO[bytes], *, progress: dict[str, int] | None = None) -> FestFil:
    """Read a FEST M30 file; raise `FestFormatFeil` (Norwegian) when it is not one.

    `progress`, when given, is updated with counts as the file is read (the admin page shows it)."""
    ns, versjon = _rot(source)
    fil = FestFil(versjon=versjon)
    counters: dict[str, int] = progress if progress is not None else {}
    kinds = {f"{{{ns}}}{name}": name for name in _KINDS}
    oppf, kat, hentet_tag = f"{{{ns}}}Oppf", f"{{{ns}}}Kat", f"{{{ns}}}HentetDato"
    try:
        for _, el in iterparse(source, events=("end",)):
            tag = el.tag
            if not tag.startswith(oppf):
                # Entries are cleared once read; a catalogue's end frees the emptied entries it holds.
                if tag.startswith(kat):
                    el.clear()
                elif tag == hentet_tag:
                    fil.hentet_dato = (el.text or "").strip()
                continue
            counters["oppføringer"] = counters.get("oppføringer", 0) + 1
            kind = kinds.get(tag)
            if kind is not None:
                katalog, navn = _KINDS[kind]
                nummer = counters.get(katalog, 0) + 1
                counters[katalog] = nummer
                o = _Oppforing(el, katalog, nummer, navn)
                if o.status in ("", "A"):
                    if kind == "OppfVirkestoff":
                        _virkestoff(o, fil, el)
                    elif o.payload is not None:
                        if kind == "OppfLegemiddelMerkevare":
                            fil.merkevarer.append(_merkevare(o))
                        else:
                            fil.pakninger.append(_pakning(o))
            el.clear()
    except ParseError as exc:
        raise _xml_feil(exc) from exc
    return fil
