"""structlog JSON logging with a correlation id and redaction of personal data.

Also: the levels of aio-pika's and aiormq's reconnect messages (`BrokerReconnectLevels`), and an optional
log file with a quieter console (the embedded default keeps its console for the banner)."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TextIO

import structlog

CORRELATION_ID: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_SENSITIVE_VALUES: ContextVar[frozenset[str]] = ContextVar("sensitive_values", default=frozenset())

# Any 11-digit run is redacted, valid or not: a mistyped fødselsnummer is still personal data.
_PERSONNUMMER_SHAPE = re.compile(r"(?<![0-9A-Za-z])\d{6}\s?\d{5}(?![0-9A-Za-z])")
SENSITIVE_KEYS = frozenset(
    {
        "fodselsnummer",
        "personnummer",
        "fnr",
        "dnr",
        "pasient_navn",
        "pasientnavn",
        "navn",
        "patient_name",
        "name",
        "fornavn",
        "etternavn",
        "fodselsdato",
        "birth_date",
    }
)
REDACTED = "[SLADDET]"
# Generated ids and routing data never hold personal data; skipping them keeps hex ids intact.
SAFE_KEYS = frozenset({"correlation_id", "event_id", "type", "routing_key", "queue", "consumer", "route"})


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str:
    """The id of the request or event being handled; a fresh one outside any."""
    value = CORRELATION_ID.get()
    if value is None:
        value = new_correlation_id()
        CORRELATION_ID.set(value)
    return value


def bind_correlation_id(value: str | None) -> str:
    value = value or new_correlation_id()
    CORRELATION_ID.set(value)
    structlog.contextvars.bind_contextvars(correlation_id=value)
    return value


def mark_sensitive(*values: str | None) -> None:
    """Register values (e.g. a patient's name) to redact from every log line of this context."""
    extra = {v for v in values if v and len(v) >= 2}
    if extra:
        _SENSITIVE_VALUES.set(_SENSITIVE_VALUES.get() | extra)


def redact_text(text: str, sensitive: Iterable[str] = ()) -> str:
    text = _PERSONNUMMER_SHAPE.sub(REDACTED, text)
    for value in sensitive:
        text = text.replace(value, REDACTED)
    return text


def _redact(value: Any, sensitive: frozenset[str]) -> Any:
    if isinstance(value, str):
        return redact_text(value, sensitive)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 11:
        return REDACTED
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if str(k).lower() in SENSITIVE_KEYS else _redact(v, sensitive))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(v, sensitive) for v in value]
    return value


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    sensitive = _SENSITIVE_VALUES.get()
    for key in list(event_dict):
        if key.lower() in SENSITIVE_KEYS:
            event_dict[key] = REDACTED
        elif key not in SAFE_KEYS:
            event_dict[key] = _redact(event_dict[key], sensitive)
    return event_dict


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is now: test runners swap it, and a closed one must not stick."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


# --- aio-pika's and aiormq's reconnect messages ---------------------------------------------------------
# Alerts read errors. A broker restart made aio-pika and aiormq write 118-171 error lines: every failed
# reconnect attempt of every robust connection is logged at ERROR although it is retried. A reconnect
# attempt is a warning; an error is left for what is given up (our bus logs that, and a first connection
# that fails raises to the caller) and for anything else those libraries report.
_CONNECTION_FORCED = 320  # AMQP reply code of a broker that shuts down or closes a connection on purpose


def _is_connection_failure(value: object) -> bool:
    # aiormq's connection exceptions are ConnectionErrors (so OSErrors); a closed channel's is not, and
    # aiormq's "<Connection: …> closed" for a channel whose connection went first is a RuntimeError.
    if (
        isinstance(value, RuntimeError)
        and str(value).startswith("<Connection")
        and str(value).endswith(" closed")
    ):
        return True
    return isinstance(value, OSError) or type(value).__name__ in {
        "ChannelInvalidStateError",
        "CancelledError",
    }


