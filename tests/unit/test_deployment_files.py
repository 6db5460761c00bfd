"""The container deployment (docker-compose.yml, docker/Dockerfile, docker/) is consistent with itself
and with the code: every name, user, database, port and setting it uses exists where it is defined.

No Docker engine is needed: the files are parsed and cross-checked, and the compose environment of every
service is loaded into its real settings class.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from beslutning.settings import BeslutningSettings
from integrasjon.settings import IntegrasjonSettings
from oversikt.settings import OversiktSettings
from shared.events.envelope import Envelope
from shared.platform.settings import ServiceSettings
from soknad.settings import SoknadSettings
from vurdering.settings import VurderingSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
DEFINITIONS = ROOT / "docker" / "rabbitmq" / "definitions.json"
RABBITMQ_CONF = ROOT / "docker" / "rabbitmq" / "rabbitmq.conf"
INIT_SQL = ROOT / "docker" / "postgres" / "init.sql"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "soknad": SoknadSettings,
    "vurdering": VurderingSettings,
    "beslutning": BeslutningSettings,
    "integrasjon": IntegrasjonSettings,
    "oversikt": OversiktSettings,
}
TRUSTS = ("HBE", "OUS")
TRUST_SERVICES = ("soknad", "vurdering", "beslutning", "integrasjon")
NATIONAL_EXCHANGE = "nasjonal.sammendrag"
NATIONAL_VHOST = "nasjonal"
HOST_PORTS = {
    "oversikt": 8100,
    **{f"hbe-{s}": 8111 + i for i, s in enumerate(TRUST_SERVICES)},
    **{f"ous-{s}": 8121 + i for i, s in enumerate(TRUST_SERVICES)},
}
INFRASTRUCTURE = ("postgres", "rabbitmq")
URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


# --- helpers ----------------------------------------------------------------------------------------------
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def definitions() -> dict[str, Any]:
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's `${VAR}` / `${VAR:-default}` / `$$`; without `env` as on a machine with no .env file."""
    env = env or {}

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        return env.get(name) or (default or "")

    return VARIABLE.sub(one, value).replace("$$", "$")


def app_services() -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose()["services"].items() if name not in INFRASTRUCTURE}


def service_of(compose_name: str) -> str:
    """`hbe-soknad` → `soknad`, `oversikt` → `oversikt`."""
    return compose_name.split("-", 1)[1] if "-" in compose_name else compose_name


def trust_of(compose_name: str) -> str | None:
    return compose_name.split("-", 1)[0].upper() if "-" in compose_name else None


def environment(compose_name: str) -> dict[str, str]:
    raw = compose()["services"][compose_name].get("environment", {})
    assert isinstance(raw, dict), f"{compose_name}: write environment as a mapping"
    return {key: interpolate(str(value)) for key, value in raw.items()}


def setting(compose_name: str, field: str) -> str:
    prefix = f"SP_{service_of(compose_name).upper()}_"
    return environment(compose_name)[prefix + field.upper()]


