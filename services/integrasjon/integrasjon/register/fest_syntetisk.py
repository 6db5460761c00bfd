"""Synthetic FEST content for a full-size file (the benchmark's): brands with invented names in plausible
shapes, 40 % with an SmPC link as in DMP's file, and interaction entries that bring it to about 120 MB."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from integrasjon.register.fest_eksempel import EKSEMPEL, FILMDRASJERT, INFUSJONSKONSENTRAT
from integrasjon.register.fest_skriver import (
    ATC_OID,
    Legemiddeldata,
    Pakningsdata,
    fest_id,
    kodet,
    oppf,
    skriv_fest,
)


def _interaksjon(nr: int, rng: random.Random, ns: str) -> str:
    a, b = _atc(rng), _atc(rng)
    payload = (
        f'<Interaksjon xmlns="{ns}"><Id>{fest_id("interaksjon", str(nr))}</Id>'
        + kodet("Relevans", str(rng.choice((1, 2, 3))), "Bør unngås")
        + "<Kliniskkonsekvens>Økt risiko for bivirkninger ved samtidig bruk. Konsentrasjonen av det ene "
        "virkestoffet kan øke betydelig, med fare for toksiske effekter.</Kliniskkonsekvens>"
        + "<Interaksjonsmekanisme>Hemming av CYP3A4-mediert metabolisme.</Interaksjonsmekanisme>"
        + "".join(
            f"<Substansgruppe><Substans><Substans>{escape(_navn(rng))}</Substans>"
            f"{kodet('Atc', atc, 'Syntetisk', ATC_OID)}</Substans></Substansgruppe>"
            for atc in (a, b)
        )
        + "<Handtering>Kombinasjonen bør unngås. Dersom samtidig bruk er nødvendig, bør dosen justeres og "
        "pasienten følges opp med tanke på bivirkninger og effekt.</Handtering>"
        + "<Referanse><Kilde>Syntetisk referanse for ytelsestest</Kilde></Referanse></Interaksjon>"
    )
    return oppf("Interaksjon", fest_id("oppforing", "interaksjon", str(nr)), payload)


def interaksjoner(fyll_bytes: int, *, seed: int = 7) -> Callable[[str], Iterator[str]]:
    """Interaction entries of about `fyll_bytes` in all, for `skriv_fest(fyll=…)`."""

    def entries(ns: str) -> Iterator[str]:
        rng = random.Random(seed)
        written, nr = 0, 0
        while written < fyll_bytes:
            entry = _interaksjon(nr, rng, ns)
            written += len(entry.encode())
            nr += 1
            yield entry

    return entries


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
    (FILMDRASJERT, "tab", ("20", "mg")),
    (INFUSJONSKONSENTRAT, "inf kons", ("10", "mg")),
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


def skriv_fullstorrelse(
    path: Path, *, merkevarer: int = 9000, pakninger: int = 11000, megabyte: int = 120, versjon: str = "2.5.1"
) -> Path:
    """A file the size of DMP's full extract (never committed: the benchmark writes it to a temp dir)."""
    sample_packs = sum(len(lm.pakninger) for lm in EKSEMPEL)
    legemidler = [*EKSEMPEL, *syntetiske(merkevarer - len(EKSEMPEL), pakninger - sample_packs)]
    # Brands, packs and substances take about 1.9 KB per brand; interactions fill the rest, as in DMP's file.
    fyll = max(0, megabyte * 1_000_000 - merkevarer * 1_900)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        skriv_fest(out, legemidler, versjon=versjon, fyll=interaksjoner(fyll))
    return path
