"""Log levels: aio-pika's and aiormq's reconnect attempts are warnings, not errors; the embedded default's
log file takes every line while its console shows warnings and errors only.

The records are logged through the libraries' own logger names with their own format strings and
arguments (aio_pika/robust_connection.py, aio_pika/tools.py, aiormq/connection.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from aiormq.exceptions import AMQPConnectionError, ChannelInvalidStateError, ConnectionChannelError

from shared.platform.observability.logging import configure_logging

CONNECTION = "amqp://hbe:******@127.0.0.1:5672/hbe"


@pytest.fixture
def configured() -> Iterator[None]:
    configure_logging(level="INFO", json=True)
    yield
    configure_logging(level="INFO", json=True)


def emitted(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def reconnect_storm() -> None:
    """What one robust connection logs while its broker restarts, as the libraries log it."""
    aiormq_log = logging.getLogger("aiormq.connection")
    pika_log = logging.getLogger("aio_pika.robust_connection")
    tools_log = logging.getLogger("aio_pika.tools")
    aiormq_log.error(
        'Unexpected connection close from remote "%s", Connection.Close(reply_code=%r, reply_text=%r)',
        CONNECTION,
        320,
        "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'",
    )
    pika_log.info("Connection to %s closed. Reconnecting after %r seconds.", CONNECTION, 5)
    tools_log.error(
        "Callback %r error: %s: %s",
        "<bound method RobustChannel._on_close>",
        "ChannelInvalidStateError",
        ChannelInvalidStateError("No active transport in channel"),
    )
    tools_log.error(
        "Callback %r error: %s: %s",
        "<bound method RobustChannel._on_close>",
        "RuntimeError",
        RuntimeError(f"<Connection: {CONNECTION!r} at 0x7f08fa1e0460> closed"),
    )
    for _ in range(3):
        aiormq_log.error(
            "error when creating transport: %r", ConnectionRefusedError(111, "Connect call failed")
        )
        pika_log.warning(
            'Connection attempt to "%s" failed: %s. Reconnecting after %r seconds.',
            CONNECTION,
            AMQPConnectionError("[Errno 111] Connect call failed"),
            5,
        )
    pika_log.error(
        "Reconnect attempt failed %s due to %s: %s. Retrying after %r seconds.",
        CONNECTION,
        "ConnectionChannelError",
        ConnectionChannelError(504, "CHANNEL_ERROR"),
        5,
    )


def test_a_broker_restart_logs_warnings_not_errors(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reconnect_storm()
    lines = emitted(capsys)
    # Everything but aio-pika's INFO line (the loggers drop INFO), and all of it as warnings.
    assert len(lines) == 10
    assert {line["level"] for line in lines} == {"warning"}


def test_what_is_not_a_reconnect_stays_an_error(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    logging.getLogger("aiormq.connection").error(
        'Unexpected connection close from remote "%s", Connection.Close(reply_code=%r, reply_text=%r)',
        CONNECTION,
        501,
        "FRAME_ERROR",
    )
    logging.getLogger("aiormq.channel").error("Consumer callback failed", exc_info=None)
    logging.getLogger("aio_pika.tools").error(
        "Callback %r error: %s: %s", "<function on_return>", "KeyError", KeyError("x")
    )
    logging.getLogger("aio_pika.tools").error(
        "Callback %r error: %s: %s", "<function on_message>", "RuntimeError", RuntimeError("handler broke")
    )
    logging.getLogger("aio_pika.robust_connection").exception("Failed to execute close callbacks for %s", "c")
    assert [line["level"] for line in emitted(capsys)] == ["error"] * 5


def test_other_handlers_see_the_same_level(configured: None) -> None:
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.levelname)

    handler = Collect()
    logging.getLogger("aiormq").addHandler(handler)
    try:
        logging.getLogger("aiormq.connection").error("error when creating transport: %r", OSError("x"))
    finally:
        logging.getLogger("aiormq").removeHandler(handler)
    assert seen == ["WARNING"]


def test_log_file_takes_every_line_and_the_console_only_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "logg" / "soknadsportalen.log"
    try:
        configure_logging(level="INFO", json=False, file=log_file, console_level="WARNING")
        structlog.get_logger("t").info("request", route="/", status=200)
        logging.getLogger("alembic.runtime.migration").info("Running upgrade -> 0001")
        structlog.get_logger("t").warning("outbox_backlog", rows=3)
        logging.getLogger("t").error("stdlib error")
    finally:
        configure_logging(level="INFO", json=True)
    console = capsys.readouterr().err
    written = log_file.read_text()
    for text in ("request", "Running upgrade", "outbox_backlog", "stdlib error"):
        assert text in written
    assert "request" not in console
    assert "Running upgrade" not in console
    assert "outbox_backlog" in console
    assert "stdlib error" in console
