"""Service tests: each service (or the embedded default) in-process, on SQLite and the in-process bus.
They need no server and no browser; `make test-fast` runs them with the unit tests."""

from tests.support.webhook_receiver import receiver  # noqa: F401
