"""Jinja2 rendering with the shared layout; each service adds its own templates folder first."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from shared.domain.kalender import MANEDSNAVN, OSLO
from shared.domain.trusts import hf_navn
from shared.platform.auth.principal import ROLE_LABELS, Principal, Role
from shared.platform.auth.session import CSRF_FIELD

SHARED_TEMPLATES = Path(__file__).parent / "templates"

MONTHS = MANEDSNAVN

NAV: list[tuple[Role, str, str, str]] = [
    # (role, service, path inside the service, label); a role may have several entries.
    (Role.SOKER, "soknad", "/", "Mine søknader"),
    (Role.LEDER, "soknad", "/forankring", "Til forankring"),
    (Role.KOMITE, "vurdering", "/", "Vurdering"),
    (Role.FAGDIREKTOR, "beslutning", "/", "Beslutning"),
    (Role.CONTROLLER, "beslutning", "/fakturering", "Fakturering"),
    # The national overview holds no personal data; the trust's decision makers use it to decide alike.
    *(
        (role, "oversikt", "/", "Nasjonal oversikt")
        for role in (Role.NASJONAL, Role.KOMITE, Role.FAGDIREKTOR)
    ),
    (Role.ADMIN, "integrasjon", "/registre", "Registre"),
    (Role.ADMIN, "integrasjon", "/webhooks", "Webhooks"),
    (Role.ADMIN, "soknad", "/admin/hjelpetekster", "Hjelpetekster"),
    (Role.PERSONVERN, "soknad", "/personvern", "Tilgangslogg"),
    (Role.ADMIN, "soknad", "/admin/katalog", "Katalog"),
    (Role.ADMIN, "soknad", "/admin/etterregistrering", "Etterregistrering"),
    (Role.ADMIN, "beslutning", "/fraser", "Fraser"),
    *(
        (role, "soknad", path, label)
        for path, label in (("/register", "Register"), ("/statistikk", "Statistikk"))
        # Not the admin nor the controller: they read no application (least privilege).
        for role in (Role.FAGDIREKTOR, Role.KOMITE, Role.LEDER)
    ),
    # Counts and costs, never a case: the controller's cost per unit and period, the admin's overview.
    (Role.CONTROLLER, "soknad", "/statistikk", "Statistikk"),
    (Role.ADMIN, "soknad", "/statistikk", "Statistikk"),
]


def _local(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(OSLO)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    return f"{local.day}. {MONTHS[local.month - 1]} {local.year} kl. {local:%H:%M}"


def format_time(value: datetime | None) -> str:
    return "" if value is None else f"{_local(value):%H:%M}"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def format_size(antall_bytes: int) -> str:
    """«50 MB», «1,5 MB», «300 kB»: decimal units, a decimal comma, at most one decimal."""
    for unit, size in (("MB", 1_000_000), ("kB", 1000)):
        if antall_bytes >= size:
            number = f"{antall_bytes / size:.1f}".removesuffix(".0").replace(".", ",")
            return f"{number} {unit}"
    return f"{antall_bytes} byte"


def format_nok(value: int | None) -> str:
    return "" if value is None else f"{value:,} kr".replace(",", "\u00a0")


class Templates:
    def __init__(self, service_templates: Path | None, *, service: str, links: dict[str, str]):
        loaders = [FileSystemLoader(str(service_templates))] if service_templates else []
        loaders.append(FileSystemLoader(str(SHARED_TEMPLATES)))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            datetime=format_datetime, time=format_time, date=format_date, nok=format_nok, hf_navn=hf_navn
        )
        self.env.globals.update(role_labels=ROLE_LABELS, csrf_field=CSRF_FIELD)
        self.service = service
        self.links = links

    def nav_for(self, principal: Principal | None) -> list[tuple[str, str]]:
        if principal is None:
            return []
        items: list[tuple[str, str]] = []
        for role, service, path, label in NAV:
            href = self.links.get(service, f"/{service}") + path
            # Someone with two roles that share a page gets one link to it.
            if principal.has(role) and all(href != seen for seen, _ in items):
                items.append((href, label))
        return items

    def render(
        self, request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
    ) -> HTMLResponse:
        principal: Principal | None = getattr(request.state, "principal", None)
        org = getattr(request.state, "org", None)
        data = {
            # A unit's name in the person's trust (set with the principal); its code when unknown.
            "enhet_navn": org.enhet_navn if org is not None else str,
            "request": request,
            "principal": principal,
            "csrf_token": getattr(request.state, "csrf_token", ""),
            "service": self.service,
            "links": self.links,
            "nav": self.nav_for(principal),
            "static": lambda path: str(request.url_for("static", path=path)),
            **(context or {}),
        }
        html = self.env.get_template(name).render(data)
        return HTMLResponse(html, status_code=status_code)
