"""Rendering helpers shared by the pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.routing import NoMatchFound

from shared.platform.auth.principal import Principal, Role, can_edit_soknad
from shared.platform.web.deps import katalog_of, org_of
from soknad.domain import EDITABLE, KATEGORI_LABELS, STATUS_LABELS, TYPE_LABELS, UTFALL_LABELS
from soknad.handlers.sider import Historie, Saksside, open_side
from soknad.handlers.utkast import (
    ENHET_FELT,
    KATEGORI_FELT,
    TYPE_FELT,
    invitable_medforfattere,
    user_names,
)
from soknad.skjema.modell import Skjema
from soknad.skjema.register import SkjemaRegister
from soknad.skjema.regler import STATUS_LABELS as FULLFORING_LABELS
from soknad.skjema.validering import DELER, is_empty
from soknad.skjema.visning import show_answer, svartekst
from soknad.store import endringer
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
    "fortsettelse": "Søknaden om fortsettelse er fylt ut fra den forrige søknaden og oppfølgingen. Se over "
    "svarene, oppgi dato for samtykket, og send den når den er klar.",
    "medforfatter": "Medforfatteren er lagt til og kan nå skrive i søknaden.",
    "hjelpetekst": "Hjelpeteksten er lagret.",
    "hjelpetekst_tilbake": "Hjelpeteksten er satt tilbake til standardteksten.",
}

PSEUDO_LABELS = {KATEGORI_FELT: "Ordning", TYPE_FELT: "Type søknad", ENHET_FELT: "Enhet som forankrer"}


def url_if_route(request: Request, name: str, **params: Any) -> str:
    """The URL of a route, or '' when no such route is mounted (a page part another module adds)."""
    try:
        return str(request.url_for(name, **params))
    except NoMatchFound:
        return ""


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "utfall_labels": UTFALL_LABELS,
        "url_if_route": partial(url_if_route, request),
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def innhold_from_form(form: dict[str, str]) -> dict[str, Any]:
    """`innhold.<id>` and `innhold.<id>.<part>` fields as answers by question id (strings; the form rules
    check and convert them)."""
    nested: dict[str, Any] = {}
    for key, value in form.items():
        if not key.startswith("innhold."):
            continue
        parts = key.split(".")[1:]
        if len(parts) == 1:
            nested[parts[0]] = value
        elif len(parts) == 2:
            target = nested.setdefault(parts[0], {})
            if isinstance(target, dict):
                target[parts[1]] = value
    return nested


def text_field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def skjemaer_of(request: Request) -> SkjemaRegister:
    register: SkjemaRegister = request.app.state.skjemaer
    return register


def allow_synthetic_of(request: Request) -> bool:
    return bool(request.app.state.runtime.settings.allow_synthetic_personnummer)


def answer_hash(value: Any) -> str:
    """A short fingerprint of an answer: the page sends back what it started from, so a conflicting
    save without JavaScript can tell who changed what."""
    canonical = json.dumps(None if is_empty(value) else value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def answer_hashes(skjema: Skjema, innhold: dict[str, Any]) -> str:
    return json.dumps(
        {sp.id: answer_hash(innhold.get(sp.id)) for sp in skjema.sporsmal()}, separators=(",", ":")
    )


def field_label(skjema: Skjema, field: str) -> str:
    """«Legemiddel – Virkestoff» for `innhold.legemiddel.virkestoff`."""
    parts = field.removeprefix("innhold.").split(".")
    sp = skjema.finn(parts[0])
    if sp is None:
        return PSEUDO_LABELS.get(parts[0], parts[0])
    if len(parts) > 1 and sp.kompositt and parts[1] in DELER[sp.type]:
        return f"{sp.etikett} – {DELER[sp.type][parts[1]].etikett}"
    return sp.etikett


@dataclass(frozen=True)
class Tidslinjepunkt:
    """A line of the shared history timeline (`_historikk.html`): an event, or field changes."""

    at: datetime
    actor_navn: str
    hendelse: str
    detalj: str | None


def field_changes(
    skjema: Skjema, rows: list[endringer.Endring], *, steps: Sequence[datetime] = ()
) -> list[Tidslinjepunkt]:
    """Changes by one person close together in time become one line naming every field they touched;
    never across a step of the case (`steps`, sorted), so an edit made before sending shows before it."""
    points: list[Tidslinjepunkt] = []
    group: list[endringer.Endring] = []

    def flush() -> None:
        if not group:
            return
        labels = list(dict.fromkeys(f"«{field_label(skjema, row.sporsmal_id)}»" for row in group))
        named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " og " + labels[-1]
        points.append(Tidslinjepunkt(group[-1].at, group[-1].actor_navn, "endret", f"Endret {named}"))
        group.clear()

    for row in rows:
        if group and (
            row.actor_id != group[0].actor_id
            or row.at - group[0].at > endringer.COALESCE_WINDOW
            or endringer.crosses_step(steps, group[-1].at, row.at)
        ):
            flush()
        group.append(row)
    flush()
    return points


def timeline(historie: Historie, skjema: Skjema) -> list[Any]:
    changes = field_changes(skjema, historie.endringer, steps=historie.steps)
    return sorted([*historie.hendelser, *changes], key=lambda point: point.at)


async def open_page(request: Request, p: Principal, soknad_id: str, *, purpose: str) -> Saksside:
    """The audited read of an application with everything its page shows (one use case)."""
    return await open_side(
        request.app.state.runtime.db,
        p,
        soknad_id,
        purpose=purpose,
        skjemaer=skjemaer_of(request),
        allow_synthetic=allow_synthetic_of(request),
    )


def form_context(side: Saksside) -> dict[str, Any]:
    """Everything a page needs to render an application from its own form version."""
    soknad, state = side.soknad, side.state
    skjema = state.skjema
    fullforing = state.vurdering.fullforing()
    return {
        "skjema": skjema,
        "skjemastatus": state,
        "hjelp": side.hjelp,
        "synlige": set(state.vurdering.synlige),
        "synlige_seksjoner": {s.id for s in state.vurdering.seksjoner},
        "fullforing": fullforing,
        "fullforing_labels": FULLFORING_LABELS,
        "mangler": [
            {"field": field, "message": message, "label": field_label(skjema, field)}
            for field, message in state.vurdering.feil
        ],
        "avledet": state.avledet,
        "show_answer": show_answer,
        "svartekst": svartekst,
        "field_label": field_label,
        "oppdatert_innhold": None,
        "feil_i_svar": [],
        "kategori_lenker": skjema.lenker_for_kategori(soknad.kategori),
    }


async def page(
    request: Request,
    p: Principal,
    side: Saksside,
    *,
    errors: list[dict[str, str]] | None = None,
    innhold: dict[str, Any] | None = None,
    melding: str | None = None,
    status_code: int = 200,
    konflikt: list[dict[str, Any]] | dict[str, Any] | None = None,
    ekstra: dict[str, Any] | None = None,
) -> Response:
    """The application page: the form while it can be edited, the case page after. `innhold` is what
    the user typed (shown again after an error) when it differs from what is stored."""
    soknad = side.soknad
    editable = soknad.status in EDITABLE and can_edit_soknad(
        p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere
    )
    field_errors = {e["field"].removeprefix("innhold."): e["message"] for e in (errors or [])}
    form = form_context(side)
    context = {
        "s": soknad,
        "innhold": innhold if innhold is not None else soknad.innhold,
        "errors": errors or [],
        "field_errors": field_errors,
        "melding": melding or MESSAGES.get(request.query_params.get("melding", "")),
        "historikk": timeline(side.historie, form["skjema"]),
        "enheter": org_of(request).enheter,
        "kan_forankre": p.has(Role.LEDER) and p.enhet == soknad.enhet and soknad.status == "til_forankring",
        "kan_trekke": can_edit_soknad(
            p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere
        )
        and soknad.status not in ("vedtatt", "trukket"),
        "konflikt": konflikt,
        "medforfattere": list(
            zip(
                soknad.medforfattere, await user_names(katalog_of(request), soknad.medforfattere), strict=True
            )
        ),
        **form,
    }
    context["fortsettelse_av"] = side.fortsettelse_av
    if editable:
        # Co-authors are found by name in the trust's directory (no JavaScript needed: a GET search).
        sok = request.query_params.get("medforfatter_sok", "").strip()[:100]
        context["medforfatter_sok"] = sok
        if sok:
            context["inviterbare"] = await invitable_medforfattere(katalog_of(request), soknad, sok)
        context["grunnlag"] = answer_hashes(form["skjema"], soknad.innhold or {})
        # The page shows what the user typed; autosave must still know what is stored.
        context["lagret_innhold_json"] = json.dumps(soknad.innhold or {}) if innhold is not None else ""
    else:
        context.update(await case_context(request, p, side))
    context.update(ekstra or {})
    return render(request, "skjema.html" if editable else "vis.html", context, status_code=status_code)
