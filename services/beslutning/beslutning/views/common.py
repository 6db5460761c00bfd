"""What the beslutning pages share: rendering with the labels, readable Norwegian form errors."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from beslutning.domain import (
    ANBEFALING_LABELS,
    FLYT_LABELS,
    KATEGORI_LABELS,
    KRITERIE_LABELS,
    NIVA_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
)
from beslutning.fraser import FELT_LABELS
from shared.platform.errors import DomainError
from shared.platform.web.problems import field_name, norwegian_message

FIELD_MESSAGES = {
    "utfall": "Velg utfall for vedtaket.",
    "begrunnelse": "Skriv en begrunnelse.",
    "flyt": "Velg forenklet eller komplett flyt.",
    "sporsmal": "Skriv spørsmålet til søker.",
    "merknad": "Skriv hvorfor pasienten er klinisk eksepsjonell.",
    "referanse": "Skriv den interregionale komiteens referanse.",
    "vedtaksdato": "Skriv datoen den interregionale komiteen fattet vedtaket (dd.mm.åååå).",
    "tittel": "Skriv en tittel på frasen.",
    "tekst": "Skriv teksten i frasen.",
    "felt": "Velg hvilket felt frasen er for.",
}

DATE_FIELDS = {
    "gyldig_fra",
    "gyldig_til",
    "evalueringsdato",
    "frist",
    "svarfrist",
    "vedtaksdato",
    "gjelder_fra",
    "fra",
    "til",
}


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "anbefaling_labels": ANBEFALING_LABELS,
        "utfall_labels": UTFALL_LABELS,
        "kriterie_labels": KRITERIE_LABELS,
        "niva_labels": NIVA_LABELS,
        "flyt_labels": FLYT_LABELS,
        "frasefelt_labels": FELT_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def form_errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        field = field_name(error["loc"]) or "skjema"
        kind = error["type"]
        if kind == "string_too_long" or kind == "value_error":
            message = norwegian_message(dict(error))
        elif field in DATE_FIELDS:
            message = "Skriv en gyldig dato (dd.mm.åååå)."
        elif field == "antall_kurer":
            message = "Antall kurer må være et helt tall, minst 1."
        else:
            message = FIELD_MESSAGES.get(field) or norwegian_message(dict(error))
        errors.append({"field": field, "message": message})
    return errors


def domain_errors(exc: DomainError) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = exc.extra.get("errors") or [
        {"field": exc.field or "", "message": exc.message}
    ]
    return errors


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: text(form, name) for name in names}
