"""The trust's register: search, filter, sort and page the trust's sent applications; open one case."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true
from sqlalchemy.sql.elements import UnaryExpression

from shared.domain.kalender import OSLO
from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS, UTFALL_LABELS
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.errors import Forbidden, NotFound, ValidationFailed
from shared.platform.observability.logging import mark_sensitive
from shared.platform.web.params import parse_int
from soknad import store
from soknad.domain import STATUS_LABELS, Status
from soknad.etterregistrering.modell import EtterregistrertSak
from soknad.handlers.common import load
from soknad.store import Historikk, Soknad

PAGE_SIZE = 25
MAX_PAGE = 100_000
MAX_TEXT = 100

# Not the admin (configures, reads no clinical content) nor the controller (billing lines of granted
# treatments in beslutning): least privilege.
FULL_ACCESS = (Role.FAGDIREKTOR, Role.KOMITE)
NO_ACCESS_MESSAGE = (
    "Registeret er for fagdirektør, vurderingskomité og ledere. Controllere finner innvilgede behandlinger "
    "under «Fakturering». "
    "Som søker finner du dine egne søknader under «Mine søknader»."
)

SORT_LABELS = {
    "sendt": "Sendt",
    "lopenummer": "Løpenummer",
    "status": "Status",
    "legemiddel": "Legemiddel",
    "enhet": "Enhet",
}
RETNING_LABELS = {
    "synkende": "Synkende (nyeste/høyeste først)",
    "stigende": "Stigende (eldste/laveste først)",
}
# A draft was never sent, so it never appears in the register.
REGISTER_STATUSES = {s.value: STATUS_LABELS[s] for s in Status if s != Status.UTKAST}
FILTER_FIELDS = (
    "lopenummer",
    "status",
    "utfall",
    "kategori",
    "type",
    "legemiddel",
    "icd10",
    "enhet",
    "soker",
    "fra",
    "til",
    "sorter",
    "retning",
    "side",
)

_ICD10_PREFIX = re.compile(r"[A-Z](\d{1,2}(\.\d{0,2})?)?")
_ENHET = re.compile(r"[A-Za-z0-9ÆØÅæøå_.-]{1,40}")
# `<HF code>-<year>-<sequence>` as `soknad.domain.format_lopenummer` writes it, e.g. HBE-2026-000042.
_LOPENUMMER = re.compile(r"[A-Z]{2,6}-[0-9]{4}-[0-9]{6}")
LOPENUMMER_MESSAGE = "Skriv hele løpenummeret: helseforetak, år og seks sifre, for eksempel HBE-2025-000042."


@dataclass(frozen=True)
class RegisterFilter:
    """The search. Text filters are staff-facing (drug, code, unit, applicant): never patient data."""

    lopenummer: str | None = None
    status: str | None = None
    utfall: str | None = None
    kategori: str | None = None
    type: str | None = None
    legemiddel: str | None = None
    icd10: str | None = None
    enhet: str | None = None
    soker: str | None = None
    fra: date | None = None
    til: date | None = None
    sorter: str = "sendt"
    retning: str = "synkende"
    side: int = 1


@dataclass(frozen=True)
class RegisterTreff:
    """One row of the list: only what the register shows, so no patient data is ever loaded for it."""

    id: str
    lopenummer: str | None
    type: str
    kategori: str
    status: str
    utfall: str | None
    legemiddel_navn: str | None
    virkestoff: str | None
    atc: str | None
    icd10_kode: str | None
    icd10_tekst: str | None
    enhet: str
    soker_id: str
    soker_navn: str
    sendt_at: datetime | None
    vedtatt_at: datetime | None
    etterregistrert: bool = False
    """Imported from a file of decisions made before the system existed (post-registration)."""


@dataclass(frozen=True)
class RegisterSide:
    treff: list[RegisterTreff]
    totalt: int
    side: int
    sider: int
    filter: RegisterFilter = field(default_factory=RegisterFilter)


@dataclass(frozen=True)
class RegisterSak:
    soknad: Soknad
    historikk: list[Historikk]


# --- parsing the filters -------------------------------------------------------------------------


def parse_date(value: str, field_name: str, errors: list[dict[str, str]]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(
            {"field": field_name, "message": "Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2026-01-31."}
        )
        return None


def check_period(fra: date | None, til: date | None, errors: list[dict[str, str]]) -> None:
    if fra and til and til < fra:
        errors.append({"field": "til", "message": "Til-datoen kan ikke være før fra-datoen."})


def period_bounds(fra: date, til: date) -> tuple[datetime, datetime]:
    """The period as UTC instants: from the start of `fra` to the end of `til`, both Norwegian days."""
    start = datetime.combine(fra, datetime.min.time(), OSLO).astimezone(UTC)
    end = datetime.combine(til + timedelta(days=1), datetime.min.time(), OSLO).astimezone(UTC)
    return start, end


def parse_lopenummer(raw: str, errors: list[dict[str, str]]) -> str | None:
    """A løpenummer as people copy it from a letter or another trust: trimmed, any case; exact match."""
    value = raw.strip().upper()
    if not value:
        return None
    if len(value) > MAX_TEXT or not _LOPENUMMER.fullmatch(value):
        errors.append({"field": "lopenummer", "message": LOPENUMMER_MESSAGE})
        return None
    return value


def _choice(
    params: Mapping[str, str],
    name: str,
    allowed: Mapping[str, str],
    message: str,
    errors: list[dict[str, str]],
) -> str | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        errors.append({"field": name, "message": message})
        return None
    return value


def _text(params: Mapping[str, str], name: str, errors: list[dict[str, str]]) -> str | None:
    value = params.get(name, "").strip()
    if len(value) > MAX_TEXT:
        errors.append({"field": name, "message": f"Søketeksten er for lang (høyst {MAX_TEXT} tegn)."})
        return None
    return value or None


def parse_filter(params: Mapping[str, str]) -> RegisterFilter:
    """The register's query parameters, checked; raises ValidationFailed listing every bad field."""
    errors: list[dict[str, str]] = []
    lopenummer = parse_lopenummer(params.get("lopenummer", ""), errors)
    status = _choice(params, "status", REGISTER_STATUSES, "Ukjent status. Velg en status fra listen.", errors)
    utfall = _choice(params, "utfall", UTFALL_LABELS, "Ukjent utfall. Velg et utfall fra listen.", errors)
    kategori = _choice(
        params, "kategori", KATEGORI_LABELS, "Ukjent ordning. Velg en ordning fra listen.", errors
    )
    type_ = _choice(
        params, "type", TYPE_LABELS, "Ukjent type. Velg enkeltpasient eller pasientgruppe.", errors
    )
    legemiddel = _text(params, "legemiddel", errors)
    soker = _text(params, "soker", errors)

    icd10 = _text(params, "icd10", errors)
    if icd10:
        icd10 = icd10.upper()
        if len(icd10) > 3 and "." not in icd10:
            icd10 = f"{icd10[:3]}.{icd10[3:]}"
        if not _ICD10_PREFIX.fullmatch(icd10):
            errors.append(
                {
                    "field": "icd10",
                    "message": "Skriv en ICD-10-kode eller begynnelsen av en, "
                    "for eksempel G35, G36.0 eller M3.",
                }
            )
            icd10 = None

    enhet = _text(params, "enhet", errors)
    if enhet and not _ENHET.fullmatch(enhet):
        errors.append({"field": "enhet", "message": "Ukjent enhet. Velg en enhet fra listen."})
        enhet = None

    fra = parse_date(params.get("fra", "").strip(), "fra", errors)
    til = parse_date(params.get("til", "").strip(), "til", errors)
    check_period(fra, til, errors)

    sorter = _choice(
        params, "sorter", SORT_LABELS, "Kan ikke sortere på dette. Velg en kolonne fra listen.", errors
    )
    retning = _choice(params, "retning", RETNING_LABELS, "Retningen må være stigende eller synkende.", errors)

    side = 1
    raw_side = params.get("side", "").strip()
    if raw_side:
        try:
            side = parse_int(raw_side, field="side", minimum=1, maximum=MAX_PAGE)
        except ValidationFailed:
            errors.append(
                {"field": "side", "message": f"Sidetallet må være et heltall fra og med 1 til {MAX_PAGE}."}
            )

    if errors:
        raise ValidationFailed(
            "Søket har ugyldige verdier: " + "; ".join(e["message"] for e in errors),
            field=errors[0]["field"],
            extra={"errors": errors},
        )
    return RegisterFilter(
        lopenummer=lopenummer,
        status=status,
        utfall=utfall,
        kategori=kategori,
        type=type_,
        legemiddel=legemiddel,
        icd10=icd10,
        enhet=enhet,
        soker=soker,
        fra=fra,
        til=til,
        sorter=sorter or "sendt",
        retning=retning or "synkende",
        side=side,
    )