def stages(dockerfile: Path) -> dict[str, list[str]]:
    """Stage name → its lines (the first is its `FROM`); lines before the first `FROM` are left out."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^FROM (\S+) AS (\S+)$", line)
        if match:
            current = found.setdefault(match.group(2), [])
        if current is not None:
            current.append(line)
    return found


def instructions(lines: list[str], keyword: str) -> list[str]:
    """The `keyword` instructions among `lines`, continuation lines joined, comments left out."""
    found: list[str] = []
    current: list[str] | None = None
    for line in lines:
        if current is None:
            if line.startswith(keyword + " "):
                current = []
            else:
                continue
        current.append(line.rstrip("\\").strip())
        if not line.endswith("\\"):
            found.append(" ".join(current))
            current = None
    return found


def clear_service_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("SP_"):
            monkeypatch.delenv(key)


def users_by_name() -> dict[str, dict[str, Any]]:
    return {user["name"]: user for user in definitions()["users"]}


def permission(user: str, vhost: str) -> dict[str, str] | None:
    for entry in definitions()["permissions"]:
        if entry["user"] == user and entry["vhost"] == vhost:
            return entry
    return None


def created_databases() -> dict[str, str]:
    """Database → owner role, from `CREATE DATABASE <name> OWNER <role>;` in init.sql."""
    sql = INIT_SQL.read_text(encoding="utf-8")
    return dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", sql))


def created_roles() -> dict[str, str]:
    """Role → the environment variable its password comes from (via psql's \\getenv)."""
    sql = INIT_SQL.read_text(encoding="utf-8")
    getenv = dict(re.findall(r"\\getenv (\w+) (\w+)", sql))
    return {role: getenv[var] for role, var in re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';", sql)}


def service_dirs() -> list[str]:
    """Every service under services/ (a package with an app.py), not the embedded composition root."""
    return sorted(p.parent.parent.name for p in (ROOT / "services").glob("*/*/app.py"))


# --- the services and their images ------------------------------------------------------------------------
def test_compose_describes_two_trusts_and_the_national_overview() -> None:
    expected = {f"{hf.lower()}-{s}" for hf in TRUSTS for s in TRUST_SERVICES} | {"oversikt"}
    assert set(app_services()) == expected
    assert set(compose()["services"]) == expected | set(INFRASTRUCTURE)
    assert set(service_dirs()) == set(SETTINGS)


def test_one_dockerfile_builds_every_service_from_the_lock() -> None:
    assert not list((ROOT / "services").glob("*/Dockerfile")), "docker/Dockerfile is the only Dockerfile"
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    found = stages(DOCKERFILE)
    assert found["builder"][0] == "FROM ${PYTHON_IMAGE} AS builder"
    assert found["runtime"][0] == "FROM ${PYTHON_IMAGE} AS runtime"
    assert set(found) == {"builder", "runtime", *SETTINGS}
    builder = found["builder"]
    # Dependencies only from the lock (hash-checked), the project itself without its dependencies.
    assert "COPY requirements.lock ./" in builder
    (install,) = [i for i in instructions(builder, "RUN") if "-r requirements.lock" in i]
    assert "--require-hashes" in install
    assert not any("pyproject.toml" in i and "pip install" in i and "--no-deps" not in i for i in builder)
    assert any("pip install --no-deps" in i for i in instructions(builder, "RUN"))
    # The wheel's metadata names LICENSE (license-files in pyproject.toml): the build needs the file.
    assert "COPY pyproject.toml LICENSE ./" in builder
    assert any("verify_install.py" in i for i in instructions(builder, "RUN"))
    runtime = found["runtime"]
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    user = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert user and user[-1].split(":")[0] not in {"root", "0"}
    assert "EXPOSE 8000" in runtime


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_service_has_a_target_with_its_command_and_probe(service: str) -> None:
    lines = stages(DOCKERFILE)[service]
    assert lines[0] == f"FROM runtime AS {service}"
    # Only what differs per service: anything else belongs in the shared stages.
    assert {line.split()[0] for line in lines[1:] if line.strip() and not line.startswith((" ", "#"))} <= {
        "LABEL",
        "HEALTHCHECK",
        "CMD",
    }
    assert not any(line.startswith("USER ") for line in lines), "the runtime stage sets the user"
    (healthcheck,) = instructions(lines, "HEALTHCHECK")
    probe = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert probe[0] == "python"
    assert f"http://127.0.0.1:8000/{service}/health/ready" in probe[-1]
    cmd = json.loads(instructions(lines, "CMD")[-1].removeprefix("CMD "))
    assert cmd == [
        "uvicorn",
        "--factory",
        f"{service}.app:create_standalone_app",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_build_context() -> None:
    patterns = {line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip()}
    for needed in (".venv", ".git", "data", ".env", "**/__pycache__", ".pytest_cache", "tests"):
        assert needed in patterns, needed


@pytest.mark.parametrize("name", sorted(HOST_PORTS))
def test_app_service_build_ports_healthcheck_and_dependencies(name: str) -> None:
    svc = app_services()[name]
    service = service_of(name)
    assert svc["build"] == {"context": ".", "dockerfile": "docker/Dockerfile", "target": service}
    assert service in stages(ROOT / svc["build"]["dockerfile"])
    assert [interpolate(p) for p in svc["ports"]] == [f"127.0.0.1:{HOST_PORTS[name]}:8000"]
    test = svc["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert f"http://127.0.0.1:8000/{service}/health/ready" in test[3]
    for dependency in INFRASTRUCTURE:
        assert svc["depends_on"][dependency] == {"condition": "service_healthy"}


def test_infrastructure_healthchecks_volumes_and_ports() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert "rabbitmq-diagnostics -q ping" in " ".join(services["rabbitmq"]["healthcheck"]["test"])
    assert services["rabbitmq"]["ports"] == ["127.0.0.1:15672:15672"]
    assert "ports" not in services["postgres"]
    volumes = set(compose()["volumes"])
    assert {"postgres-data:/var/lib/postgresql/data", "rabbitmq-data:/var/lib/rabbitmq"} <= {
        v for s in INFRASTRUCTURE for v in services[s]["volumes"]
    }
    assert volumes == {"postgres-data", "rabbitmq-data"}
    for svc in INFRASTRUCTURE:
        for volume in services[svc]["volumes"]:
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), volume


# --- settings: names and values ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HOST_PORTS))
def test_environment_names_are_fields_of_the_settings_class(name: str) -> None:
    service = service_of(name)
    cls = SETTINGS[service]
    prefix = f"SP_{service.upper()}_"
    for key in environment(name):
        assert key.startswith(prefix), f"{name}: {key} lacks the prefix {prefix}"
        assert key[len(prefix) :].lower() in cls.model_fields, (
            f"{name}: {key} is no setting of {cls.__name__}"
        )


@pytest.mark.parametrize("name", sorted(HOST_PORTS))
def test_environment_values_load_into_the_settings_class(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clear_service_environment(monkeypatch)
    env = environment(name)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = SETTINGS[service_of(name)]()
    settings.check_production_safety()
    assert settings.auth_mode == "demo"
    hf = trust_of(name)
    assert settings.hf == ([hf] if hf else list(TRUSTS))
    if hf:
        # The pages link to the same trust's services on their published host ports.
        assert settings.links == {
            **{s: f"http://127.0.0.1:{HOST_PORTS[f'{hf.lower()}-{s}']}/{s}" for s in TRUST_SERVICES},
            "oversikt": f"http://127.0.0.1:{HOST_PORTS['oversikt']}/oversikt",
        }


def test_oidc_needs_only_the_documented_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = {
        **env_example(),
        "AUTH_MODE": "oidc",
        "OIDC_ISSUER": "https://helseid-sts.test.nhn.no",
        "OIDC_AUDIENCE": "soknadsportal",
        "SESSION_SECRET": "G7qv0b-Xk2mPzL9wRtYc4NfHs8JdUeA1nV5",  # random, as the documentation says
    }
    clear_service_environment(monkeypatch)
    for name in HOST_PORTS:
        raw = compose()["services"][name]["environment"]
        for key, value in raw.items():
            monkeypatch.setenv(key, interpolate(str(value), overrides))
        settings = SETTINGS[service_of(name)]()
        assert settings.auth_mode == "oidc"
        assert settings.oidc_issuer == "https://helseid-sts.test.nhn.no"
        settings.check_production_safety()


# --- PostgreSQL -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HOST_PORTS))
def test_database_urls_name_databases_created_by_init_sql(name: str) -> None:
    url = urlsplit(setting(name, "database_url"))
    assert url.scheme == "postgresql+asyncpg"
    assert (url.hostname, url.port) == ("postgres", 5432)
    database = url.path.lstrip("/")
    hf = trust_of(name)
    assert database == (f"{hf.lower()}_{service_of(name)}" if hf else "nasjonal_oversikt")
    owners = created_databases()
    assert database in owners, f"{database} is not created by init.sql"
    assert url.username == owners[database], f"{name} logs in as {url.username}, not the owner"
    # The password in the URL is the one the postgres container gives init.sql for that role.
    password_var = created_roles()[owners[database]]
    postgres_env = environment("postgres")
    assert unquote(url.password or "") == postgres_env[password_var]


@pytest.mark.parametrize("hf", TRUSTS)
def test_a_trusts_services_share_one_directory_database(hf: str) -> None:
    """Sessions, people and roles are the trust's, not one service's: a login at one service's start
    page must be valid at the others (the browser sends the cookie to every port of the host)."""
    urls = {setting(name, "katalog_database_url") for name in HOST_PORTS if trust_of(name) == hf}
    assert len(urls) == 1
    url = urlsplit(urls.pop())
    database = url.path.lstrip("/")
    assert database == f"{hf.lower()}_katalog" and url.username == created_databases()[database]


def test_the_national_overview_keeps_its_directory_in_its_own_database() -> None:
    """Not `katalog.sqlite` in the container's data folder, where the national team's role grants would
    be lost with the container."""
    url = urlsplit(setting("oversikt", "katalog_database_url"))
    database = url.path.lstrip("/")
    assert (url.scheme, url.hostname, database) == ("postgresql+asyncpg", "postgres", "nasjonal_katalog")
    assert url.username == created_databases()[database]


def test_init_sql_creates_one_database_per_service_and_trust() -> None:
    # Per trust: one per service, and the directory all its services share; the national overview's own.
    expected = {f"{hf.lower()}_{s}" for hf in TRUSTS for s in (*TRUST_SERVICES, "katalog")} | {
        "nasjonal_oversikt",
        "nasjonal_katalog",
    }
    assert set(created_databases()) == expected
    sql = INIT_SQL.read_text()
    for database in expected:
        assert re.search(rf"REVOKE ALL ON DATABASE [^;]*\b{database}\b[^;]* FROM PUBLIC;", sql), database


# --- RabbitMQ ---------------------------------------------------------------------------------------------
def test_definitions_vhosts_users_and_placeholders() -> None:
    defs = definitions()
    assert {v["name"] for v in defs["vhosts"]} == {"hbe", "ous", NATIONAL_VHOST}
    users = users_by_name()
    assert set(users) == {"admin", "hbe", "ous", "integrasjon-hbe", "integrasjon-ous", "oversikt"}
    assert [u for u, d in users.items() if "administrator" in d["tags"]] == ["admin"]
    rabbit_env = environment("rabbitmq")
    for user in users.values():
        assert "password_hash" not in user
        placeholder = re.fullmatch(r"\$\{([A-Z0-9_]+)\}", user["password"])
        assert placeholder, f"{user['name']}: the password must be a ${{VARIABLE}} placeholder"
        assert placeholder.group(1) in rabbit_env, f"{placeholder.group(1)} is not passed to rabbitmq"
    # The exchange exists before either side starts, with the arguments oversikt declares it with.
    assert {"name": NATIONAL_EXCHANGE, "vhost": NATIONAL_VHOST, "type": "topic", "durable": True}.items() <= (
        defs["exchanges"][0].items()
    )
    # load_definitions reads the file render-definitions.sh writes next to the mounted template.
    conf = RABBITMQ_CONF.read_text()
    loaded = re.search(r"^load_definitions = (\S+)$", conf, re.M)
    assert loaded
    mounts = {v.split(":")[1]: v.split(":")[0] for v in compose()["services"]["rabbitmq"]["volumes"]}
    assert (
        mounts[str(Path(loaded.group(1)).parent / "definitions.json")] == "./docker/rabbitmq/definitions.json"
    )


def amqp_login(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    assert parts.scheme == "amqp" and (parts.hostname, parts.port) == ("rabbitmq", 5672), url
    return unquote(parts.username or ""), unquote(parts.password or ""), unquote(parts.path.lstrip("/"))


def rabbit_password(user: str) -> str:
    placeholder = users_by_name()[user]["password"][2:-1]
    return environment("rabbitmq")[placeholder]


@pytest.mark.parametrize("name", sorted(HOST_PORTS))
def test_bus_url_logs_in_to_the_right_vhost_with_full_permissions(name: str) -> None:
    user, password, vhost = amqp_login(setting(name, "bus_url"))
    hf = trust_of(name)
    assert (user, vhost) == ((hf.lower(), hf.lower()) if hf else ("oversikt", NATIONAL_VHOST))
    assert password == rabbit_password(user)
    assert permission(user, vhost) == {
        "user": user,
        "vhost": vhost,
        "configure": ".*",
        "write": ".*",
        "read": ".*",
    }


@pytest.mark.parametrize("hf", TRUSTS)
def test_integrasjon_publishes_nationally_as_its_own_restricted_user(hf: str) -> None:
    name = f"{hf.lower()}-integrasjon"
    user, password, vhost = amqp_login(setting(name, "national_bus_url"))
    assert (user, vhost) == (f"integrasjon-{hf.lower()}", NATIONAL_VHOST)
    assert password == rabbit_password(user)
    assert (
        IntegrasjonSettings(national_user_template=setting(name, "national_user_template")).national_user(hf)
        == user
    )
    assert setting(name, "national_exchange") == NATIONAL_EXCHANGE
    assert permission(user, NATIONAL_VHOST) == {
        "user": user,
        "vhost": NATIONAL_VHOST,
        "configure": "^$",
        "write": r"^nasjonal\.sammendrag$",
        "read": "^$",
    }
    assert all(p["vhost"] == NATIONAL_VHOST for p in definitions()["permissions"] if p["user"] == user)
    topics = [t for t in definitions()["topic_permissions"] if t["user"] == user]
    assert topics == [
        {
            "user": user,
            "vhost": NATIONAL_VHOST,
            "exchange": NATIONAL_EXCHANGE,
            "write": rf"^{hf}\.",
            "read": "^$",
        }
    ]
    # What the patterns mean: only this exchange (not the default one), only this trust's routing keys.
    write = re.compile(topics[0]["write"])
    for trust in TRUSTS:
        key = Envelope(
            source=f"/hf/{trust}/integrasjon",
            type="no.soknadsportal.integrasjon.sak_sammendrag.v1",
            hf=trust,
            correlationid="c",
        ).routing_key
        assert bool(write.match(key)) == (trust == hf), key
    granted = permission(user, NATIONAL_VHOST)
    assert granted is not None
    exchanges = re.compile(granted["write"])
    assert exchanges.match(NATIONAL_EXCHANGE)
    assert not exchanges.match("amq.default")


def test_oversikt_expects_each_trusts_integrasjon_user() -> None:
    publishers = json.loads(setting("oversikt", "expected_publishers"))
    assert publishers == {
        hf: amqp_login(setting(f"{hf.lower()}-integrasjon", "national_bus_url"))[0] for hf in TRUSTS
    }
    assert setting("oversikt", "national_exchange") == NATIONAL_EXCHANGE
    assert setting("oversikt", "require_user_id") == "true"


# --- variables and their development defaults -------------------------------------------------------------
def compose_variables() -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in VARIABLE.finditer(_without_comments(COMPOSE.read_text()))]


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_every_compose_variable_has_one_default_and_is_in_env_example() -> None:
    example = env_example()
    defaults: dict[str, set[str | None]] = {}
    for name, default in compose_variables():
        defaults.setdefault(name, set()).add(default)
    for name, seen in defaults.items():
        assert len(seen) == 1, f"{name} has different defaults: {seen}"
        assert name in example, f"{name} is missing from .env.example"
        assert example[name] == (next(iter(seen)) or ""), (
            f"{name}: .env.example and the compose default differ"
        )
    assert set(example) == set(defaults), "a variable in .env.example is not used by docker-compose.yml"


def test_passwords_are_labelled_development_defaults_and_url_safe() -> None:
    example = env_example()
    secrets = {k: v for k, v in example.items() if k.endswith("_PASSWORD") or k == "SESSION_SECRET"}
    assert len(secrets) == 11
    for name, value in secrets.items():
        assert value.startswith(("dev-only-", "demo-only-")), f"{name} is not labelled as a development value"
        assert URL_SAFE.match(value), name
