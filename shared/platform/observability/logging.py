"""structlog JSON logging with a correlation id and redaction of personal data."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

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


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Idempotent; configures structlog and routes stdlib logging through the same redaction."""
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
    structlog.configure(
        processors=[*shared_processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(_CurrentStderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared_processors,
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "sqlalchemy.engine", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
