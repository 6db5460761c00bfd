"""Logs never contain fødselsnummer or patient names."""

from __future__ import annotations

import json

import pytest
import structlog

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.observability.logging import (
    REDACTED,
    bind_correlation_id,
    configure_logging,
    mark_sensitive,
    redact_processor,
)


def test_fodselsnummer_shaped_numbers_are_redacted_anywhere() -> None:
    fnr = synthetic_fodselsnummer(__import__("datetime").date(1985, 3, 15), sex="kvinne")
    event = redact_processor(
        None,
        "info",
        {
            "event": f"saved {fnr}",
            "nested": {"list": [f"x {fnr[:6]} {fnr[6:]} y"]},
            "number": int(fnr),
        },
    )
    assert fnr not in json.dumps(event)
    assert fnr[6:] not in json.dumps(event)
    assert event["number"] == REDACTED


def test_sensitive_keys_and_marked_names_are_redacted() -> None:
    mark_sensitive("Ola Pasientsen")
    event = redact_processor(None, "info", {"event": "opened case of Ola Pasientsen", "pasient_navn": "x"})
    assert "Ola Pasientsen" not in event["event"]
    assert event["pasient_navn"] == REDACTED


def test_correlation_ids_are_not_mangled() -> None:
    cid = "24c95fdddfe140c12345678901d79ba2"
    event = redact_processor(None, "info", {"event": "x", "correlation_id": cid, "other": f"id {cid}"})
    assert event["correlation_id"] == cid
    assert event["other"] == f"id {cid}"


def test_rendered_json_line_carries_correlation_id_and_no_fnr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json=True)
    bind_correlation_id("abc123")
    structlog.get_logger("t").info("lagret", detalj="pasient 15838500002")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["correlation_id"] == "abc123"
    assert "15838500002" not in line
