"""Errors for people (a Norwegian page) and for programs (application/problem+json, RFC 9457)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from shared.platform.auth.authenticator import ServiceUnavailable
from shared.platform.errors import DomainError, InvalidToken, StaleVersion, Unauthenticated

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

HTTP_TITLES = {
    400: "Ugyldig forespørsel",
    401: "Du må logge inn",
    403: "Du har ikke tilgang",
    404: "Siden finnes ikke",
    405: "Metoden er ikke tillatt her",
    409: "Konflikt",
    413: "Forespørselen er for stor",
    415: "Ukjent innholdstype",
    422: "Ugyldige opplysninger",
    429: "For mange forespørsler",
    500: "Noe gikk galt hos oss",
    503: "Tjenesten er midlertidig utilgjengelig",
}

_MESSAGES = {
    "missing": "Feltet må fylles ut.",
    "string_too_short": "Feltet må fylles ut.",
    "string_too_long": "Teksten er for lang (høyst {max_length} tegn).",
    "string_type": "Må være tekst.",
    "int_parsing": "Må være et heltall.",
    "int_type": "Må være et heltall.",
    "float_parsing": "Må være et tall.",
    "bool_parsing": "Må være ja eller nei.",
    "greater_than_equal": "Må være minst {ge}.",
    "less_than_equal": "Kan ikke være mer enn {le}.",
    "greater_than": "Må være større enn {gt}.",
    "date_parsing": "Må være en gyldig dato (ÅÅÅÅ-MM-DD).",
    "date_from_datetime_parsing": "Må være en gyldig dato (ÅÅÅÅ-MM-DD).",
    "datetime_parsing": "Må være et gyldig tidspunkt.",
    # The decoder's own explanation ("Expecting value") is English: the position is all we keep.
    "json_invalid": "Ugyldig JSON.",
    "model_attributes_type": "Forventet et JSON-objekt.",
    "dict_type": "Forventet et JSON-objekt.",
    "list_type": "Forventet en liste.",
    "extra_forbidden": "Ukjent felt.",
    "uuid_parsing": "Må være en gyldig id.",
    "string_pattern_mismatch": "Har feil format.",
}


# What the frameworks answer on their own (404, 405, a body that cannot be parsed) carries an English
# `detail`; none of ours raises Starlette's HTTPException with a text, so the status decides.
_HTTP_DETAILS = {
    400: "Forespørselen kunne ikke leses. Sjekk innholdet og prøv igjen.",
    401: "Du må logge inn.",
    403: "Du har ikke tilgang til dette.",
    404: "Vi fant ikke siden eller saken. Sjekk adressen, eller gå tilbake til forsiden.",
    405: "Denne handlingen er ikke tillatt på denne adressen.",
    413: "Forespørselen er for stor.",
    415: "Innholdstypen støttes ikke her.",
}


def norwegian_list(values: Sequence[str]) -> str:
    """`a`, `a eller b`, `a, b eller c`."""
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} eller {values[-1]}"


def _expected_values(expected: object) -> list[str]:
    """Pydantic's `expected` ("'a', 'b' or 'c'") as the list of values it names."""
    if isinstance(expected, list | tuple):
        return [str(v) for v in expected]
    text = str(expected)
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
    if quoted:
        return quoted
    return [part.strip() for part in re.split(r",| or ", text) if part.strip()]


def norwegian_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        values = _expected_values(ctx.get("expected", ""))
        return f"Ugyldig verdi. Tillatte verdier: {norwegian_list(values)}."
    if kind == "value_error":
        # Our own validators raise ValueError with a Norwegian sentence.
        return str(ctx.get("error", error.get("msg", "Ugyldig verdi.")))
    template = _MESSAGES.get(kind)
    if template is None:
        return "Ugyldig verdi."
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].strip() or "Ugyldig verdi."


def field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": "body" if e.get("type") == "json_invalid" else field_name(e.get("loc", ())),
            "message": norwegian_message(e),
        }
        for e in exc.errors()
    ]


def wants_html(request: Request) -> bool:
    if "/api/" in request.url.path or request.url.path.endswith((".json", "/metrics")):
        return False
    if request.headers.get("authorization"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or (not accept and request.method == "GET")


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    code: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    title = title or HTTP_TITLES.get(status, "Feil")
    if wants_html(request):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return templates.render(
                request,
                "error.html",
                {
                    "status": status,
                    "title": title,
                    "detail": detail,
                    "errors": (extra or {}).get("errors", []),
                },
                status_code=status,
            )
    body: dict[str, Any] = {
        "type": f"https://soknadsportal.no/problemer/{code or status}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


REALM = "soknadsportal"

# RFC 6750 § 3: error_description is printable ASCII without `"` and `\\`; Norwegian letters are
# written the way Norwegian is written without them.
_ASCII_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa", "«": "'", "»": "'"}
)


def www_authenticate(exc: Unauthenticated) -> str:
    """The challenge of a 401 (RFC 6750 § 3): only `Bearer` when no credentials were sent, and
    `error="invalid_token"` with a description when a token was presented and refused."""
    if not isinstance(exc, InvalidToken):
        return f'Bearer realm="{REALM}"'
    description = exc.message.translate(_ASCII_LETTERS)
    description = "".join(c for c in description if " " <= c <= "~" and c not in '"\\')
    return f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, Unauthenticated) and wants_html(request):
            return RedirectResponse("/", status_code=303)
        extra = dict(exc.extra)
        if exc.field and "errors" not in extra:
            extra["errors"] = [{"field": exc.field, "message": exc.message}]
        response = problem(request, exc.status, exc.message, title=exc.title, code=exc.code, extra=extra)
        if isinstance(exc, Unauthenticated):
            response.headers["WWW-Authenticate"] = www_authenticate(exc)
        return response

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        # A concurrent writer won the race at flush time; the same answer as a stale `versjon`.
        return problem(
            request,
            409,
            "Noen andre har lagret endringer i mellomtiden. Last siden på nytt.",
            title=StaleVersion.title,
            code=StaleVersion.code,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return problem(
                request,
                400,
                "Forespørselen er ikke gyldig JSON.",
                code="ugyldig_json",
                extra={"errors": errors},
            )
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(request, 422, detail, code="valideringsfeil", extra={"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = _HTTP_DETAILS.get(exc.status_code, HTTP_TITLES.get(exc.status_code, "Noe gikk galt."))
        response = problem(request, exc.status_code, detail)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 401 and "www-authenticate" not in response.headers:
            response.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
        return response

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        return problem(request, 503, str(exc) or HTTP_TITLES[503])

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path)
        return problem(
            request, 500, "Det oppstod en uventet feil. Det du har lagret er ikke tapt. Prøv igjen om litt."
        )
