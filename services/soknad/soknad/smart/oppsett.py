"""Wiring the EHR launch into the soknad app."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.platform.runtime import ServiceRuntime
from soknad.settings import SoknadSettings
from soknad.smart.klient import SmartKlient
from soknad.smart.kontekst import KontekstLager
from soknad.smart.tilbakeskriving import Tilbakeskriver

RECORD_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


def install(app: FastAPI, runtime: ServiceRuntime, settings: SoknadSettings) -> None:
    klient = SmartKlient(httpx.AsyncClient(timeout=RECORD_TIMEOUT))
    kontekster = KontekstLager()
    tilbakeskriver = Tilbakeskriver(klient, kontekster)
    app.state.smart_klient = klient
    app.state.smart_kontekster = kontekster
    app.state.smart_tilbakeskriver = tilbakeskriver
    runtime.extra_stop.extend([tilbakeskriver.aclose, klient.aclose])
    if settings.smart_issuers:
        # A launch opens a browser session as the login does. With OIDC (bearer tokens) the directory's
        # sessions are otherwise off; only a launch can open one there, so turning them on admits no one
        # else.
        runtime.auth.sessions = True
