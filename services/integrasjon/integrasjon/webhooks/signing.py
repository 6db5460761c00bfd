"""Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
`<webhook-id>.<webhook-timestamp>.<body>` with the endpoint's `whsec_` secret.

Written here rather than with the `standardwebhooks` package, so that the tests verify our deliveries
with an implementation that is not ours."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, webhook_id=webhook_id, timestamp=timestamp, body=body),
    }