# --- who sees what -------------------------------------------------------------------------------


def require_register_access(p: Principal) -> None:
    if not (p.has(*FULL_ACCESS) or (p.has(Role.LEDER) and p.enhet)):
        raise Forbidden(NO_ACCESS_MESSAGE)


STATISTICS_ACCESS = (*FULL_ACCESS, Role.CONTROLLER, Role.ADMIN)
"""Statistics are counts, shares, costs and times, never a case: the controller reports cost per unit and
period from them, and the trust's admin follows its own process. Neither opens the register."""


def require_statistics_access(p: Principal) -> None:
    if not (p.has(*STATISTICS_ACCESS) or (p.has(Role.LEDER) and p.enhet)):
        raise Forbidden(NO_ACCESS_MESSAGE)


def scope(p: Principal, *, statistics: bool = False) -> ColumnElement[bool]:
    """The applications of the principal's trust the register (or, with `statistics`, the statistics)
    may count or show them: committee and director all sent ones (statistics: also controller and
    admin), a leader those of their unit."""
    trust_wide = STATISTICS_ACCESS if statistics else FULL_ACCESS
    if statistics:
        require_statistics_access(p)
    else:
        require_register_access(p)
    grants: list[ColumnElement[bool]] = []
    if p.has(*trust_wide):
        grants.append(true())
    if p.has(Role.LEDER) and p.enhet:
        grants.append(Soknad.enhet == p.enhet)
    return and_(Soknad.hf == p.hf, Soknad.sendt_at.is_not(None), or_(*grants))


