"""The form definition as data: sections, questions, answer types, conditions, required and value rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from shared.events.common import Kategori, SoknadType

Svartype = Literal[
    "kort_tekst",
    "lang_tekst",
    "heltall",
    "belop",
    "dato",
    "valg",
    "ja_nei",
    "personnummer",
    "legemiddel",
    "icd10",
]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Verdi = str | int | bool

KOMPOSITT: frozenset[str] = frozenset({"legemiddel", "icd10"})
"""Answer types whose answer is an object of fixed parts (see `validering.DELER`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lenke(_Strict):
    tekst: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://")


class SvarBetingelse(_Strict):
    """Holds when the (visible) answer to `sporsmal` is one of `er`, or is answered at all (`besvart`)."""

    sporsmal: Id
    er: list[Verdi] | None = None
    besvart: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> SvarBetingelse:
        if (self.er is None) == (self.besvart is None):
            raise ValueError("an answer condition needs exactly one of `er` and `besvart`")
        return self


class Betingelse(_Strict):
    """Every part that is given must hold (AND); a missing part does not restrict."""

    type: list[SoknadType] | None = None
    kategori: list[Kategori] | None = None
    svar: list[SvarBetingelse] = Field(default_factory=list)


class Verdiregel(_Strict):
    """The answer, when given, must be `verdi` (when `nar` holds), e.g. consent must be «ja»."""

    verdi: Verdi
    nar: Betingelse | None = None
    melding: str = Field(min_length=1)


class Alternativ(_Strict):
    verdi: Id
    tekst: str = Field(min_length=1)


class Sporsmal(_Strict):
    id: Id
    etikett: str = Field(min_length=1)
    type: Svartype
    hjelp: str = Field(min_length=1, description="Plain Norwegian for a busy clinician, 1-3 sentences.")
    lenker: list[str] = Field(default_factory=list, description="Keys into `Skjema.lenker`.")
    pakrevd: bool = False
    pakrevd_nar: Betingelse | None = None
    vis_nar: Betingelse | None = None
    ma_vaere: list[Verdiregel] = Field(default_factory=list)
    min: int | None = None
    maks: int | None = None
    maks_lengde: int | None = Field(default=None, ge=1)
    alternativer: list[Alternativ] = Field(default_factory=list)
    ikke_i_fremtiden: bool = False
    enhet: str | None = Field(default=None, description="Shown after the input, e.g. «kr».")

    @property
    def kompositt(self) -> bool:
        return self.type in KOMPOSITT

    def valg(self) -> list[tuple[str, str]]:
        """(value, text) of the choices of a `valg` or `ja_nei` question."""
        if self.type == "ja_nei":
            return [("ja", "Ja"), ("nei", "Nei")]
        return [(a.verdi, a.tekst) for a in self.alternativer]

    def alternativ_tekst(self, verdi: Any) -> str:
        return dict(self.valg()).get(str(verdi), str(verdi))


class Seksjon(_Strict):
    id: Id
    tittel: str = Field(min_length=1)
    ingress: str = ""
    vis_nar: Betingelse | None = None
    lenker: list[str] = Field(default_factory=list)
    sporsmal: list[Sporsmal] = Field(min_length=1)


class Skjema(_Strict):
    versjon: int = Field(ge=1)
    tittel: str
    lenker: dict[str, Lenke] = Field(default_factory=dict)
    kategori_lenker: dict[Kategori, list[str]] = Field(default_factory=dict)
    seksjoner: list[Seksjon] = Field(min_length=1)

    _by_id: dict[str, Sporsmal] = PrivateAttr(default_factory=dict)
    _seksjon_for: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Skjema:
        """Refuse a definition the rules could not evaluate: a typo here must fail at start-up."""
        seen: dict[str, Sporsmal] = {}
        section_ids: set[str] = set()
        for key_list in [*(s.lenker for s in self.seksjoner), *self.kategori_lenker.values()]:
            self._check_links(key_list, "section or category")
        for seksjon in self.seksjoner:
            if seksjon.id in section_ids:
                raise ValueError(f"duplicate section id {seksjon.id}")
            section_ids.add(seksjon.id)
            self._check_condition(seksjon.vis_nar, seen, seksjon.id)
            for sp in seksjon.sporsmal:
                if sp.id in seen:
                    raise ValueError(f"duplicate question id {sp.id}")
                self._check_links(sp.lenker, sp.id)
                # Conditions may only look back: visibility is then decided in one pass, in order.
                for betingelse in (sp.vis_nar, sp.pakrevd_nar, *(r.nar for r in sp.ma_vaere)):
                    self._check_condition(betingelse, seen, sp.id)
                if sp.type == "valg" and not sp.alternativer:
                    raise ValueError(f"question {sp.id} of type valg has no alternativer")
                if sp.type != "valg" and sp.alternativer:
                    raise ValueError(f"question {sp.id} has alternativer but is not of type valg")
                seen[sp.id] = sp
                self._seksjon_for[sp.id] = seksjon.id
        self._by_id = seen
        return self

    def _check_links(self, keys: list[str], where: str) -> None:
        for key in keys:
            if key not in self.lenker:
                raise ValueError(f"unknown link {key} in {where}")

    @staticmethod
    def _check_condition(betingelse: Betingelse | None, seen: dict[str, Sporsmal], where: str) -> None:
        for svar in betingelse.svar if betingelse else []:
            if svar.sporsmal not in seen:
                raise ValueError(f"{where}: condition on {svar.sporsmal}, which is not an earlier question")

    def lenker_for_kategori(self, kategori: str) -> list[Lenke]:
        keys: list[str] = self.kategori_lenker.get(kategori, [])  # type: ignore[call-overload]
        return [self.lenker[key] for key in keys]

    def sporsmal(self) -> Iterator[Sporsmal]:
        for seksjon in self.seksjoner:
            yield from seksjon.sporsmal

    def finn(self, sporsmal_id: str) -> Sporsmal | None:
        return self._by_id.get(sporsmal_id)

    def seksjon_for(self, sporsmal_id: str) -> str | None:
        return self._seksjon_for.get(sporsmal_id)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._by_id)
