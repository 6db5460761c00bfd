"""The application and its decisions as a prior authorisation: `Coverage` (the trust pays), `Claim`
(`use = preauthorization`) and one `ClaimResponse` per decision (Da Vinci PAS's shapes, Norwegian codes).

A decision that is amended or revoked is never rewritten into another one: every decision keeps its own
`ClaimResponse` (id = the decision's id). The one in force is `active`; one that a later decision
replaced, or that was revoked, is `cancelled`, with a `processNote` saying by which decision, by whom and
when, and `meta.versionId` counting its changes (`meta.lastUpdated` = the last). `claim_response` is pure
over the decision JSON the case keeps (`soknad.vedtak`) and plain facts, so the integrator webhooks can
send the very same resource."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.domain.labels import UTFALL_LABELS, VILKARSTYPE_LABELS
from shared.fhir.ressurser import (
    GRUPPE_PASIENT,
    Resource,
    Saksfakta,
    condition,
    enhet_ref,
    hf_ref,
    instant,
    pasient_ref,
    practitioner_ref,
    product_or_service,
    ref,
)
from shared.fhir.systemer import KATEGORI, LOPENUMMER, SOKNAD_ID, UTFALL, VEDTAK_ID
from shared.platform.web.templating import format_date

CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
CLAIM_INFO_CATEGORY = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"

OUTCOME = {"innvilget": "complete", "innvilget_med_vilkar": "partial", "avslatt": "complete"}
"""PAS's reading: a grant with conditions is a partial approval; a refusal is a completed review."""

_EDITABLE = frozenset({"utkast", "returnert"})


def claim_type(soknad_type: str) -> dict[str, Any]:
    """A single patient's drug is a pharmacy claim; a unit's standing use for a group is institutional."""
    code = "pharmacy" if soknad_type == "enkeltpasient" else "institutional"
    return {"coding": [{"system": CLAIM_TYPE, "code": code}]}


def claim_status(status: str) -> str:
    if status in _EDITABLE:
        return "draft"
    if status == "trukket":
        return "cancelled"
    return "active"


def coverage(sak: Saksfakta) -> Resource:
    """The trust as the payer of this application's treatment (PAS requires a focal coverage)."""
    return {
        "resourceType": "Coverage",
        "id": sak.soknad_id,
        "status": "cancelled" if sak.status == "trukket" else "active",
        "beneficiary": pasient_ref(sak),
        "payor": [hf_ref(sak.hf)],
    }


def claim(sak: Saksfakta) -> Resource:
    identifier = [{"system": SOKNAD_ID, "value": sak.soknad_id}]
    if sak.lopenummer:
        identifier.insert(0, {"use": "official", "system": LOPENUMMER, "value": sak.lopenummer})
    item: dict[str, Any] = {"sequence": 1, "productOrService": product_or_service(sak.legemiddel)}
    resource: Resource = {
        "resourceType": "Claim",
        "id": sak.soknad_id,
        "identifier": identifier,
        "status": claim_status(sak.status),
        "type": claim_type(sak.type),
        "subType": {"coding": [{"system": KATEGORI, "code": sak.kategori}]},
        "use": "preauthorization",
        "patient": pasient_ref(sak),
        "created": instant(sak.sendt_at or sak.opprettet_at),
        "enterer": practitioner_ref(sak),
        "insurer": hf_ref(sak.hf),
        "provider": enhet_ref(sak.enhet),
        "priority": {"coding": [{"system": PROCESS_PRIORITY, "code": "normal"}]},
        "supportingInfo": [
            {
                "sequence": 1,
                "category": {"coding": [{"system": CLAIM_INFO_CATEGORY, "code": "info"}]},
                "valueReference": ref("QuestionnaireResponse", sak.soknad_id),
            }
        ],
        "insurance": [{"sequence": 1, "focal": True, "coverage": ref("Coverage", sak.soknad_id)}],
        "item": [item],
    }
    if condition(sak) is not None:
        resource["diagnosis"] = [{"sequence": 1, "diagnosisReference": ref("Condition", sak.soknad_id)}]
        item["diagnosisSequence"] = [1]
    kurer = sak.innhold.get("antall_kurer")
    if isinstance(kurer, int) and not isinstance(kurer, bool) and kurer > 0:
        item["quantity"] = {"value": kurer, "unit": "kurer"}
    return resource


