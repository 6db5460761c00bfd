"""The audit log for the trust's privacy officer (`personvern`): every service's read-only endpoint, the
client that asks the other services for theirs, and the Norwegian words a person reads it in.

Every look at the log is itself written to the log (`revisjonslogg.vis`), one row per case looked at,
with why: a check of a case, or a patient's access log."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import httpx
import structlog
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, ValidationError

from shared.platform.auth.principal import ROLE_LABELS, Principal, Role
from shared.platform.db.revisjonslogg import MAX_CASE_REFS, MAX_ROWS, Revisjonsutdrag, rows_for_cases
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import Forbidden, ValidationFailed
from shared.platform.observability.logging import current_correlation_id
from shared.platform.web.deps import CurrentPrincipal, Runtime
from shared.platform.web.params import parse_optional_int

log = structlog.get_logger(__name__)

VIS = "revisjonslogg.vis"
EKSPORT = "revisjonslogg.eksport"


class Formal(StrEnum):
    """Why the log is looked at; written as the look's purpose."""

    SAK = "sak"
    PASIENT = "pasient"
    EKSPORT = "eksport"


FORMAL_TEKST = {
    Formal.SAK: "Personvernkontroll: hvem har lest og endret saken",
    Formal.PASIENT: "Personvernkontroll: pasientens tilgangslogg",
    Formal.EKSPORT: "Pasientens tilgangslogg hentet ut for utlevering til pasienten",
}

TJENESTE_LABELS = {
    "soknad": "Søknad",
    "vurdering": "Vurdering",
    "beslutning": "Beslutning",
    "integrasjon": "Integrasjon",
}

HVA_LABELS = {
    "etterregistrering.import": "Etterregistrerte saken",
    "soknad.opprett": "Opprettet søknaden",
    "soknad.lagre": "Endret søknaden",
    "soknad.vis": "Åpnet søknaden",
    "soknad.medforfatter": "La til medforfatter",
    "soknad.send": "Sendte søknaden",
    "soknad.trekke": "Trakk søknaden",
    "soknad.forankre": "Forankret søknaden",
    "soknad.returnere": "Returnerte søknaden til søkeren",
    "soknad.delegere": "Delegerte forankringen",
    "soknad.tilleggsinfo_svar": "Svarte på spørsmål fra vurderingen",
    "soknad.oppfolging": "Registrerte oppfølging av behandlingen",
    "soknad.register.vis": "Åpnet saken i registeret",
    "gruppevedtak.vis": "Åpnet gruppevedtaket",
    "vurdering.vis": "Åpnet vurderingssaken",
    "vurdering.anbefale": "Ga anbefaling",
    "vurdering.etterspor": "Ba om tilleggsinformasjon",
    "beslutning.vis": "Åpnet vedtakssaken",
    "beslutning.vedta": "Fattet vedtak",
    VIS: "Så i tilgangsloggen",
    EKSPORT: "Hentet ut tilgangsloggen",
}

HANDLING_LABELS = {"les": "Lest", "skriv": "Skrevet"}

_LOPENUMMER = re.compile(r"([A-Z]{2,8})-[0-9]{4}-[0-9]+")


def hva_label(what: str) -> str:
    return HVA_LABELS.get(what, what)


def rolle_label(actor_role: str) -> str:
    """`komite,soker` → «Vurderingskomité, Søker (behandlende lege)»; a system actor keeps its code."""
    labels = []
    for code in actor_role.split(","):
        try:
            labels.append(ROLE_LABELS[Role(code)])
        except ValueError:
            labels.append(code)
    return ", ".join(labels)


class RevisjonsradRead(BaseModel):
    """One row of the audit log as written; it holds no value of any field, only their names."""

    id: int = Field(description="The row's sequence number in this service's log.")
    at: datetime = Field(description="When (UTC).")
    actor_id: str = Field(description="Who: the user id.")
    actor_navn: str | None = Field(description="Who: the name as the user was known when acting.")
    actor_role: str = Field(description="The actor's role codes, comma-separated.")
    case_ref: str | None = Field(description="The case: løpenummer, or the application's id before sending.")
    action: str = Field(description="`les` (read) or `skriv` (write).")
    what: str = Field(description="What was read or done, e.g. `vurdering.vis`.")
    purpose: str = Field(description="Why, in Norwegian, as the service recorded it.")
    felt: list[str] | None = Field(description="For a write: the fields it changed (names, never values).")
    correlation_id: str | None = Field(description="The request that caused it.")


class RevisjonsloggRead(BaseModel):
    tjeneste: str = Field(description="The service whose log this is.")
    rader: list[RevisjonsradRead] = Field(description=f"Oldest first, at most {MAX_ROWS}.")
    neste: int | None = Field(description="Pass as `etter` for the next rows; null when these were the last.")


def require_personvern(p: Principal) -> None:
    p.require(Role.PERSONVERN)


def require_own_cases(p: Principal, case_refs: Iterable[str]) -> None:
    """A løpenummer names its trust: refuse another trust's at once (the rows are filtered by trust too)."""
    for ref in case_refs:
        match = _LOPENUMMER.fullmatch(ref)
        if match and match.group(1) != p.hf:
            raise Forbidden("Saken tilhører et annet helseforetak.")


