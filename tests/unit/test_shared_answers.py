"""The look-up and precedent answers are one model on both sides: the service that answers declares it
as its response model, and soknad, which reads it, validates with the very same class."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

import integrasjon.api
import oversikt.api
import soknad.oppslag
from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff
from shared.domain.presedenssvar import PresedensGruppevedtak, PresedensSvar


def response_model(router: Any, path: str) -> Any:
    route = next(r for r in router.routes if isinstance(r, APIRoute) and r.path == path)
    return route.response_model


def test_integrasjon_answers_look_ups_with_the_models_soknad_reads() -> None:
    assert response_model(integrasjon.api.router, "/api/legemidler") == list[LegemiddelTreff]
    assert response_model(integrasjon.api.router, "/api/legemidler/{fest_id}") is LegemiddelTreff
    assert response_model(integrasjon.api.router, "/api/diagnoser") == list[DiagnoseTreff]
    assert response_model(integrasjon.api.router, "/api/diagnoser/{kode}") is DiagnoseTreff
    assert soknad.oppslag.LegemiddelTreff is LegemiddelTreff
    assert soknad.oppslag.DiagnoseTreff is DiagnoseTreff


def test_oversikt_answers_precedent_with_the_shared_model() -> None:
    assert response_model(oversikt.api.router, "/api/presedens") is PresedensSvar


def test_a_group_decision_speaks_icd10_kode_only() -> None:
    g = PresedensGruppevedtak(
        lopenummer="OUS-2026-000003",
        hf="OUS",
        hf_navn="Oslo universitetssykehus",
        legemiddel_navn="MabThera",
        virkestoff="rituksimab",
        atc="L01FA01",
        icd10_kode="G36.0",
        icd10_tekst="Neuromyelitis optica",
        utfall="innvilget",
        vedtak_maned="2026-01",
        dekker_koden=True,
    )
    sent = g.model_dump(mode="json")
    assert (sent["icd10_kode"], sent["icd10_tekst"]) == ("G36.0", "Neuromyelitis optica")
    # The names from before the case's data had one vocabulary are gone from the answer.
    assert "indikasjon_kode" not in sent and "indikasjon_tekst" not in sent
    assert PresedensGruppevedtak.model_validate(sent) == g
