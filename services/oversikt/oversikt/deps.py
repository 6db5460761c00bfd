"""FastAPI dependencies of the oversikt service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError

from oversikt.domain import Sokefilter
from oversikt.settings import OversiktSettings
from shared.platform.errors import ValidationFailed
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime
from shared.platform.web.problems import field_name, norwegian_message

__all__ = ["CurrentPrincipal", "Db", "Filter", "Runtime", "Settings", "filter_errors", "parse_filter"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> OversiktSettings:
    settings = runtime.settings
    assert isinstance(settings, OversiktSettings)
    return settings


def filter_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": field_name(e["loc"]), "message": norwegian_message(dict(e))} for e in exc.errors()]


def parse_filter(params: Mapping[str, str]) -> Sokefilter:
    """The filters from a query string; a bad one is a 422 naming the field (in Norwegian)."""
    try:
        return Sokefilter.model_validate({k: params.get(k, "") for k in Sokefilter.model_fields})
    except ValidationError as exc:
        errors = filter_errors(exc)
        raise ValidationFailed(
            errors[0]["message"], field=errors[0]["field"], extra={"errors": errors}
        ) from exc


def lenient_filter(params: Mapping[str, str]) -> tuple[Sokefilter, list[dict[str, str]]]:
    """For a page: the filters that are valid, and the errors of those that are not (shown by the form)."""
    try:
        return parse_filter(params), []
    except ValidationFailed as exc:
        errors: list[dict[str, str]] = exc.extra["errors"]
        bad = {e["field"] for e in errors}
        good = {k: params.get(k, "") for k in Sokefilter.model_fields if k not in bad}
        try:
            return Sokefilter.model_validate(good), errors
        except ValidationError:
            return Sokefilter(), errors


async def get_filter(request: Request) -> Sokefilter:
    return parse_filter(request.query_params)


Settings = Annotated[OversiktSettings, Depends(get_settings)]
Filter = Annotated[Sokefilter, Depends(get_filter)]
