"""An application as people read it: each answer formatted once, here, for the applicant's read-only
pages (`_svar.html`) and for the sections `SoknadForankret` and `TilleggsinformasjonBesvart` carry to the
people who assess and decide it, so both always show the same words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.events.common import Feltvisning, Seksjonsvisning
from shared.platform.web.templating import format_date, format_nok
from soknad.skjema.modell import Sporsmal
from soknad.skjema.regler import Vurdering
from soknad.skjema.validering import is_empty


def show_answer(sp: Sporsmal, value: Any) -> str:
    """An answer as a person reads it (the summary and the read-only application)."""
    if is_empty(value):
        return ""
    if sp.type in ("valg", "ja_nei"):
        return sp.alternativ_tekst(value)
    if sp.type == "belop" and isinstance(value, int):
        return format_nok(value)
    if sp.type == "heltall":
        return f"{value} {sp.enhet}" if sp.enhet else str(value)
    if sp.type == "dato" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if sp.type == "legemiddel" and isinstance(value, dict):
        text = " – ".join(x for x in (value.get("navn"), value.get("virkestoff")) if x)
        extra = ", ".join(
            x for x in (value.get("atc"), value.get("legemiddelform"), value.get("styrke")) if x
        )
        return f"{text} ({extra})" if extra else text
    if sp.type == "icd10" and isinstance(value, dict):
        return " ".join(x for x in (value.get("kode"), value.get("tekst")) if x)
    return str(value)


@dataclass(frozen=True)
class Svartekst:
    """One answer as the page shows it: the answer, what is derived from it (age and sex of a
    fødselsnummer) and a note when a drug or code was typed rather than chosen from the catalogue."""

    svar: str
    avledet: str = ""
    merknad: str = ""

    @property
    def hel(self) -> str:
        """The whole line as one text, as a reader sees it."""
        parts = [self.svar]
        if self.avledet:
            parts.append(f"({self.avledet})")
        if self.merknad:
            parts.append(f"({self.merknad})")
        return " ".join(parts)


def svartekst(sp: Sporsmal, value: Any, avledet: Mapping[str, Mapping[str, Any]]) -> Svartekst | None:
    """None when the question is not answered."""
    svar = show_answer(sp, value)
    if not svar:
        return None
    derived = avledet.get(sp.id)
    merknad = ""
    if sp.kompositt and not (isinstance(value, dict) and value.get("verifisert")):
        merknad = (
            "ikke kontrollert mot legemiddelregisteret"
            if sp.type == "legemiddel"
            else "ikke kontrollert mot kodeverket"
        )
    return Svartekst(svar, str(derived["tekst"]).lower() if derived else "", merknad)


def seksjonsvisning(
    vurdering: Vurdering, innhold: Mapping[str, Any], avledet: Mapping[str, Mapping[str, Any]]
) -> list[Seksjonsvisning]:
    """The visible sections in form order with their answered questions; a visible section where
    nothing is answered is left out (the event carries answers, not empty headings)."""
    result: list[Seksjonsvisning] = []
    for seksjon in vurdering.seksjoner:
        felt = [
            Feltvisning(id=sp.id, etikett=sp.etikett, svar=tekst.hel)
            for status in vurdering.i_seksjon(seksjon.id)
            if (tekst := svartekst(sp := status.sporsmal, innhold.get(sp.id), avledet)) is not None
        ]
        if felt:
            result.append(Seksjonsvisning(id=seksjon.id, tittel=seksjon.tittel, felt=felt))
    return result
