"""`python -m embedded`: run the embedded default; once it listens, print the address and the demo users.

The console stays readable: the log (requests, events, migrations) goes to `<data_dir>/soknadsportalen.log`
and only warnings and errors are also shown on the console, so the banner is the last thing printed
until something goes wrong."""

from __future__ import annotations

import contextlib
import socket

import uvicorn

from embedded.app import create_app
from embedded.settings import EmbeddedSettings
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.principal import ROLE_LABELS
from shared.platform.observability.logging import configure_logging
from shared.platform.web.app import freeze_heap_after_startup

LOG_FILE_NAME = "soknadsportalen.log"


def banner(settings: EmbeddedSettings) -> str:
    url = f"http://{settings.host}:{settings.port}/"
    lines = ["", f"Søknadsportalen kjører på {url}", "", "Demobrukere (velg på forsiden):"]
    roles = list(ROLE_LABELS)
    by_trust_and_role = sorted(
        DEMO_USERS.items(), key=lambda u: (u[1].hf, roles.index(next(iter(u[1].roles))))
    )
    for user_id, p in by_trust_and_role:
        lines.append(f"  {p.hf:4} {ROLE_LABELS[next(iter(p.roles))]:28} {p.name:16} ({user_id})")
    lines += [
        "",
        f"Logg: {settings.data_dir / LOG_FILE_NAME} (advarsler og feil vises også her)",
        f"Data: {settings.data_dir}/ (`make reset` sletter dem; neste start lager nye demodata)",
        f"Ctrl-C stopper. Adressen igjen: {url}",
        "",
    ]
    return "\n".join(lines)


class BannerServer(uvicorn.Server):
    """Prints the banner once the socket listens: after migrations, demo data and start-up logs."""

    def __init__(self, config: uvicorn.Config, text: str):
        super().__init__(config)
        self.text = text

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            print(self.text, flush=True)


def main() -> None:
    settings = EmbeddedSettings()
    app = freeze_heap_after_startup(create_app(settings))
    # After create_app: each service configures logging to the console as it is built.
    configure_logging(
        level=settings.log_level,
        json=settings.log_json,
        file=settings.data_dir / LOG_FILE_NAME,
        console_level="WARNING",
    )
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning")
    # uvicorn shuts down gracefully on Ctrl-C, then raises it again: no traceback after that.
    with contextlib.suppress(KeyboardInterrupt):
        BannerServer(config, banner(settings)).run()


if __name__ == "__main__":
    main()
