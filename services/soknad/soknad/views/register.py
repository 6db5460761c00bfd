"""The register pages: search the trust's applications, and open one case in full (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.auth.demo import enhet_navn, enheter_for
from shared.auth.principal import Principal, Role
from shared.errors import ValidationFailed
from shared.labels import VURDERINGSFLYT_LABELS
from shared.web.templating import format_nok
from soknad.deps import CurrentPrincipal, Uow
from soknad.handlers import register
from soknad.views.common import render

router = APIRouter(include_in_schema=False)


def _query(values: Mapping[str, str], **changes: str | int | None) -> str:
    merged: dict[str, Any] = {k: values.get(k, "") for k in register.FILTER_FIELDS}
    merged.update(changes)
    return urlencode({k: v for k, v in merged.items() if v not in ("", None)})


def _pages(side: int, sider: int) -> list[int | None]:
    """Page numbers to link: the first, the last, and two either side of the current; None is a gap."""
    wanted = sorted({1, sider, *range(max(1, side - 2), min(sider, side + 2) + 1)})
    out: list[int | None] = []
    previous: int | None = None
    for n in wanted:
        if previous is not None and n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


async def _enheter(uow: Uow, p: Principal) -> list[tuple[str, str]]:
    codes = set(await register.enheter_i_register(uow, p))
    if p.has(*register.FULL_ACCESS, Role.CONTROLLER):
        codes |= {e.kode for e in enheter_for(p.hf)}
    elif p.enhet:
        codes.add(p.enhet)
    return sorted(((c, enhet_navn(c)) for c in codes), key=lambda pair: pair[1])


@router.get("/register", name="register")
async def register_page(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    register.require_register_access(p)
    values = {k: v for k, v in request.query_params.items() if k in register.FILTER_FIELDS}
    errors: list[dict[str, str]] = []
    resultat = None
    try:
        filter_ = register.parse_filter(values)
    except ValidationFailed as exc:
        errors = exc.extra["errors"]
    else:
        resultat = await register.search(uow, p, filter_)
    context = {
        "verdier": values,
        "errors": errors,
        "field_errors": {e["field"]: e["message"] for e in errors},
        "resultat": resultat,
        "filter": resultat.filter if resultat else register.RegisterFilter(),
        "statuser": register.REGISTER_STATUSES,
        "sorteringer": register.SORT_LABELS,
        "retninger": register.RETNING_LABELS,
        "enheter": await _enheter(uow, p),
        "enhet_navn": enhet_navn,
        "lenke": lambda **changes: "?" + _query(values, **changes),
        "sider": _pages(resultat.side, resultat.sider) if resultat else [],
        "bare_enhet": None if p.has(*register.FULL_ACCESS) or not p.has(Role.LEDER) else p.enhet,
    }
    return render(request, "register.html", context, status_code=422 if errors else 200)


# --- the case page: every answer, generically, whatever the form version ---------------------------

# Labels of the answers the current form asks; an unknown key is shown humanised, so a newer or older
# form version still renders every answer.
LABELS = {
    "pasient_fodselsnummer": "Fødselsnummer",
    "pasient_navn": "Pasientens navn",
    "gruppe_beskrivelse": "Pasientgruppe",
    "gruppe_storrelse": "Antall pasienter i gruppen",
    "legemiddel": "Legemiddel",
    "navn": "Navn",
    "virkestoff": "Virkestoff",
    "atc": "ATC-kode",
    "fest_id": "FEST-id",
    "legemiddelform": "Legemiddelform",
    "styrke": "Styrke",
    "verifisert": "Valgt fra katalogen",
    "indikasjon": "Indikasjon",
    "kode": "ICD-10-kode",
    "tekst": "Diagnose",
    "begrunnelse": "Begrunnelse",
    "estimert_kostnad_nok": "Anslått kostnad",
}
_WORDS = {
    "fodselsnummer": "fødselsnummer",
    "storrelse": "størrelse",
    "nok": "(kr)",
    "atc": "ATC",
    "icd10": "ICD-10",
    "fest": "FEST",
    "hpr": "HPR",
    "resh": "RESH",
    "vilkar": "vilkår",
    "arsak": "årsak",
    "tidligere": "tidligere",
    "behandling": "behandling",
    "forlop": "forløp",
    "maal": "mål",
    "pa": "på",
    "na": "nå",
}


def humanise(key: str) -> str:
    words = [_WORDS.get(w, w) for w in key.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else key


@dataclass
class Svar:
    label: str
    verdi: str | None = None
    deler: list[Svar] = field(default_factory=list)


def _show(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "Ikke besvart"
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, int) and key.endswith("_nok"):
        return format_nok(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def answers(
    innhold: Mapping[str, Any], labels: Mapping[str, str] | None = None, prefix: str = ""
) -> list[Svar]:
    """Every answer of an application as label/value pairs, nested sections kept together.
    `labels` (from the form definition the application was written with) win over the built-in ones."""
    labels = labels or {}
    out: list[Svar] = []
    for key, value in innhold.items():
        path = f"{prefix}{key}"
        label = labels.get(path) or labels.get(key) or LABELS.get(key) or humanise(key)
        if isinstance(value, Mapping):
            out.append(Svar(label=label, deler=answers(value, labels, prefix=f"{path}.")))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            out.append(
                Svar(
                    label=label,
                    deler=[
                        Svar(label=f"{i}.", deler=answers(v, labels, prefix=f"{path}."))
                        for i, v in enumerate(value, start=1)
                    ],
                )
            )
        else:
            out.append(Svar(label=label, verdi=_show(key, value)))
    return out


@dataclass
class Seksjonsvar:
    tittel: str
    svar: list[Svar]


def answers_by_section(innhold: Mapping[str, Any], skjema: Any | None) -> list[Seksjonsvar]:
    """The answers in the order and with the words of the form version the application was written
    with; answers the definition does not know (an older layout) follow under their own heading."""
    if skjema is None:
        return [Seksjonsvar(tittel="", svar=answers(innhold))] if innhold else []
    shown: set[str] = set()
    out: list[Seksjonsvar] = []
    for seksjon in skjema.seksjoner:
        svar: list[Svar] = []
        for sp in seksjon.sporsmal:
            if sp.id not in innhold:
                continue
            shown.add(sp.id)
            value = innhold[sp.id]
            if isinstance(value, Mapping):
                svar.append(Svar(label=sp.etikett, deler=answers(value)))
            elif getattr(sp, "type", "") in ("valg", "ja_nei") and value not in (None, ""):
                svar.append(Svar(label=sp.etikett, verdi=sp.alternativ_tekst(value)))
            else:
                svar.append(Svar(label=sp.etikett, verdi=_show(sp.id, value)))
        if svar:
            out.append(Seksjonsvar(tittel=seksjon.tittel, svar=svar))
    rest = {k: v for k, v in innhold.items() if k not in shown}
    if rest:
        out.append(Seksjonsvar(tittel="Andre opplysninger", svar=answers(rest)))
    return out


def _skjema_for(request: Request, soknad: Any) -> Any | None:
    """The form definition of the application's version, when the service keeps versioned forms."""
    skjemaer = getattr(request.app.state, "skjemaer", None)
    versjon = getattr(soknad, "skjema_versjon", None)
    if skjemaer is None or versjon is None:
        return None
    try:
        return skjemaer.get(versjon)
    except LookupError:
        return None


@router.get("/register/{soknad_id}", name="register_sak")
async def register_sak(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    sak = await register.open_case(uow, p, soknad_id)
    await uow.commit()
    soknad = sak.soknad
    return render(
        request,
        "register_sak.html",
        {
            "s": soknad,
            "seksjoner": answers_by_section(soknad.innhold or {}, _skjema_for(request, soknad)),
            "historikk": sak.historikk,
            "enhet_navn": enhet_navn,
            "flyt_labels": VURDERINGSFLYT_LABELS,
        },
    )
