"""The examples in `docs/fhir/` are what the builders give today, and valid: regenerated here from synthetic
facts, validated, and compared with the checked-in files. After a deliberate change, rewrite them with
`SP_FHIR_EKSEMPLER=skriv .venv/bin/python -m pytest -q tests/unit/test_fhir_eksempler.py`.

The Questionnaire and QuestionnaireResponse examples are the form export's (`soknad.fhir.skjema_dokumenter`);
the searchset Bundle here holds a QuestionnaireResponse as the API serves it."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.fhir.krav import claim, claim_responses, coverage, kravfakta
from shared.fhir.ressurser import (
    condition,
    medication,
    organization_enhet,
    organization_hf,
    patient,
    practitioner,
)
from soknad.fhir.api import operation_outcome
from soknad.fhir.kapabilitet import capability_statement
from soknad.fhir.sok import bundle, parse
from soknad.skjema.register import SkjemaRegister
from tests.support.fhir_validering import errors
from tests.unit.fhir_saker import LOPENUMMER, NEVRO, endret_og_opphevet, sak

DOCS = Path(__file__).resolve().parents[2] / "docs" / "fhir"
BASE = "https://hbe.soknadsportalen.no/soknad/fhir"
NOW = datetime(2026, 5, 2, 12, tzinfo=UTC)


def eksempler() -> dict[str, dict[str, Any]]:
    case = sak()
    _, _, opphevet = endret_og_opphevet()
    fakta = kravfakta(case)
    assert fakta is not None
    replaced, revoked = claim_responses(opphevet, fakta)
    skjemaer = SkjemaRegister.load()
    search = parse(
        "Claim",
        [
            ("identifier", LOPENUMMER),
            ("_include", "Claim:supporting-info"),
            ("_revinclude", "ClaimResponse:request"),
        ],
    )
    searchset = bundle(
        search,
        [case],
        totalt=1,
        base=BASE,
        self_url=f"{BASE}/Claim?identifier={LOPENUMMER}",
        skjemaer=skjemaer,
        now=NOW,
    )
    searchset["id"] = "eksempel-sok"
    found = {
        "Patient": patient(case),
        "Practitioner": practitioner(case),
        "Organization": organization_hf("HBE"),
        "Organization-enhet": organization_enhet("HBE", NEVRO),
        "Condition": condition(case),
        "Medication": medication(case),
        "Coverage": coverage(case),
        "Claim": claim(case),
        "ClaimResponse": claim_responses(case.vedtak, fakta)[0],
        "ClaimResponse-erstattet": replaced,
        "ClaimResponse-opphevet": revoked,
        "Bundle": searchset,
        "CapabilityStatement": capability_statement(base=BASE, now=NOW, versjon="1.0.0"),
        "OperationOutcome": operation_outcome(400, "Ukjent søkeparameter «foo» for Claim."),
    }
    return {name: resource for name, resource in found.items() if resource is not None}


def test_the_examples_are_current_and_valid() -> None:
    found = eksempler()
    assert errors(list(found.values())) == []
    rewrite = os.environ.get("SP_FHIR_EKSEMPLER") == "skriv"
    stale = []
    for name, resource in found.items():
        path = DOCS / f"{name}-eksempel.json"
        text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
        if rewrite:
            DOCS.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
    assert stale == [], f"{stale}: rewrite them with SP_FHIR_EKSEMPLER=skriv (see this module's docstring)"
