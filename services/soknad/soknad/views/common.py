"""Rendering helpers shared by the pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from shared.auth.demo import enheter_for
from shared.auth.principal import Principal, Role, can_edit_soknad
from soknad.deps import Uow
from soknad.domain import EDITABLE, KATEGORI_LABELS, STATUS_LABELS, TYPE_LABELS, UTFALL_LABELS
from soknad.store import Soknad, historikk_for
from soknad.views.samarbeid import case_context

MESSAGES = {
    "sendt": "Søknaden er sendt til forankring.",
    "lagret": "Utkastet er lagret.",
    "forankret": "Søknaden er forankret og sendt til vurdering.",
    "returnert": "Søknaden er returnert til søkeren.",
    "trukket": "Søknaden er trukket.",
    "delegert": "Forankringen er delegert til den andre enheten.",
    "besvart": "Svaret er sendt til vurderingen.",
    "oppfolging": "Oppfølgingen er registrert.",
}


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "utfall_labels": UTFALL_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def innhold_from_form(form: dict[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in form.items():
        if not key.startswith("innhold."):
            continue
        parts = key.split(".")[1:]
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    for numeric in ("gruppe_storrelse", "estimert_kostnad_nok"):
        if nested.get(numeric) == "":
            nested[numeric] = None
    for group in ("legemiddel", "indikasjon"):
        section = nested.get(group)
        if isinstance(section, dict):
            section["verifisert"] = section.get("verifisert") in ("true", "on", "1")
    return nested


def text_field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def page(
    request: Request,
    p: Principal,
    uow: Uow,
    soknad: Soknad,
    *,
    errors: list[dict[str, str]] | None = None,
    innhold: dict[str, Any] | None = None,
    melding: str | None = None,
    status_code: int = 200,
    konflikt: dict[str, Any] | None = None,
    ekstra: dict[str, Any] | None = None,
) -> Response:
    editable = soknad.status in EDITABLE and can_edit_soknad(
        p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere
    )
    field_errors = {e["field"].removeprefix("innhold."): e["message"] for e in (errors or [])}
    context = {
        "s": soknad,
        "innhold": innhold if innhold is not None else soknad.innhold,
        "errors": errors or [],
        "field_errors": field_errors,
        "melding": melding or MESSAGES.get(request.query_params.get("melding", "")),
        "historikk": await historikk_for(uow.session, soknad.id),
        "enheter": enheter_for(soknad.hf),
        "kan_forankre": p.has(Role.LEDER) and p.enhet == soknad.enhet and soknad.status == "til_forankring",
        "kan_trekke": can_edit_soknad(
            p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere
        )
        and soknad.status not in ("vedtatt", "trukket"),
        "konflikt": konflikt,
    }
    if not editable:
        context.update(await case_context(request, p, uow, soknad))
    context.update(ekstra or {})
    return render(request, "skjema.html" if editable else "vis.html", context, status_code=status_code)
