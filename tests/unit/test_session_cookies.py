"""Signed session and CSRF cookies: what verifies, what expires, and that remembering a verified value
changes neither."""

from __future__ import annotations

import time

import pytest

from shared.platform.auth import session
from shared.platform.auth.session import SESSION_MAX_AGE_S, CookieSigner


def test_a_signed_session_reads_back_and_a_tampered_one_does_not() -> None:
    signer = CookieSigner("hemmelig-testnokkel")
    value = signer.sign_session("hbe-soker")
    assert signer.read_session(value) == "hbe-soker"
    assert signer.read_session(value) == "hbe-soker"  # the second read is from the verified values
    assert signer.read_session(value[:-2] + ("AA" if value[-2:] != "AA" else "BB")) is None
    assert CookieSigner("en-annen-nokkel").read_session(value) is None
    assert signer.read_session("") is None and signer.read_session(None) is None


def test_a_session_expires_after_its_max_age_even_when_it_was_verified_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signer = CookieSigner("hemmelig-testnokkel")
    value = signer.sign_session("hbe-soker")
    assert signer.read_session(value) == "hbe-soker"
    now = time.time()
    monkeypatch.setattr(session.time, "time", lambda: now + SESSION_MAX_AGE_S - 5)
    assert signer.read_session(value) == "hbe-soker"
    monkeypatch.setattr(session.time, "time", lambda: now + SESSION_MAX_AGE_S + 5)
    assert signer.read_session(value) is None


def test_csrf_tokens_verify_and_session_cookies_are_not_csrf_cookies() -> None:
    signer = CookieSigner("hemmelig-testnokkel")
    token, cookie = signer.new_csrf()
    assert signer.read_csrf(cookie) == token
    assert signer.read_csrf(cookie) == token
    # Another salt: a session cookie never passes as a CSRF cookie, even once both are remembered.
    assert signer.read_csrf(signer.sign_session("hbe-soker")) is None
    assert signer.read_session(cookie) is None


def test_the_memory_of_verified_values_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "VERIFIED_CACHE_SIZE", 3)
    signer = CookieSigner("hemmelig-testnokkel")
    values = [signer.sign_session(f"bruker-{i}") for i in range(10)]
    assert [signer.read_session(v) for v in values] == [f"bruker-{i}" for i in range(10)]
    assert len(signer._verified) <= 3
