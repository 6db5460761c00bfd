"""The versions of the form definition this service knows, loaded once in `create_app`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from soknad.skjema.modell import Skjema

DEFINISJONER = Path(__file__).parent / "definisjoner"
_FILE = re.compile(r"v(\d+)\.json")


class SkjemaRegister:
    def __init__(self, definisjoner: Mapping[int, Skjema]):
        if not definisjoner:
            raise ValueError("no form definitions")
        self._by_version = dict(definisjoner)

    @classmethod
    def load(cls, folder: Path = DEFINISJONER) -> SkjemaRegister:
        """Every `v<N>.json` in `folder`; a definition that does not validate stops the start-up."""
        found: dict[int, Skjema] = {}
        for path in sorted(folder.glob("v*.json")):
            match = _FILE.fullmatch(path.name)
            if not match:
                continue
            skjema = Skjema.model_validate_json(path.read_text(encoding="utf-8"))
            if skjema.versjon != int(match.group(1)):
                raise ValueError(f"{path.name} holds version {skjema.versjon}")
            found[skjema.versjon] = skjema
        return cls(found)

    @property
    def latest(self) -> Skjema:
        return self._by_version[max(self._by_version)]

    def get(self, versjon: int) -> Skjema:
        """The version an application was written with; it is never removed once used."""
        try:
            return self._by_version[versjon]
        except KeyError:
            raise LookupError(f"form definition version {versjon} is not installed") from None

    @property
    def versjoner(self) -> list[int]:
        return sorted(self._by_version)


async def get_skjemaer(request: Request) -> SkjemaRegister:
    register: SkjemaRegister = request.app.state.skjemaer
    return register


Skjemaer = Annotated[SkjemaRegister, Depends(get_skjemaer)]
