"""PKCE S256, state and the pending launch cookie of the EHR launch."""

from __future__ import annotations

import time

from soknad.smart.pkce import (
    PENDING_MAX_AGE_S,
    PendingLaunches,
    code_challenge,
    code_verifier,
    new_state,
    pending_cookie_name,
)


def test_the_challenge_is_rfc_7636s_example() -> None:
    # RFC 7636 Appendix B.
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_verifiers_and_states_are_long_random_and_unreserved() -> None:
    verifiers = {code_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    assert all(43 <= len(v) <= 128 and set(v) <= allowed for v in verifiers)
    assert len({new_state() for _ in range(50)}) == 50


def test_a_pending_launch_round_trips_only_for_its_own_state() -> None:
    store = PendingLaunches("s" * 40)
    pending = store.new(iss="https://ehr.example/fhir", launch="L1", redirect_uri="https://app.example/cb")
    cookie = store.dump(pending)
    assert store.load(pending.state, cookie) == pending
    assert store.load("another-state", cookie) is None
    assert store.load("", cookie) is None
    assert store.load(pending.state, None) is None


def test_a_forged_or_expired_pending_launch_is_refused() -> None:
    store = PendingLaunches("s" * 40)
    pending = store.new(iss="https://ehr.example/fhir", launch="L1", redirect_uri="https://app.example/cb")
    cookie = store.dump(pending)
    assert PendingLaunches("t" * 40).load(pending.state, cookie) is None
    assert store.load(pending.state, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")) is None
    assert store.load(pending.state, cookie, now=time.time() + PENDING_MAX_AGE_S + 5) is None
    assert store.load(pending.state, cookie, now=time.time() + PENDING_MAX_AGE_S - 5) == pending


def test_two_launches_keep_two_cookies() -> None:
    assert pending_cookie_name("state-1") != pending_cookie_name("state-2")
    assert pending_cookie_name("state-1").startswith("sp_smart_")
