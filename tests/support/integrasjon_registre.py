"""integrasjon with its registries (the shipped FEST and ICD-10 samples) on the in-memory bus, for the
registry service tests: the app fixture, its settings and its import job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from fastapi import FastAPI

from integrasjon.app import create_app
from integrasjon.register.import_jobb import Registre
from integrasjon.settings import IntegrasjonSettings
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import running

MABTHERA = "ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF"
"""MabThera's FEST id in the shipped sample."""


def settings(tmp_path: Path, **kw: object) -> IntegrasjonSettings:
    return IntegrasjonSettings(data_dir=tmp_path, log_json=False, **kw)  # type: ignore[arg-type]


@pytest_asyncio.fixture(name="app")
async def registre_app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The `app` fixture of a test module that imports it."""
    bus = MemoryBus()
    await bus.connect()
    async with running(create_app(settings(tmp_path), bus=bus, national_bus=bus)) as app:
        yield app
    await bus.close()


def registre(app: FastAPI) -> Registre:
    r: Registre = app.state.registre
    return r
