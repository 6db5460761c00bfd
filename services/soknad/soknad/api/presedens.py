"""Precedent for the draft page: earlier decisions for the drug and indication the applicant chose."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError

from shared.platform.errors import ValidationFailed
from shared.platform.web.deps import org_of
from shared.platform.web.naboer import forwarded_credentials
from shared.platform.web.problems import field_name, norwegian_message
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers.presedens import Presedens, Presedenssok, finn_presedens
from soknad.oppslag import OppslagKlient

router = APIRouter(prefix="/api", tags=["presedens"])


def parse_presedenssok(values: dict[str, str]) -> Presedenssok:
    """422 naming each bad field, as for every other input."""
    try:
        return Presedenssok.model_validate(values)
    except ValidationError as exc:
        errors = [
            {"field": field_name(e["loc"]), "message": norwegian_message(dict(e))} for e in exc.errors()
        ]
        raise ValidationFailed(
            errors[0]["message"], field=errors[0]["field"], extra={"errors": errors}
        ) from exc


def presedenssok(
    virkestoff: Annotated[str, Query(description="Active substance (case-insensitive).")] = "",
    atc: Annotated[str, Query(description="ATC code; matches as well as the substance.")] = "",
    icd10: Annotated[str, Query(description="ICD-10 code; its 3-character category is matched.")] = "",
) -> Presedenssok:
    return parse_presedenssok({"virkestoff": virkestoff, "atc": atc, "icd10": icd10})


async def hent(request: Request, p: CurrentPrincipal, db: Db, sok: Presedenssok) -> Presedens:
    """Shared by this route and the page: look up, then link each local group decision to its page."""
    oppslag: OppslagKlient = request.app.state.oppslag
    presedens = await finn_presedens(
        db, p, sok=sok, oppslag=oppslag, credentials=forwarded_credentials(request), org=org_of(request)
    )
    for g in presedens.lokalt.gruppevedtak:
        g.url = str(request.url_for("gruppevedtak_side", lopenummer=g.lopenummer))
    return presedens


@router.get(
    "/presedens",
    name="presedens",
    summary="Earlier decisions for a substance and indication: this trust's, and the national picture",
)
async def presedens(
    request: Request,
    p: CurrentPrincipal,
    db: Db,
    sok: Annotated[Presedenssok, Depends(presedenssok)],
) -> Presedens:
    return await hent(request, p, db, sok)
