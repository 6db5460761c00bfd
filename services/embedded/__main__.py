"""`python -m embedded`: run the embedded default and print the address and the demo users."""

from __future__ import annotations

import uvicorn

from embedded.app import create_app
from embedded.settings import EmbeddedSettings
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.principal import ROLE_LABELS
from shared.platform.web.app import freeze_heap_after_startup


def main() -> None:
    settings = EmbeddedSettings()
    url = f"http://{settings.host}:{settings.port}/"
    print(f"\nSøknadsportalen kjører på {url}\n")
    print("Demobrukere (velg på forsiden):")
    for user_id, p in DEMO_USERS.items():
        print(f"  {p.hf:4} {ROLE_LABELS[next(iter(p.roles))]:28} {p.name:16} ({user_id})")
    print(flush=True)
    app = freeze_heap_after_startup(create_app(settings))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
