"""Launch contexts: what one launch from the record brought (patient, physician, unit, access token),
kept per launch and per draft — never one «current patient» per browser, so two charts open in two tabs
never mix.

Held in the process's memory (a bounded map, expiring with the session's lifetime): the access token
should not outlive the process, and the embedded default runs one process. A deployment with several
workers needs sticky sessions for launches, or a shared store behind the same interface."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.platform.auth.session import SESSION_MAX_AGE_S
from soknad.smart.journal import Journalpasient
from soknad.smart.klient import TokenResponse
from soknad.smart.konfig import SmartIssuer

MAX_CONTEXTS = 10_000

PASIENT_FNR = "pasient_fodselsnummer"
PASIENT_NAVN = "pasient_navn"


@dataclass
class Tilbakeskriving:
    """The outcome of writing the answers back to the record, shown to the applicant."""

    status: str  # "pagar" | "lagret" | "feilet" | "avvist"
    melding: str
    at: datetime
    fhir_id: str | None = None


@dataclass
class Launchkontekst:
    key: str
    issuer: SmartIssuer
    user_id: str
    hpr_number: str | None
    pasient: Journalpasient
    enhet: str | None
    """The unit code from the record (encounter's RESH) or, failing that, the physician's own unit."""
    enhet_fra_journalen: bool
    token: TokenResponse
    created: float = field(default_factory=time.monotonic)
    soknad_ids: set[str] = field(default_factory=set)
    tilbakeskriving: dict[str, Tilbakeskriving] = field(default_factory=dict)

    @property
    def prefill(self) -> dict[str, Any]:
        """The draft's answers the record knows."""
        answers: dict[str, Any] = {}
        if self.pasient.fodselsnummer:
            answers[PASIENT_FNR] = self.pasient.fodselsnummer
        if self.pasient.navn:
            answers[PASIENT_NAVN] = self.pasient.navn
        return answers

    def fra_journalen(self, *, innhold: dict[str, Any], enhet: str, soker_id: str) -> set[str]:
        """Which of the draft's fields still hold what the record gave: the marking goes when the
        physician changes one."""
        marked = {key for key, value in self.prefill.items() if innhold.get(key) == value}
        if self.enhet and enhet == self.enhet and self.enhet_fra_journalen:
            marked.add("enhet")
        if soker_id == self.user_id:
            marked.add("soker")
        return marked

    def note(self, soknad_id: str, status: str, melding: str, *, fhir_id: str | None = None) -> None:
        self.tilbakeskriving[soknad_id] = Tilbakeskriving(status, melding, datetime.now(UTC), fhir_id)


class KontekstLager:
    def __init__(self, *, ttl_s: float = SESSION_MAX_AGE_S, max_size: int = MAX_CONTEXTS):
        self.ttl_s = ttl_s
        self.max_size = max_size
        self._by_key: dict[str, Launchkontekst] = {}
        self._by_soknad: dict[str, str] = {}

    def add(self, **fields: Any) -> Launchkontekst:
        self._expire()
        kontekst = Launchkontekst(key=secrets.token_urlsafe(18), **fields)
        self._by_key[kontekst.key] = kontekst
        return kontekst

    def get(self, key: str, *, user_id: str) -> Launchkontekst | None:
        """A launch of this user; another user's launch key opens nothing."""
        kontekst = self._by_key.get(key)
        if kontekst is None or kontekst.user_id != user_id or self._expired(kontekst):
            return None
        return kontekst

    def bind(self, kontekst: Launchkontekst, soknad_id: str) -> None:
        """The draft belongs to this launch; a later launch for another patient never rebinds it."""
        if soknad_id in self._by_soknad:
            return
        kontekst.soknad_ids.add(soknad_id)
        self._by_soknad[soknad_id] = kontekst.key

    def for_soknad(self, soknad_id: str) -> Launchkontekst | None:
        key = self._by_soknad.get(soknad_id)
        kontekst = self._by_key.get(key) if key else None
        return None if kontekst is None or self._expired(kontekst) else kontekst

    def _expired(self, kontekst: Launchkontekst) -> bool:
        return time.monotonic() - kontekst.created > self.ttl_s

    def _expire(self) -> None:
        for key in [k for k, c in self._by_key.items() if self._expired(c)]:
            self._drop(key)
        while len(self._by_key) >= self.max_size:
            self._drop(next(iter(self._by_key)))  # the oldest: dicts keep insertion order

    def _drop(self, key: str) -> None:
        kontekst = self._by_key.pop(key)
        for soknad_id in kontekst.soknad_ids:
            self._by_soknad.pop(soknad_id, None)
