"""Security edges of every service, in process: the 401 challenge (RFC 6750), the session secret in
OIDC mode, closable `/api/docs` and `/metrics`, links that never come from the `Host` header, and
Norwegian answers where the frameworks would answer in English."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.platform.auth.principal import Principal, Role
from shared.platform.bus.memory import MemoryBus
from shared.platform.settings import DEMO_SESSION_SECRET
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, katalog_of, running
from tests.support.oidc_issuer import TestIssuer
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings

RANDOM_SECRET = secrets.token_urlsafe(32)


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus()
    await bus.connect()
    yield bus
    await bus.close()


def client(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)


def oidc_settings(issuer: TestIssuer, tmp_path: Path, **overrides: Any) -> SoknadSettings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "log_json": False,
        "auth_mode": "oidc",
        "oidc_issuer": issuer.issuer,
        "oidc_audience": issuer.audience,
        "session_secret": RANDOM_SECRET,
    }
    return SoknadSettings(**{**values, **overrides})


# -- the 401 challenge -----------------------------------------------------------------------------


async def test_a_401_without_credentials_challenges_bearer_without_an_error(
    oidc_issuer: TestIssuer, tmp_path: Path, bus: MemoryBus
) -> None:
    async with running(create_soknad(oidc_settings(oidc_issuer, tmp_path), bus=bus)) as app, client(app) as c:
        r = await c.get("/api/soknader")

    assert r.status_code == 401
    # RFC 6750 § 3.1: no error attribute when the request carried no credentials.
    assert r.headers["www-authenticate"] == 'Bearer realm="soknadsportal"'


@pytest.mark.parametrize(
    ("make_token", "described"),
    [
        (lambda issuer: "not.a.token", "ugyldig format"),
        (lambda issuer: issuer.issue("u", roles=["soker"], hf="HBE", expires_in=-600), "utlopt"),
        (
            lambda issuer: issuer.issue("u", roles=["soker"], hf="HBE", extra_claims={"exp": "4102444800"}),
            "ugyldig tidsangivelse i 'exp'",
        ),
    ],
)
async def test_a_refused_token_gets_invalid_token_with_an_ascii_description(
    oidc_issuer: TestIssuer,
    tmp_path: Path,
    bus: MemoryBus,
    make_token: Callable[[TestIssuer], str],
    described: str,
) -> None:
    token = make_token(oidc_issuer)
    async with (
        running(create_soknad(oidc_settings(oidc_issuer, tmp_path), bus=bus)) as app,
        client(app, {"authorization": f"Bearer {token}"}) as c,
    ):
        r = await c.get("/api/soknader")

    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    challenge = r.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="soknadsportal", error="invalid_token", error_description="')
    description = re.search(r'error_description="([^"]*)"', challenge)
    assert description is not None and described in description.group(1)
    # RFC 6750 § 3: %x20-21 / %x23-5B / %x5D-7E only.
    assert all(" " <= ch <= "~" and ch not in '"\\' for ch in description.group(1))


async def test_a_valid_token_is_still_accepted(
    oidc_issuer: TestIssuer, tmp_path: Path, bus: MemoryBus
) -> None:
    token = oidc_issuer.issue("hbe-lege-1", roles=["soker"], hf="HBE", enhet="HBE-NEVRO")
    async with (
        running(create_soknad(oidc_settings(oidc_issuer, tmp_path), bus=bus)) as app,
        client(app, {"authorization": f"Bearer {token}"}) as c,
    ):
        # The trust's directory decides the roles: the admin grants one after the first login.
        assert (await c.get("/api/soknader")).status_code == 403
        admin = Principal("hbe-admin", "Anne Lie", frozenset({Role.ADMIN}), "HBE")
        await katalog_of(app).tildel_rolle(admin, user_id="hbe-lege-1", rolle="soker")
        r = await c.get("/api/soknader")

    assert r.status_code == 200, r.text


async def test_the_jwks_settings_reach_the_validator(
    oidc_issuer: TestIssuer, tmp_path: Path, bus: MemoryBus
) -> None:
    settings = oidc_settings(oidc_issuer, tmp_path, oidc_jwks_cache_s=60, oidc_jwks_refetch_interval_s=0.5)

    validator = create_soknad(settings, bus=bus).state.runtime.auth.oidc

    assert (validator.config.jwks_cache_s, validator.refetch_min_interval_s) == (60, 0.5)


# -- the session secret ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret", [DEMO_SESSION_SECRET, "s" * 48, "kort-men-tilfeldig-Xq9", "Passord123" * 4]
)
async def test_a_service_in_oidc_mode_refuses_to_start_with_a_weak_session_secret(
    oidc_issuer: TestIssuer, tmp_path: Path, bus: MemoryBus, secret: str
) -> None:
    app = create_soknad(oidc_settings(oidc_issuer, tmp_path, session_secret=secret), bus=bus)

    with pytest.raises(ValueError, match="random session_secret of at least 32 characters"):
        async with running(app):
            pass


# -- /api/docs and /metrics ------------------------------------------------------------------------


async def test_docs_and_metrics_are_open_in_the_embedded_default(tmp_path: Path, bus: MemoryBus) -> None:
    async with (
        running(create_soknad(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus)) as app,
        client(app) as c,
    ):
        assert (await c.get("/api/docs")).status_code == 200
        assert (await c.get("/openapi.json")).status_code == 200
        assert (await c.get("/metrics")).status_code == 200


async def test_docs_and_metrics_are_closed_in_oidc_mode_unless_opened(
    oidc_issuer: TestIssuer, tmp_path: Path, bus: MemoryBus
) -> None:
    async with running(create_soknad(oidc_settings(oidc_issuer, tmp_path), bus=bus)) as app, client(app) as c:
        for path in ("/api/docs", "/openapi.json", "/metrics"):
            r = await c.get(path)
            assert r.status_code == 404, path
            assert "Not Found" not in r.text


async def test_docs_can_be_closed_in_the_demo_mode_too(tmp_path: Path, bus: MemoryBus) -> None:
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, expose_docs=False, expose_metrics=False)
    async with running(create_soknad(settings, bus=bus)) as app, client(app) as c:
        assert (await c.get("/api/docs")).status_code == 404
        assert (await c.get("/metrics")).status_code == 404
        assert (await c.get("/health/live")).status_code == 200


async def test_metrics_with_a_token_answer_only_that_token(
    oidc_issuer: TestIssuer, tmp_path: Path, bus: MemoryBus
) -> None:
    token = secrets.token_urlsafe(32)
    settings = oidc_settings(oidc_issuer, tmp_path, metrics_token=token)
    async with running(create_soknad(settings, bus=bus)) as app, client(app) as c:
        missing = await c.get("/metrics")
        wrong = await c.get("/metrics", headers={"authorization": f"Bearer {token[:-1]}x"})
        right = await c.get("/metrics", headers={"authorization": f"Bearer {token}"})

    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="soknadsportal"'
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert right.status_code == 200
    assert "http_requests" in right.text or "# TYPE" in right.text


# -- links are not built from the Host header ------------------------------------------------------

FORGED = {"host": "evil.example", "x-forwarded-host": "evil.example", "accept": "text/html"}


async def test_a_forged_host_header_appears_in_no_link_or_redirect(tmp_path: Path, bus: MemoryBus) -> None:
    async with (
        running(create_soknad(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus)) as app,
        DemoClient(app, "hbe-soker") as soker,
        DemoClient(app, "hbe-leder") as leder,
    ):
        page = await soker.get("/", headers=FORGED)
        redirect = await leder.get("/", headers=FORGED)

    assert page.status_code == 200
    assert 'href="/' in page.text  # the links are there, relative to the site's root
    assert "evil.example" not in page.text
    assert redirect.status_code == 303
    assert redirect.headers["location"].startswith("/")
    assert "evil.example" not in redirect.headers["location"]


async def test_absolute_links_come_from_the_configured_base_url(tmp_path: Path, bus: MemoryBus) -> None:
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, base_url="https://soknad.hbe.example/")
    async with (
        running(create_soknad(settings, bus=bus)) as app,
        DemoClient(app, "hbe-leder") as leder,
        DemoClient(app, "hbe-soker") as soker,
    ):
        redirect = await leder.get("/", headers=FORGED)
        page = await soker.get("/", headers=FORGED)

    assert redirect.headers["location"].startswith("https://soknad.hbe.example/")
    assert "https://soknad.hbe.example/" in page.text
    assert "evil.example" not in page.text


@pytest.mark.parametrize("value", ["ftp://x.example", "https://x.example/sti", "soknad.hbe.example"])
def test_a_base_url_is_an_origin_only(value: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        SoknadSettings(base_url=value)


# -- Norwegian answers -----------------------------------------------------------------------------

# Words of the frameworks' default answers; none of them is a Norwegian word.
ENGLISH = re.compile(
    r"\b(or|field|required|input|should|be|the|error|parsing|body|method|not|allowed|found|expected|"
    r"value|valid|must|string|integer|missing|please|invalid)\b",
    re.IGNORECASE,
)


def texts(answer: httpx.Response) -> str:
    body = answer.json()
    messages = [body.get("title", ""), body.get("detail", "")]
    messages += [e.get("message", "") for e in body.get("errors", [])]
    return " | ".join(messages)


Factory = Callable[[Path, MemoryBus], FastAPI]
SERVICES: dict[str, tuple[Factory, str]] = {
    "soknad": (lambda d, b: create_soknad(SoknadSettings(data_dir=d, log_json=False), bus=b), "hbe-soker"),
    "vurdering": (
        lambda d, b: create_vurdering(VurderingSettings(data_dir=d, log_json=False), bus=b),
        "hbe-komite",
    ),
    "beslutning": (
        lambda d, b: create_beslutning(BeslutningSettings(data_dir=d, log_json=False), bus=b),
        "hbe-fagdirektor",
    ),
    "integrasjon": (
        lambda d, b: create_integrasjon(IntegrasjonSettings(data_dir=d, log_json=False), bus=b),
        "hbe-soker",
    ),
    "oversikt": (
        lambda d, b: create_oversikt(OversiktSettings(data_dir=d, log_json=False), bus=b),
        "hbe-nasjonal",
    ),
}

# A bad enum or literal value per service, and where it goes.
BAD_VALUES: dict[str, list[tuple[str, str, Any]]] = {
    "soknad": [
        ("POST", "/api/soknader", {"type": "tilfeldig", "kategori": "off_label", "enhet": "HBE-NEVRO"}),
        ("POST", "/api/soknader", {"type": "enkeltpasient", "kategori": "x", "enhet": "HBE-NEVRO"}),
    ],
    "vurdering": [
        (
            "POST",
            "/api/saker/ukjent/anbefaling",
            {"anbefaling": "kanskje", "begrunnelse": "x", "kriterier": {}},
        ),
    ],
    "beslutning": [
        ("POST", "/api/saker/ukjent/vedtak", {"utfall": "kanskje", "begrunnelse": "x"}),
    ],
    "integrasjon": [("GET", "/api/legemidler?antall=x", None), ("GET", "/api/diagnoser?antall=0", None)],
    "oversikt": [("GET", "/api/saker?side=x", None)],
}

# What the frameworks answer by themselves, the same on every service.
FRAMEWORK_ANSWERS: list[tuple[str, str, Any]] = [
    ("GET", "/api/finnes-ikke", None),
    ("DELETE", "/health/live", None),
    ("POST", "/api/saker", "{ikke json"),
    ("POST", "/api/soknader", "{ikke json"),
]


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_bad_values_and_framework_answers_are_norwegian(
    service: str, tmp_path: Path, bus: MemoryBus
) -> None:
    factory, user = SERVICES[service]
    async with running(factory(tmp_path, bus)) as app, DemoClient(app, user) as c:
        for method, url, body in [*BAD_VALUES[service], *FRAMEWORK_ANSWERS]:
            headers = {"x-csrf-token": await c.csrf(), "accept": "application/json"}
            if isinstance(body, str):
                headers["content-type"] = "application/json"
                r = await c.request(method, url, content=body, headers=headers)
            else:
                r = await c.request(method, url, json=body, headers=headers)
            assert 400 <= r.status_code < 500, (method, url, r.status_code, r.text)
            said = texts(r)
            assert not ENGLISH.search(said), (method, url, said)


async def test_pages_answer_unknown_addresses_and_methods_in_norwegian(
    tmp_path: Path, bus: MemoryBus
) -> None:
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    async with running(create_soknad(settings, bus=bus)) as app, DemoClient(app, "hbe-soker") as c:
        missing = await c.get("/finnes-ikke", headers={"accept": "text/html"})
        wrong_method = await c.request(
            "DELETE", "/", headers={"accept": "text/html", "x-csrf-token": await c.csrf()}
        )

    assert missing.status_code == 404 and "Vi fant ikke siden" in missing.text
    assert wrong_method.status_code == 405 and "ikke tillatt" in wrong_method.text
    for page in (missing, wrong_method):
        assert "Not Found" not in page.text and "Method Not Allowed" not in page.text


async def test_an_enum_message_lists_the_values_in_norwegian(tmp_path: Path, bus: MemoryBus) -> None:
    async with (
        running(create_soknad(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus)) as app,
        DemoClient(app, "hbe-soker") as c,
    ):
        r = await c.send_json(
            "POST", "/api/soknader", {"type": "enkeltpasient", "kategori": "x", "enhet": "HBE-NEVRO"}
        )

    assert r.status_code == 422
    message = next(e["message"] for e in r.json()["errors"] if e["field"] == "kategori")
    listed = r"Ugyldig verdi\. Tillatte verdier: [a-z_]+(, [a-z_]+)* eller [a-z_]+\."
    assert re.fullmatch(listed, message), message