def record_look(uow: UnitOfWork, p: Principal, case_refs: Iterable[str | None], formal: Formal) -> None:
    """The look is itself audited: one row per case, so each case's log shows who looked at it (None: a
    search that found no case)."""
    what = EKSPORT if formal is Formal.EKSPORT else VIS
    for ref in dict.fromkeys(case_refs):
        uow.audit(p, action="les", what=what, case_ref=ref, purpose=FORMAL_TEKST[formal])


@use_case
async def read_revisjonslogg(
    uow: UnitOfWork,
    p: Principal,
    *,
    case_refs: Sequence[str],
    formal: Formal,
    etter: int | None = None,
    antall: int = MAX_ROWS,
) -> Revisjonsutdrag:
    require_personvern(p)
    require_own_cases(p, case_refs)
    utdrag = await rows_for_cases(uow, hf=p.hf, case_refs=case_refs, etter=etter, antall=antall)
    record_look(uow, p, case_refs, formal)
    return utdrag


def _case_refs(values: list[str]) -> list[str]:
    refs = [v.strip() for v in values if v.strip()]
    if not refs:
        raise ValidationFailed("Oppgi minst én sak (case_ref).", field="case_ref")
    if len(refs) > MAX_CASE_REFS:
        raise ValidationFailed(f"Høyst {MAX_CASE_REFS} saker om gangen.", field="case_ref")
    if any(len(ref) > 100 for ref in refs):
        raise ValidationFailed("En saksreferanse kan ikke være lengre enn 100 tegn.", field="case_ref")
    return refs


def revisjonslogg_router(service: str) -> APIRouter:
    """`GET /api/revisjonslogg`: the trust's privacy officer reads this service's log of some cases."""
    router = APIRouter(prefix="/api", tags=["personvern"])

    @router.get(
        "/revisjonslogg",
        summary="The audit log of some cases (privacy officer of the same trust only; the look is audited)",
    )
    async def revisjonslogg(
        p: CurrentPrincipal,
        runtime: Runtime,
        case_ref: Annotated[
            list[str], Query(description="Løpenummer or application id; repeat for several.")
        ] = [],  # noqa: B006 - FastAPI copies the default
        formal: Annotated[Formal, Query(description="Why: `sak`, `pasient` or `eksport`.")] = Formal.SAK,
        etter: Annotated[str | None, Query(description="The `neste` of the previous answer.")] = None,
        antall: Annotated[str | None, Query(description=f"Rows per answer, at most {MAX_ROWS}.")] = None,
    ) -> RevisjonsloggRead:
        require_personvern(p)
        utdrag = await read_revisjonslogg(
            runtime.db,
            p,
            case_refs=_case_refs(case_ref),
            formal=formal,
            etter=parse_optional_int(etter, field="etter", minimum=0),
            antall=parse_optional_int(antall, field="antall", minimum=1, maximum=MAX_ROWS) or MAX_ROWS,
        )
        return RevisjonsloggRead(
            tjeneste=service,
            rader=[RevisjonsradRead.model_validate(rad, from_attributes=True) for rad in utdrag.rader],
            neste=utdrag.neste,
        )

    return router


@dataclass(frozen=True)
class Fjernlogg:
    """What another service answered: its rows, or that it did not answer."""

    tjeneste: str
    rader: list[RevisjonsradRead]
    tilgjengelig: bool
    avkortet: bool = False


@dataclass
class RevisjonsloggKilde:
    """Another service of the trust, reached over HTTP with the caller's own credentials, so that
    service decides (and audits) what this person may read."""

    tjeneste: str
    client: httpx.AsyncClient
    """Base URL ends with the service prefix, e.g. `http://host:8112/vurdering`."""

    async def hent(
        self, case_refs: Sequence[str], *, formal: Formal, credentials: dict[str, str], maks_sider: int = 5
    ) -> Fjernlogg:
        rader: list[RevisjonsradRead] = []
        etter: int | None = None
        for _ in range(maks_sider):
            params = httpx.QueryParams([("case_ref", ref) for ref in case_refs]).add("formal", formal.value)
            if etter is not None:
                params = params.add("etter", str(etter))
            try:
                response = await self.client.get(
                    "/api/revisjonslogg",
                    params=params,
                    headers={"x-correlation-id": current_correlation_id(), **credentials},
                )
                if response.status_code != 200:
                    log.warning("revisjonslogg_failed", tjeneste=self.tjeneste, status=response.status_code)
                    return Fjernlogg(self.tjeneste, [], tilgjengelig=False)
                side = RevisjonsloggRead.model_validate_json(response.content)
            except (httpx.HTTPError, ValidationError) as exc:
                log.warning("revisjonslogg_unavailable", tjeneste=self.tjeneste, error=type(exc).__name__)
                return Fjernlogg(self.tjeneste, [], tilgjengelig=False)
            rader.extend(side.rader)
            if side.neste is None:
                return Fjernlogg(self.tjeneste, rader, tilgjengelig=True)
            etter = side.neste
        return Fjernlogg(self.tjeneste, rader, tilgjengelig=True, avkortet=True)


async def hent_alle(
    kilder: Sequence[RevisjonsloggKilde],
    case_refs: Sequence[str],
    *,
    formal: Formal,
    credentials: dict[str, str],
) -> list[Fjernlogg]:
    """Ask every service at once; one that is down or slow costs at most its client's timeout."""
    if not case_refs:
        return [Fjernlogg(k.tjeneste, [], tilgjengelig=True) for k in kilder]
    return list(
        await asyncio.gather(*(k.hent(case_refs, formal=formal, credentials=credentials) for k in kilder))
    )
