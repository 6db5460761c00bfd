"""The hospital trusts (helseforetak) and their regional health authorities, with project codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Helseforetak:
    kode: str
    navn: str
    rhf: str


RHF_NAVN = {
    "HSO": "Helse Sør-Øst",
    "HV": "Helse Vest",
    "HMN": "Helse Midt-Norge",
    "HN": "Helse Nord",
}

HELSEFORETAK: dict[str, Helseforetak] = {
    hf.kode: hf
    for hf in (
        Helseforetak("AHUS", "Akershus universitetssykehus", "HSO"),
        Helseforetak("OUS", "Oslo universitetssykehus", "HSO"),
        Helseforetak("SUNNAAS", "Sunnaas sykehus", "HSO"),
        Helseforetak("SI", "Sykehuset Innlandet", "HSO"),
        Helseforetak("SIV", "Sykehuset i Vestfold", "HSO"),
        Helseforetak("STHF", "Sykehuset Telemark", "HSO"),
        Helseforetak("SO", "Sykehuset Østfold", "HSO"),
        Helseforetak("SSHF", "Sørlandet sykehus", "HSO"),
        Helseforetak("VVHF", "Vestre Viken", "HSO"),
        Helseforetak("SUS", "Helse Stavanger", "HV"),
        Helseforetak("FONNA", "Helse Fonna", "HV"),
        Helseforetak("HBE", "Helse Bergen", "HV"),
        Helseforetak("FORDE", "Helse Førde", "HV"),
        Helseforetak("STOLAV", "St. Olavs hospital", "HMN"),
        Helseforetak("HMR", "Helse Møre og Romsdal", "HMN"),
        Helseforetak("HNT", "Helse Nord-Trøndelag", "HMN"),
        Helseforetak("UNN", "Universitetssykehuset Nord-Norge", "HN"),
        Helseforetak("NLSH", "Nordlandssykehuset", "HN"),
        Helseforetak("HELG", "Helgelandssykehuset", "HN"),
        Helseforetak("FINN", "Finnmarkssykehuset", "HN"),
    )
}


def hf_navn(kode: str) -> str:
    hf = HELSEFORETAK.get(kode)
    return hf.navn if hf else kode


def rhf_for(kode: str) -> str:
    hf = HELSEFORETAK.get(kode)
    return hf.rhf if hf else "UKJENT"


ORGANISASJONSNUMMER_HF: Final[dict[str, str]] = {
    "AHUS": "983971636",
    "OUS": "993467049",
    "SUNNAAS": "883971752",
    "SI": "983971709",
    "SIV": "983975259",
    "STHF": "983975267",
    "SO": "983971695",
    "SSHF": "983975240",
    "VVHF": "894166762",
    "SUS": "983974678",
    "FONNA": "983974732",
    "HBE": "983974724",
    "FORDE": "983974791",
    "STOLAV": "883974832",
    "HMR": "997005562",
    "HNT": "983974880",
    "UNN": "983974899",
    "NLSH": "983974910",
    "HELG": "983974929",
    "FINN": "983974937",
}
"""The trusts' organisation numbers (Enhetsregisteret), for FHIR's `Organization.identifier`. Each
passes the check digit (a test keeps it so); they were not read from the register by us, so a trust
confirms its own at deployment. A trust missing here is exported without one rather than with a guess."""