# --- the decision -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kravfakta:
    """What a decision's ClaimResponse needs of its case besides the decision JSON."""

    soknad_id: str
    lopenummer: str
    hf: str
    soknad_type: str
    pasient: Mapping[str, Any] | None = None
    """The Reference to the patient; None: `Patient/<soknad_id>` (a group: by display only)."""


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _omfang(vedtak: Mapping[str, Any]) -> Mapping[str, Any]:
    omfang = vedtak.get("omfang")
    return omfang if isinstance(omfang, Mapping) else {}


def _gyldighet(vedtak: Mapping[str, Any]) -> tuple[date | None, date | None]:
    omfang = _omfang(vedtak)
    fra = _date(vedtak.get("gyldig_fra")) or _date(omfang.get("gyldig_fra"))
    til = _date(vedtak.get("gyldig_til")) or _date(omfang.get("gyldig_til"))
    return fra, til


def _notes(vedtak: Mapping[str, Any]) -> list[str]:
    """The conditions, then the approved scope, as the letter words them."""
    lines = []
    for vilkar in vedtak.get("vilkar_liste") or []:
        if not isinstance(vilkar, Mapping) or not vilkar.get("tekst"):
            continue
        label = VILKARSTYPE_LABELS.get(str(vilkar.get("type")), "Vilkår")
        frist = _date(vilkar.get("dato"))
        frist_tekst = f" (innen {format_date(frist)})" if frist else ""
        lines.append(f"Vilkår – {label}: {vilkar['tekst']}{frist_tekst}")
    if not lines and vedtak.get("vilkar"):
        lines.append(f"Vilkår: {vedtak['vilkar']}")
    omfang = _omfang(vedtak)
    if omfang.get("dosering"):
        lines.append(f"Godkjent dosering: {omfang['dosering']}")
    if omfang.get("antall_kurer"):
        lines.append(f"Godkjent antall kurer: {omfang['antall_kurer']}")
    if vedtak.get("art") == "endring" and vedtak.get("erstatter_vedtak_id"):
        lines.append(f"Endrer vedtak {vedtak['erstatter_vedtak_id']}.")
    return lines


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _signed(navn: Any, at: datetime | None) -> str:
    parts = [f"av {navn}" if navn else "", format_date(at) if at else ""]
    return " ".join(p for p in parts if p)


def utfall_coding(utfall: str) -> dict[str, str]:
    return {"system": UTFALL, "code": utfall, "display": UTFALL_LABELS.get(utfall, utfall)}


