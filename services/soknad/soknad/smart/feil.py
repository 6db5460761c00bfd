"""Why a launch from the record was refused: a Norwegian text for the page, a code for logs and tests."""

from __future__ import annotations


class SmartAvvist(Exception):
    def __init__(self, code: str, melding: str, *, status: int = 400, detalj: str | None = None):
        super().__init__(f"{code}: {melding}")
        self.code = code
        self.melding = melding
        self.status = status
        self.detalj = detalj
