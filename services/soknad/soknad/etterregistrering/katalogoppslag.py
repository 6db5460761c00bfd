"""The drug and ICD-10 look-ups of a file against integrasjon's catalogue, over HTTP, cached per import.

A file of 100,000 rows names a few hundred distinct drugs and codes at most: each distinct value is asked
once, a few at a time. Unlike the form's look-up (which falls back to typing by hand), an import cannot
go on without the catalogue: a failed look-up stops the check with `KatalogUtilgjengelig`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff
from shared.platform.observability.logging import current_correlation_id

SAMTIDIGE = 8
ATC = re.compile(r"[A-Z]\d{2}[A-Z]{2}\d{2}")
ICD10 = re.compile(r"[A-Z]\d{2}(\.\d{1,2})?")
_TREFF = TypeAdapter(list[LegemiddelTreff])


class KatalogUtilgjengelig(Exception):
    """The catalogue did not answer (or answered nonsense); the message is Norwegian."""


@dataclass(frozen=True)
class Legemiddelvalg:
    """What a row's drug resolved to: a brand (with FEST id when the name is one product) or a substance."""

    navn: str
    virkestoff: str
    atc: str
    fest_id: str | None = None
    legemiddelform: str | None = None
    styrke: str | None = None


def fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def normalise_icd10(value: str) -> str:
    code = "".join(value.split()).upper()
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def choose(query: str, treff: list[LegemiddelTreff]) -> Legemiddelvalg | None:
    """The exact match of `query` among the search hits: an ATC code or a substance (→ the substance), a
    brand name (→ the brand; the product too when the name is one). A prefix alone matches nothing."""
    wanted = fold(query)
    if not treff:
        return None
    by_atc = [t for t in treff if t.atc.upper() == query.strip().upper()]
    by_substance = [t for t in treff if fold(t.virkestoff) == wanted]
    for hits in (by_atc, by_substance):
        if hits:
            return Legemiddelvalg(navn=hits[0].virkestoff, virkestoff=hits[0].virkestoff, atc=hits[0].atc)
    by_name = [t for t in treff if wanted in (fold(t.navn), fold(t.navn_form_styrke))]
    if len(by_name) == 1 or (by_name and all(fold(t.navn_form_styrke) == wanted for t in by_name)):
        return _brand(by_name[0])
    if by_name:
        first = by_name[0]
        return Legemiddelvalg(navn=first.navn, virkestoff=first.virkestoff, atc=first.atc)
    # Another name for one substance (e.g. «rituximab» for rituksimab), found through the catalogue's
    # search words, but never a mere beginning of a name (`ritu`).
    substances = {fold(t.virkestoff) for t in treff}
    prefix = any(fold(t.virkestoff).startswith(wanted) or fold(t.navn).startswith(wanted) for t in treff)
    if len(substances) == 1 and not prefix:
        return Legemiddelvalg(navn=treff[0].virkestoff, virkestoff=treff[0].virkestoff, atc=treff[0].atc)
    return None


def _brand(t: LegemiddelTreff) -> Legemiddelvalg:
    return Legemiddelvalg(
        navn=t.navn_form_styrke,
        virkestoff=t.virkestoff,
        atc=t.atc,
        fest_id=t.fest_id,
        legemiddelform=t.legemiddelform,
        styrke=t.styrke,
    )


class Katalogoppslag:
    def __init__(self, client: httpx.AsyncClient, *, samtidige: int = SAMTIDIGE):
        self.client = client
        self._gate = asyncio.Semaphore(samtidige)
        self.legemidler: dict[str, Legemiddelvalg | None] = {}
        """By the folded value as written in the file."""
        self.diagnoser: dict[str, DiagnoseTreff | None] = {}
        """By the normalised code."""

    async def resolve(self, legemidler: Iterable[str], koder: Iterable[str]) -> None:
        """Look up every value not yet cached (concurrently); raises KatalogUtilgjengelig."""
        new_drugs = {fold(v): v for v in legemidler if v and fold(v) not in self.legemidler}
        new_codes = {normalise_icd10(k) for k in koder if k} - set(self.diagnoser)
        new_codes = {k for k in new_codes if ICD10.fullmatch(k)}
        drugs = list(new_drugs.items())
        codes = list(new_codes)
        results = await asyncio.gather(
            *(self._legemiddel(raw) for _, raw in drugs), *(self._diagnose(k) for k in codes)
        )
        for (key, _), valg in zip(drugs, results[: len(drugs)], strict=True):
            self.legemidler[key] = valg  # type: ignore[assignment]
        for kode, treff in zip(codes, results[len(drugs) :], strict=True):
            self.diagnoser[kode] = treff  # type: ignore[assignment]

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> httpx.Response:
        async with self._gate:
            try:
                response = await self.client.get(
                    path, params=params, headers={"x-correlation-id": current_correlation_id()}
                )
            except httpx.HTTPError:
                raise KatalogUtilgjengelig(
                    "Legemiddelkatalogen svarer ikke, så radene kan ikke kontrolleres. "
                    "Ingenting er importert. Prøv igjen om litt."
                ) from None
        if response.status_code not in (200, 404, 422):
            raise KatalogUtilgjengelig(
                f"Legemiddelkatalogen svarte med feil ({response.status_code}), så radene kan ikke "
                "kontrolleres. Ingenting er importert. Prøv igjen om litt."
            )
        return response

    async def _legemiddel(self, value: str) -> Legemiddelvalg | None:
        value = value.strip()
        if len(value) > 100:
            return None
        if value.upper().startswith("ID_"):
            response = await self._get(f"/api/legemidler/{value}")
            if response.status_code != 200:
                return None
            return _brand(_parse(LegemiddelTreff, response))
        response = await self._get("/api/legemidler", {"q": value, "antall": 50})
        if response.status_code != 200:
            return None
        try:
            treff = _TREFF.validate_json(response.content)
        except ValidationError:
            raise KatalogUtilgjengelig(
                "Legemiddelkatalogen svarte med noe uventet. Ingenting er importert."
            ) from None
        return choose(value, treff)

    async def _diagnose(self, kode: str) -> DiagnoseTreff | None:
        response = await self._get(f"/api/diagnoser/{kode}")
        if response.status_code != 200:
            return None
        return _parse(DiagnoseTreff, response)


T = TypeVar("T", LegemiddelTreff, DiagnoseTreff)


def _parse(model: type[T], response: httpx.Response) -> T:
    try:
        return model.model_validate_json(response.content)
    except ValidationError:
        raise KatalogUtilgjengelig(
            "Legemiddelkatalogen svarte med noe uventet. Ingenting er importert."
        ) from None