def claim_response(
    vedtak: Mapping[str, Any],
    fakta: Kravfakta,
    *,
    erstattet_av: Mapping[str, Any] | None = None,
    begrunnelse: bool = True,
) -> Resource:
    """One decision as a ClaimResponse; `erstattet_av`: the later decision that replaced it, if any.

    `begrunnelse=False` leaves out the reasons for the decision and for a revocation (free text that may
    describe the patient): what the integrator messages never carry. The API's readers read the case
    and see the reasons in the pages too."""
    vedtak_id = str(vedtak.get("vedtak_id") or fakta.soknad_id)
    utfall = str(vedtak.get("utfall") or "")
    fattet_at = _datetime(vedtak.get("fattet_at"))
    opphevet = vedtak.get("opphevet") if isinstance(vedtak.get("opphevet"), Mapping) else None
    changes = [t for t in (fattet_at,) if t is not None]
    notes = _notes(vedtak)
    disposition = [UTFALL_LABELS.get(utfall, utfall).strip() + "."]
    if begrunnelse and vedtak.get("begrunnelse"):
        disposition.append(_sentence(f"Begrunnelse: {vedtak['begrunnelse']}"))
    if vedtak.get("fattet_av_navn") or fattet_at:
        # Who decided: ClaimResponse has no element for the decision maker (`requestor` is the claimant).
        disposition.append(f"Fattet {_signed(vedtak.get('fattet_av_navn'), fattet_at)}.")
    if opphevet is not None:
        opphevet_at = _datetime(opphevet.get("opphevet_at"))
        changes += [opphevet_at] if opphevet_at else []
        gjelder_fra = _date(opphevet.get("gjelder_fra"))
        text = (
            f"Vedtaket er opphevet {_signed(opphevet.get('opphevet_av_navn'), opphevet_at)}"
            f" (vedtak {opphevet.get('vedtak_id')}), gjelder fra {format_date(gjelder_fra)}"
        )
        if begrunnelse and opphevet.get("begrunnelse"):
            text += f": {opphevet['begrunnelse']}"
        notes.append(text)
        disposition.append("Vedtaket er opphevet.")
    if erstattet_av is not None:
        ny_at = _datetime(erstattet_av.get("fattet_at"))
        changes += [ny_at] if ny_at else []
        notes.append(
            f"Erstattet av vedtak {erstattet_av.get('vedtak_id')} fattet "
            f"{_signed(erstattet_av.get('fattet_av_navn'), ny_at)}."
        )
        disposition.append("Erstattet av et nyere vedtak.")
    if fakta.pasient is not None:
        pasient: dict[str, Any] = dict(fakta.pasient)
    elif fakta.soknad_type == "enkeltpasient":
        pasient = ref("Patient", fakta.soknad_id)
    else:
        pasient = {"display": GRUPPE_PASIENT}
    resource: Resource = {
        "resourceType": "ClaimResponse",
        "id": vedtak_id,
        "meta": {"versionId": str(max(len(changes), 1))},
        "identifier": [
            {"system": VEDTAK_ID, "value": vedtak_id},
            {"use": "official", "system": LOPENUMMER, "value": fakta.lopenummer},
        ],
        "status": "cancelled" if opphevet is not None or erstattet_av is not None else "active",
        "type": claim_type(fakta.soknad_type),
        "use": "preauthorization",
        "patient": pasient,
        "insurer": hf_ref(fakta.hf),
        "request": ref("Claim", fakta.soknad_id),
        "outcome": OUTCOME.get(utfall, "complete"),
        "disposition": " ".join(disposition),
        "preAuthRef": fakta.lopenummer,
        "item": [
            {
                "itemSequence": 1,
                "adjudication": [{"category": {"coding": [utfall_coding(utfall)]}}],
            }
        ],
    }
    if changes:
        resource["meta"]["lastUpdated"] = instant(max(changes))
    if fattet_at is not None:
        resource["created"] = instant(fattet_at)
    else:
        # `created` is required; a decision stored without its time is dated by its validity.
        resource["created"] = (_gyldighet(vedtak)[0] or date(1970, 1, 1)).isoformat()
    fra, til = _gyldighet(vedtak)
    if utfall != "avslatt" and (fra or til):
        period = {}
        if fra:
            period["start"] = fra.isoformat()
        if til:
            period["end"] = til.isoformat()
        resource["preAuthPeriod"] = period
    if notes:
        resource["processNote"] = [
            {"number": n, "type": "display", "text": text} for n, text in enumerate(notes, start=1)
        ]
        resource["item"][0]["noteNumber"] = list(range(1, len(notes) + 1))
    return resource


def vedtakshistorikk(vedtak: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """Every decision of the case, oldest first (the one in force last)."""
    if not vedtak:
        return []
    tidligere: Sequence[Any] = vedtak.get("tidligere") or []
    return [*(t for t in tidligere if isinstance(t, Mapping)), vedtak]


def claim_responses(
    vedtak: Mapping[str, Any] | None, fakta: Kravfakta, *, begrunnelse: bool = True
) -> list[Resource]:
    """One ClaimResponse per decision, oldest first; each replaced one names the decision after it."""
    historikk = vedtakshistorikk(vedtak)
    return [
        claim_response(
            v,
            fakta,
            erstattet_av=historikk[i + 1] if i + 1 < len(historikk) else None,
            begrunnelse=begrunnelse,
        )
        for i, v in enumerate(historikk)
    ]


def kravfakta(sak: Saksfakta) -> Kravfakta | None:
    """The facts of a sent case (a decision always has a løpenummer)."""
    if not sak.lopenummer:
        return None
    return Kravfakta(
        soknad_id=sak.soknad_id,
        lopenummer=sak.lopenummer,
        hf=sak.hf,
        soknad_type=sak.type,
        pasient=pasient_ref(sak),
    )
