"""The hospital trusts (helseforetak) and their regional health authorities, with project codes."""

from __future__ import annotations

from dataclasses import dataclass


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