def _is_reconnect_attempt(record: logging.LogRecord) -> bool:
    message = str(record.msg)
    args = record.args if isinstance(record.args, tuple) else ()
    if record.name == "aio_pika.robust_connection":
        # "Reconnect attempt failed %s due to %s: %s. Retrying after %r seconds."
        return message.startswith("Reconnect attempt failed")
    if record.name == "aiormq.connection":
        if message.startswith("error when creating transport"):
            return True  # the broker does not accept connections (yet); aio-pika retries
        if message.startswith("Unexpected connection close from remote"):
            # (connection, reply_code, reply_text): 320 is a broker going down, not a protocol error.
            return len(args) >= 2 and args[1] == _CONNECTION_FORCED
    if record.name == "aio_pika.tools" and message.startswith("Callback %r error"):
        # A close or reconnect callback that failed because the connection is gone.
        return len(args) >= 3 and _is_connection_failure(args[2])
    return False


class BrokerReconnectLevels(logging.Filter):
    """Logs aio-pika's and aiormq's reconnect attempts, and a broker closing the connection, as warnings.

    A logger filter: installed on the loggers that write these records (`install_broker_log_levels`), it
    changes the record before any handler sees it, so every handler and the level check agree."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and _is_reconnect_attempt(record):
            _set_level(record, logging.WARNING)
        return True


def _set_level(record: logging.LogRecord, level: int) -> None:
    record.levelno = level
    record.levelname = logging.getLevelName(level)


BROKER_LOGGERS = ("aio_pika.robust_connection", "aio_pika.tools", "aiormq.connection")


def install_broker_log_levels() -> None:
    """Idempotent: one `BrokerReconnectLevels` on each logger that writes reconnect messages."""
    for name in BROKER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, BrokerReconnectLevels) for f in logger.filters):
            logger.addFilter(BrokerReconnectLevels())


# --- structlog and stdlib logging -------------------------------------------------------------------------
_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "msg": logging.INFO,
    "log": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "err": logging.ERROR,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "failure": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


class _SplitLogger:
    """structlog's final logger when there is a log file: every line to the file, to the console only
    from `console_level` up."""

    def __init__(self, file: TextIO, console_level: int):
        self._file = file
        self._console_level = console_level

    def _write(self, method: str, message: str) -> None:
        self._file.write(message + "\n")
        self._file.flush()
        if _LEVELS.get(method, logging.INFO) >= self._console_level:
            print(message, file=sys.stderr, flush=True)

    def __getattr__(self, method: str) -> Any:
        if method not in _LEVELS:
            raise AttributeError(method)
        return lambda message: self._write(method, message)


class _SplitLoggerFactory:
    def __init__(self, file: TextIO, console_level: int):
        self._logger = _SplitLogger(file, console_level)

    def __call__(self, *_args: Any) -> _SplitLogger:
        return self._logger


_log_file: TextIO | None = None


def configure_logging(
    *,
    level: str = "INFO",
    json: bool = True,
    file: Path | None = None,
    console_level: str | None = None,
) -> None:
    """Idempotent; configures structlog and routes stdlib logging through the same redaction.

    With `file`, every line from `level` up is appended to it and the console (stderr) shows only lines
    from `console_level` up (default: the same as `level`)."""
    global _log_file
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    if _log_file is not None:
        _log_file.close()
        _log_file = None
    console = logging.getLevelName((console_level or level).upper())
    logger_factory: Any = structlog.PrintLoggerFactory(_CurrentStderr())  # type: ignore[arg-type]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        _log_file = file.open("a", encoding="utf-8")
        logger_factory = _SplitLoggerFactory(_log_file, console)
    structlog.configure(
        processors=[*shared_processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=logger_factory,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        foreign_pre_chain=shared_processors,
    )
    handler = logging.StreamHandler(_CurrentStderr())
    handler.setFormatter(formatter)
    handlers: list[logging.Handler] = [handler]
    if _log_file is not None:
        handler.setLevel(console)
        to_file = logging.StreamHandler(_log_file)
        to_file.setFormatter(formatter)
        handlers.append(to_file)
    root = logging.getLogger()
    root.handlers = handlers
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "sqlalchemy.engine", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_broker_log_levels()
