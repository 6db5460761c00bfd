"""Build the directory from a service's settings."""

from __future__ import annotations

from shared.platform.auth.session import SESSION_MAX_AGE_S
from shared.platform.clock import Clock
from shared.platform.katalog.katalog import Katalog
from shared.platform.katalog.seed import seed_demo
from shared.platform.settings import ServiceSettings


def create_katalog(settings: ServiceSettings, *, clock: Clock | None = None) -> Katalog:
    seed = settings.katalog_seed_demo
    if seed is None:
        seed = settings.auth_mode == "demo"
    return Katalog(
        settings.effective_katalog_url(),
        clock=clock,
        cache_ttl_s=settings.katalog_cache_ttl_s,
        migrate=settings.migrate_on_start,
        seed=seed_demo if seed else None,
        session_max_age_s=SESSION_MAX_AGE_S,
    )
