"""OIDC mode: a person is known from the token (HelseID's subject, HPR number and name); the first
login registers them without roles (a Norwegian 403) until the trust's admin grants one; the roles in
the token count for nothing; a deactivated person is refused."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from starlette.requests import Request

from shared.platform.auth.authenticator import NO_ROLES, Authenticator
from shared.platform.auth.oidc import HPR_NUMBER_CLAIM
from shared.platform.bus.memory import MemoryBus
from shared.platform.errors import Forbidden, InvalidToken
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import katalog_of, running
from tests.support.oidc_issuer import TestIssuer


@pytest_asyncio.fixture
async def app(tmp_path: Path, oidc_issuer: TestIssuer) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(
        data_dir=tmp_path,
        log_json=False,
        hf=["HBE"],
        auth_mode="oidc",
        oidc_issuer=oidc_issuer.issuer,
        oidc_audience=oidc_issuer.audience,
        session_secret=secrets.token_urlsafe(32),
        # The trust's admin (and the rest of the demo people) to start from.
        katalog_seed_demo=True,
    )
    async with running(create_app(settings, bus=bus)) as app:
        yield app
    await bus.close()


def client(app: FastAPI, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={"authorization": f"Bearer {token}"},
    )


async def test_first_login_registers_a_person_without_roles_until_the_admin_grants_one(
    app: FastAPI, oidc_issuer: TestIssuer
) -> None:
    # The token claims every role: only the directory decides.
    token = oidc_issuer.issue(
        "helseid-pairwise-7f3a",
        roles=["soker", "admin"],
        hf="HBE",
        name="Åse Sørli",
        extra_claims={HPR_NUMBER_CLAIM: 7654321},
    )
    async with client(app, token) as ase:
        r = await ase.get("/api/soknader")
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        assert (
            r.json()["detail"]
            == NO_ROLES
            == "Du er registrert, men har ingen roller ennå. Kontakt administrator."
        )
        page = await ase.get("/", headers={"accept": "text/html"})
        assert page.status_code == 403 and "Du er registrert, men har ingen roller ennå." in page.text
        assert (await ase.get("/api/katalog/personer")).status_code == 403

    person = await katalog_of(app).person("helseid-pairwise-7f3a")
    assert person is not None
    assert (person.navn, person.hpr_nummer, person.hf, person.kilde, person.roller) == (
        "Åse Sørli",
        "7654321",
        "HBE",
        "oidc",
        frozenset(),
    )

    admin_token = oidc_issuer.issue("hbe-admin", roles=[], hf="HBE", name="Anne Lie")
    async with client(app, admin_token) as admin:
        listed = (await admin.get("/api/katalog/personer", params={"navn": "sorli"})).json()
        assert [(p["user_id"], p["roller"], p["kilde"]) for p in listed] == [
            ("helseid-pairwise-7f3a", [], "oidc")
        ]
        r = await admin.post("/api/katalog/personer/helseid-pairwise-7f3a/roller", json={"rolle": "soker"})
        assert r.status_code == 201, r.text
        log = (await admin.get("/api/katalog/endringer")).json()
        assert [(e["handling"], e["av_id"]) for e in log[:2]] == [
            ("rolle_tildelt", "hbe-admin"),
            ("person_registrert", "helseid-pairwise-7f3a"),
        ]

    async with client(app, token) as ase:
        assert (await ase.get("/api/soknader")).status_code == 200
        # The token's admin role still counts for nothing.
        assert (await ase.get("/api/katalog/personer")).status_code == 403


async def test_a_deactivated_person_is_refused_even_with_a_valid_token(
    app: FastAPI, oidc_issuer: TestIssuer
) -> None:
    token = oidc_issuer.issue("hbe-soker", roles=["soker"], hf="HBE", name="Kari Nordmann")
    async with client(app, token) as kari:
        assert (await kari.get("/api/soknader")).status_code == 200
    admin_token = oidc_issuer.issue("hbe-admin", roles=[], hf="HBE", name="Anne Lie")
    async with client(app, admin_token) as admin:
        assert (await admin.post("/api/katalog/personer/hbe-soker/deaktivering")).status_code == 200
    async with client(app, token) as kari:
        r = await kari.get("/api/soknader")
        assert r.status_code == 403 and "deaktivert" in r.json()["detail"]


async def test_a_token_of_another_trust_registers_nobody_here(app: FastAPI, oidc_issuer: TestIssuer) -> None:
    token = oidc_issuer.issue("ous-fremmed", roles=["soker"], hf="OUS", name="Fremmed Lege")
    async with client(app, token) as fremmed:
        r = await fremmed.get("/api/soknader")
        assert r.status_code == 403 and "betjener ikke ditt helseforetak" in r.json()["detail"]
    assert await katalog_of(app).person("ous-fremmed") is None


async def test_odd_identity_claims_are_stored_as_they_can_be_or_refused(
    app: FastAPI, oidc_issuer: TestIssuer
) -> None:
    odd_name = "Ola \ud800 " + "Nordmann" * 40
    async with client(app, oidc_issuer.issue("helseid-odd", roles=[], hf="HBE", name=odd_name)) as odd:
        assert (await odd.get("/api/soknader")).status_code == 403  # registered, no roles: never a 500
    person = await katalog_of(app).person("helseid-odd")
    assert person is not None and len(person.navn) == 200 and "\ud800" not in person.navn
    async with client(app, oidc_issuer.issue("x" * 101, roles=[], hf="HBE")) as long_subject:
        r = await long_subject.get("/api/soknader")
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def _request(token: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [(b"authorization", f"Bearer {token}".encode())],
        }
    )


async def test_identity_names_health_personnel_of_another_trust_without_registering_them(
    app: FastAPI, oidc_issuer: TestIssuer
) -> None:
    # An external consultant: HelseID identifies them, this trust's directory does not know them.
    token = oidc_issuer.issue(
        "helseid-ous-konsulent",
        roles=[],
        hf="OUS",
        name="Jonas Bakke",
        extra_claims={HPR_NUMBER_CLAIM: 9155771},
    )
    auth: Authenticator = app.state.auth
    person = await auth.identity(_request(token))
    assert person is not None
    assert (person.user_id, person.name, person.hf, person.hpr_number, person.roles) == (
        "helseid-ous-konsulent",
        "Jonas Bakke",
        "OUS",
        "9155771",
        frozenset(),
    )
    assert await katalog_of(app).person("helseid-ous-konsulent") is None
    # The same token is refused where a role in this trust is needed.
    with pytest.raises(Forbidden):
        await auth.require(_request(token))
    with pytest.raises(InvalidToken):
        await auth.identity(_request(token[:-4] + "AAAA"))
