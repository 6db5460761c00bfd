"""FastAPI dependencies of the oversikt service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import ValidationError

from oversikt.domain import Sokefilter
from oversikt.settings import OversiktSettings
from shared.platform.errors import ValidationFailed
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime
from shared.platform.web.problems import field_name, norwegian_message

__all__ = ["CurrentPrincipal", "Db", "Filter", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> OversiktSettings:
    settings = runtime.settings
    assert isinstance(settings, OversiktSettings)
    return settings


async def get_filter(
    hf: Annotated[str, Query(max_length=20, description="Trust code.")] = "",
    kategori: Annotated[str, Query(max_length=30, description="Scheme.")] = "",
    type: Annotated[str, Query(max_length=20, description="`enkeltpasient` or `gruppe`.")] = "",
    status: Annotated[str, Query(max_length=20, description="Case status.")] = "",
    utfall: Annotated[str, Query(max_length=30, description="Decision outcome.")] = "",
    legemiddel: Annotated[str, Query(max_length=100, description="ATC (start), substance or name.")] = "",
    icd10: Annotated[str, Query(max_length=10, description="ICD-10 code or its start.")] = "",
) -> Sokefilter:
    try:
        return Sokefilter(
            hf=hf,
            kategori=kategori,
            type=type,
            status=status,
            utfall=utfall,
            legemiddel=legemiddel,
            icd10=icd10,
        )
    except ValidationError as exc:
        errors = [
            {"field": field_name(e["loc"]), "message": norwegian_message(dict(e))} for e in exc.errors()
        ]
        raise ValidationFailed(
            errors[0]["message"], field=errors[0]["field"], extra={"errors": errors}
        ) from exc


Settings = Annotated[OversiktSettings, Depends(get_settings)]
Filter = Annotated[Sokefilter, Depends(get_filter)]
