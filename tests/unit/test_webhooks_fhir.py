"""The FHIR bodies of the webhooks, built from the events and what integrasjon keeps of a case: valid in
all three validators, the løpenummer as `preAuthRef`, the outcome, validity and conditions, the patient by
number, and never the reasons. The examples in `docs/fhir/` are regenerated here and compared; after a
deliberate change rewrite them with
`SP_FHIR_EKSEMPLER=skriv .venv/bin/python -m pytest -q tests/unit/test_webhooks_fhir.py`."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from integrasjon.integratorer.tables import IntegratorSak
from integrasjon.webhooks import fhir
from shared.domain.trusts import ORGANISASJONSNUMMER_HF
from shared.events.contracts import VedtakFattet, VedtakOpphevet
from shared.fhir.ressurser import GRUPPE_PASIENT
from shared.fhir.systemer import (
    D_NUMMER,
    FODSELSNUMMER,
    LOPENUMMER,
    ORGANISASJONSNUMMER,
    UTFALL,
    VEDTAK_ID,
)
from tests.support.fhir_validering import errors
from tests.support.vedtak_events import PASIENT_NAVN, opphevet, pasient, vedtak

DOCS = Path(__file__).resolve().parents[2] / "docs" / "fhir"
LOPENUMMER_EKSEMPEL = "HBE-2026-000042"
SOKNAD_ID = "6f1c1c44-2b1e-4f57-9a55-0d5d8f0c0a01"
FORSTE = "0b6c7d2e-8f3a-4c51-9e27-1a2b3c4d5e01"
ENDRING = "0b6c7d2e-8f3a-4c51-9e27-1a2b3c4d5e02"
OPPHEVELSE = "0b6c7d2e-8f3a-4c51-9e27-1a2b3c4d5e03"
REASONS = ("Oppfyller kriteriene", "alvorlig sykdom", "Behandlingen er avsluttet", "Begrunnelse")


def sak(**overrides: Any) -> IntegratorSak:
    fields: dict[str, Any] = {
        "lopenummer": LOPENUMMER_EKSEMPEL,
        "hf": "HBE",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "fodselsnummer": pasient().fodselsnummer,
        "pasient_navn": PASIENT_NAVN,
        "sendte_vedtak": [],
        "vedtak": {},
        "endret_at": datetime(2026, 12, 1, 10, tzinfo=UTC),
    }
    fields.update(overrides)
    return IntegratorSak(**fields)


def forste() -> VedtakFattet:
    return vedtak(LOPENUMMER_EKSEMPEL, vedtak_id=FORSTE, soknad_id=SOKNAD_ID)


def endring() -> VedtakFattet:
    return vedtak(
        LOPENUMMER_EKSEMPEL,
        vedtak_id=ENDRING,
        soknad_id=SOKNAD_ID,
        art="endring",
        erstatter_vedtak_id=FORSTE,
        utfall="innvilget",
        vilkar=None,
        vilkar_liste=[],
        gyldig_til=date(2028, 5, 31),
        fattet_at=datetime(2027, 2, 1, 9, 30, tzinfo=UTC),
    )


def opphevelse(revoked: str) -> VedtakOpphevet:
    return opphevet(LOPENUMMER_EKSEMPEL, revoked).model_copy(
        update={"vedtak_id": OPPHEVELSE, "soknad_id": SOKNAD_ID}
    )


def sent(*events: VedtakFattet) -> IntegratorSak:
    """The case as integrasjon keeps it after sending these decisions."""
    case = sak()
    case.vedtak = {e.vedtak_id: fhir.vedtak_fakta(e) for e in events}
    return case


def no_reasons(resource: dict[str, Any]) -> None:
    text = json.dumps(resource, ensure_ascii=False)
    for reason in REASONS:
        assert reason not in text, reason


def test_a_decision_is_its_claim_response_without_the_reasons() -> None:
    response = fhir.vedtak_fattet(forste(), sak(), hf="HBE")
    assert errors([response]) == []
    assert response["resourceType"] == "ClaimResponse"
    assert response["id"] == FORSTE
    assert response["status"] == "active"
    assert response["preAuthRef"] == LOPENUMMER_EKSEMPEL
    assert {"use": "official", "system": LOPENUMMER, "value": LOPENUMMER_EKSEMPEL} in response["identifier"]
    assert {"system": VEDTAK_ID, "value": FORSTE} in response["identifier"]
    assert response["outcome"] == "partial"
    coding = response["item"][0]["adjudication"][0]["category"]["coding"][0]
    assert (coding["system"], coding["code"]) == (UTFALL, "innvilget_med_vilkar")
    assert response["preAuthPeriod"] == {"start": "2026-12-01", "end": "2027-11-30"}
    notes = [n["text"] for n in response["processNote"]]
    assert "Vilkår – Evaluering: Evaluer effekten. (innen 31. mai 2027)" in notes
    assert "Godkjent dosering: 1000 mg iv hver 6. måned" in notes
    assert response["patient"] == {
        "type": "Patient",
        "identifier": {"system": FODSELSNUMMER, "value": pasient().fodselsnummer},
        "display": PASIENT_NAVN,
    }
    assert response["disposition"].startswith("Innvilget med vilkår.")
    # Logical references only: the receiver resolves nothing of ours.
    assert response["insurer"]["identifier"] == {
        "system": ORGANISASJONSNUMMER,
        "value": ORGANISASJONSNUMMER_HF["HBE"],
    }
    assert response["request"]["identifier"]["value"] == LOPENUMMER_EKSEMPEL
    assert '"reference"' not in json.dumps(response)
    no_reasons(response)


def test_the_reasons_are_not_even_kept() -> None:
    kept = fhir.vedtak_fakta(forste())
    assert "begrunnelse" not in json.dumps(kept)
    assert "Oppfyller kriteriene" not in json.dumps(kept, ensure_ascii=False)


def test_reasons_in_the_decision_are_left_out_by_the_builder_too() -> None:
    """Belt and braces: should a kept decision ever hold reasons, the builder still leaves them out."""
    case = sak()
    fakta = fhir.kravfakta(case, soknad_id=SOKNAD_ID, hf="HBE")
    kept = {**fhir.vedtak_fakta(forste()), "begrunnelse": "Oppfyller kriteriene."}
    revoked = fhir.med_opphevelse(kept, opphevelse(FORSTE))
    revoked["opphevet"]["begrunnelse"] = "Behandlingen er avsluttet."
    no_reasons(fhir.claim_response(kept, fakta))
    no_reasons(fhir.claim_response(revoked, fakta))


def test_an_amendment_puts_the_new_decision_and_cancels_the_replaced_one() -> None:
    bundle = fhir.vedtak_fattet(endring(), sent(forste()), hf="HBE")
    assert errors([bundle]) == []
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction"
    (ny, gammel) = [e["resource"] for e in bundle["entry"]]
    assert [e["request"] for e in bundle["entry"]] == [
        {"method": "PUT", "url": f"ClaimResponse/{ENDRING}"},
        {"method": "PUT", "url": f"ClaimResponse/{FORSTE}"},
    ]
    assert (ny["status"], ny["outcome"], ny["preAuthRef"]) == ("active", "complete", LOPENUMMER_EKSEMPEL)
    assert ny["preAuthPeriod"] == {"start": "2026-12-01", "end": "2028-05-31"}
    assert f"Endrer vedtak {FORSTE}." in [n["text"] for n in ny["processNote"]]
    assert gammel["status"] == "cancelled"
    assert gammel["meta"]["versionId"] == "2"
    assert any(n["text"].startswith(f"Erstattet av vedtak {ENDRING}") for n in gammel["processNote"])
    no_reasons(bundle)


def test_an_amendment_of_a_decision_not_kept_sends_the_new_one_alone() -> None:
    response = fhir.vedtak_fattet(endring(), sak(), hf="HBE")
    assert errors([response]) == []
    assert (response["resourceType"], response["id"], response["status"]) == (
        "ClaimResponse",
        ENDRING,
        "active",
    )


def test_a_revocation_sends_the_revoked_claim_response_cancelled_with_the_note() -> None:
    response = fhir.vedtak_opphevet(opphevelse(FORSTE), sent(forste()), hf="HBE")
    assert response is not None
    assert errors([response]) == []
    assert (response["id"], response["status"]) == (FORSTE, "cancelled")
    assert "Vedtaket er opphevet." in response["disposition"]
    (note,) = [n["text"] for n in response["processNote"] if "opphevet" in n["text"]]
    assert note.startswith("Vedtaket er opphevet av Fagdirektør Fredrik")
    assert f"(vedtak {OPPHEVELSE}), gjelder fra 1. januar 2027" in note
    no_reasons(response)
    assert fhir.vedtak_opphevet(opphevelse(FORSTE), sak(), hf="HBE") is None


def test_a_group_decision_names_no_patient_and_a_d_nummer_is_one() -> None:
    group = fhir.vedtak_fattet(forste(), sak(type="gruppe", fodselsnummer=None, pasient_navn=None), hf="HBE")
    assert group["patient"] == {"display": GRUPPE_PASIENT}
    # A Tenor number's month (+80) makes it synthetic whatever the first digit: day + 40 reads as a D-nummer.
    d_nummer = str(int(pasient().fodselsnummer[0]) + 4) + pasient().fodselsnummer[1:]
    response = fhir.vedtak_fattet(forste(), sak(fodselsnummer=d_nummer), hf="HBE")
    assert response["patient"]["identifier"] == {"system": D_NUMMER, "value": d_nummer}
    assert errors([group, response]) == []


def eksempler() -> dict[str, dict[str, Any]]:
    revoked = fhir.vedtak_opphevet(opphevelse(FORSTE), sent(forste()), hf="HBE")
    assert revoked is not None
    return {
        "ClaimResponse-webhook": fhir.vedtak_fattet(forste(), sak(), hf="HBE"),
        "Bundle-webhook-endring": fhir.vedtak_fattet(endring(), sent(forste()), hf="HBE"),
        "ClaimResponse-webhook-opphevet": revoked,
    }


def test_the_webhook_examples_are_current_and_valid() -> None:
    found = eksempler()
    assert errors(list(found.values())) == []
    rewrite = os.environ.get("SP_FHIR_EKSEMPLER") == "skriv"
    stale = []
    for name, resource in found.items():
        path = DOCS / f"{name}-eksempel.json"
        text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
        if rewrite:
            path.write_text(text, encoding="utf-8")
        elif not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
    assert stale == [], f"{stale}: rewrite them with SP_FHIR_EKSEMPLER=skriv (see this module's docstring)"
