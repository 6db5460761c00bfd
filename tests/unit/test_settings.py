"""Settings come from the environment with a prefix per service; the reference in docs is current."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from scripts.settings_reference import render
from shared.platform.settings import DEMO_SESSION_SECRET, ServiceSettings, secret_weakness
from soknad.settings import SoknadSettings

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_service_prefix_and_list_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SP_SOKNAD_HF", "hbe, ous")
    monkeypatch.setenv("SP_SOKNAD_BUS_RETRY_DELAYS_S", "[0.2, 0.5]")
    monkeypatch.setenv("SP_VURDERING_HF", "UNN")
    settings = SoknadSettings()
    assert settings.hf == ["HBE", "OUS"]
    assert settings.bus_retry_delays_s == (0.2, 0.5)


def test_sqlite_file_per_service_by_default(tmp_path: Path) -> None:
    url = SoknadSettings(data_dir=tmp_path).effective_database_url()
    assert url == f"sqlite+aiosqlite:///{tmp_path / 'soknad.sqlite'}"


RANDOM_SECRET = "G7qv0b-Xk2mPzL9wRtYc4NfHs8JdUeA1"  # as from secrets.token_urlsafe(24)


def test_oidc_mode_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValueError, match="session_secret"):
        ServiceSettings(auth_mode="oidc", oidc_issuer="https://idp.example").check_production_safety()
    with pytest.raises(ValueError, match="oidc_issuer"):
        ServiceSettings(auth_mode="oidc", session_secret=RANDOM_SECRET).check_production_safety()
    ServiceSettings(
        auth_mode="oidc", oidc_issuer="https://idp.example", session_secret=RANDOM_SECRET
    ).check_production_safety()


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (DEMO_SESSION_SECRET, "demo"),
        ("demo-only-but-made-longer-and-longer-still", "demo"),
        ("changethis", "demo or a placeholder"),
        ("Xq9-kort-tilfeldig-Lm2", "shorter than 32"),
        ("s" * 48, "different characters"),
        ("x" * 40, "different characters"),
        ("Passord123" * 4, "repeated"),
        ("Sommer2026!" * 4, "repeated"),
        ("sommer2026sommer2026sommer2026!!", "repeats parts"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "consecutive"),
        ("aaaabbbbccccddddeeeeffffgggghhhh", "runs of one character"),
    ],
)
def test_oidc_mode_refuses_a_short_or_regular_session_secret(secret: str, reason: str) -> None:
    settings = ServiceSettings(auth_mode="oidc", oidc_issuer="https://idp.example", session_secret=secret)

    with pytest.raises(ValueError, match="random session_secret of at least 32") as refused:
        settings.check_production_safety()
    assert reason in str(refused.value)


def test_generated_secrets_are_accepted() -> None:
    # What the documentation tells operators to run; a random value must never be refused.
    for _ in range(2_000):
        assert secret_weakness(secrets.token_urlsafe(32)) is None
        assert secret_weakness(secrets.token_hex(16)) is None


def test_demo_mode_does_not_check_the_secret() -> None:
    ServiceSettings(auth_mode="demo").check_production_safety()


def test_a_weak_metrics_token_is_refused_in_oidc_mode() -> None:
    settings = ServiceSettings(
        auth_mode="oidc",
        oidc_issuer="https://idp.example",
        session_secret=RANDOM_SECRET,
        metrics_token="prometheus",
    )
    with pytest.raises(ValueError, match="metrics_token"):
        settings.check_production_safety()


@pytest.mark.parametrize(
    ("auth_mode", "expose", "token", "docs", "metrics"),
    [
        ("demo", None, "", True, True),
        ("oidc", None, "", False, False),
        ("oidc", True, "", True, True),
        ("demo", False, "", False, False),
        ("demo", None, RANDOM_SECRET, True, False),  # with a token, /metrics needs it
    ],
)
def test_docs_and_metrics_are_open_by_default_only_in_demo_mode(
    auth_mode: str, expose: bool | None, token: str, docs: bool, metrics: bool
) -> None:
    settings = ServiceSettings(
        auth_mode=auth_mode,  # type: ignore[arg-type]
        expose_docs=expose,
        expose_metrics=expose,
        metrics_token=token,
    )
    assert (settings.docs_open(), settings.metrics_open()) == (docs, metrics)


def test_base_url_keeps_only_the_origin() -> None:
    assert ServiceSettings(base_url="https://soknad.hbe.example/").base_url == "https://soknad.hbe.example"
    assert ServiceSettings(base_url="http://127.0.0.1:8000").base_url == "http://127.0.0.1:8000"


def test_configuration_reference_is_current() -> None:
    assert REFERENCE.read_text() == render(), (
        "run: python scripts/settings_reference.py > docs/configuration.md"
    )