def in_scope(p: Principal, soknad: Soknad) -> bool:
    """`scope` for one loaded application (the case page)."""
    if soknad.hf != p.hf or soknad.sendt_at is None:
        return False
    return p.has(*FULL_ACCESS) or (p.has(Role.LEDER) and bool(p.enhet) and soknad.enhet == p.enhet)


# --- the search ----------------------------------------------------------------------------------


def _conditions(f: RegisterFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.lopenummer:
        where.append(Soknad.lopenummer == f.lopenummer)
    if f.status:
        where.append(Soknad.status == f.status)
    if f.utfall:
        where.append(Soknad.utfall == f.utfall)
    if f.kategori:
        where.append(Soknad.kategori == f.kategori)
    if f.type:
        where.append(Soknad.type == f.type)
    if f.legemiddel:
        # `virkestoff` is stored in lower case; LIKE wildcards typed by the user are escaped.
        text = f.legemiddel.lower()
        where.append(
            or_(
                Soknad.virkestoff.contains(text, autoescape=True),
                Soknad.atc.startswith(f.legemiddel.upper(), autoescape=True),
                func.lower(Soknad.legemiddel_navn).contains(text, autoescape=True),
            )
        )
    if f.icd10:
        where.append(Soknad.icd10_kode.startswith(f.icd10, autoescape=True))
    if f.enhet:
        where.append(Soknad.enhet == f.enhet)
    if f.soker:
        where.append(
            or_(
                Soknad.soker_id == f.soker,
                func.lower(Soknad.soker_navn).contains(f.soker.lower(), autoescape=True),
            )
        )
    if f.fra or f.til:
        start, end = period_bounds(f.fra or date(1900, 1, 1), f.til or date(9998, 12, 31))
        if f.fra:
            where.append(Soknad.sendt_at >= start)
        if f.til:
            where.append(Soknad.sendt_at < end)
    return where


def _order(f: RegisterFilter) -> list[UnaryExpression[Any]]:
    status_order = case({s.value: i for i, s in enumerate(Status)}, value=Soknad.status, else_=len(Status))
    column: Any = {
        "sendt": Soknad.sendt_at,
        "lopenummer": Soknad.lopenummer,
        "status": status_order,
        "legemiddel": func.lower(func.coalesce(Soknad.legemiddel_navn, "")),
        "enhet": Soknad.enhet,
    }[f.sorter]
    descending = f.retning == "synkende"
    # The løpenummer breaks ties, so paging through equal values is stable.
    keys = [column, Soknad.lopenummer] if f.sorter != "lopenummer" else [column]
    return [k.desc() if descending else k.asc() for k in keys]


_LIST_COLUMNS = (
    Soknad.id,
    Soknad.lopenummer,
    Soknad.type,
    Soknad.kategori,
    Soknad.status,
    Soknad.utfall,
    Soknad.legemiddel_navn,
    Soknad.virkestoff,
    Soknad.atc,
    Soknad.icd10_kode,
    Soknad.icd10_tekst,
    Soknad.enhet,
    Soknad.soker_id,
    Soknad.soker_navn,
    Soknad.sendt_at,
    Soknad.vedtatt_at,
    exists().where(EtterregistrertSak.soknad_id == Soknad.id).label("etterregistrert"),
)


async def search(
    uow: UnitOfWork, p: Principal, f: RegisterFilter, *, page_size: int = PAGE_SIZE
) -> RegisterSide:
    where = [scope(p), *_conditions(f)]
    total = int(await uow.session.scalar(select(func.count()).select_from(Soknad).where(*where)) or 0)
    rows = await uow.session.execute(
        select(*_LIST_COLUMNS)
        .where(*where)
        .order_by(*_order(f))
        .limit(page_size)
        .offset((f.side - 1) * page_size)
    )
    treff = [RegisterTreff(**row._asdict()) for row in rows]
    return RegisterSide(
        treff=treff, totalt=total, side=f.side, sider=max(1, math.ceil(total / page_size)), filter=f
    )


async def enheter_i_register(uow: UnitOfWork, p: Principal) -> list[str]:
    """Units that occur among the applications the principal may see (for the unit filter)."""
    rows = await uow.session.scalars(select(Soknad.enhet).where(scope(p)).distinct().order_by(Soknad.enhet))
    return list(rows)


def _patient_values(innhold: Mapping[str, Any], *, in_pasient: bool = False) -> list[str]:
    """The patient's name and number wherever the form version keeps them, to redact from logs."""
    found: list[str] = []
    for key, value in innhold.items():
        if isinstance(value, Mapping):
            found += _patient_values(value, in_pasient=in_pasient or key.startswith("pasient"))
        elif isinstance(value, str) and (
            "fodselsnummer" in key or key == "pasient_navn" or (in_pasient and "navn" in key)
        ):
            found.append(value)
    return found


async def open_case(uow: UnitOfWork, p: Principal, soknad_id: str) -> RegisterSak:
    """The whole application with its history; the opening is written to the audit log."""
    require_register_access(p)
    soknad = await load(uow, soknad_id)
    if not in_scope(p, soknad):
        # The same answer whether the case is missing or not theirs: existence is not revealed.
        raise NotFound("Søknaden finnes ikke, eller du har ikke tilgang til den.")
    mark_sensitive(*_patient_values(soknad.innhold or {}))
    uow.audit(
        p,
        action="les",
        what="soknad.register.vis",
        case_ref=soknad.lopenummer or soknad.id,
        purpose="Register",
    )
    return RegisterSak(soknad=soknad, historikk=await store.historikk_for(uow.session, soknad.id))
