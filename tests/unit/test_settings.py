"""Settings come from the environment with a prefix per service; the reference in docs is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.settings_reference import render
from shared.platform.settings import ServiceSettings
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


def test_oidc_mode_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValueError, match="session_secret"):
        ServiceSettings(auth_mode="oidc", oidc_issuer="https://idp.example").check_production_safety()
    with pytest.raises(ValueError, match="oidc_issuer"):
        ServiceSettings(auth_mode="oidc", session_secret="x" * 40).check_production_safety()
    ServiceSettings(
        auth_mode="oidc", oidc_issuer="https://idp.example", session_secret="s" * 40
    ).check_production_safety()


def test_configuration_reference_is_current() -> None:
    assert REFERENCE.read_text() == render(), (
        "run: python scripts/settings_reference.py > docs/configuration.md"
    )
