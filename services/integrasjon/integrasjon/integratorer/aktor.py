"""Who acts when no person does: the service itself, in the audit log."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Systemaktor:
    """The service itself, as the actor of what it does on its own (a disclosure it makes, an endpoint
    it disables): no person is acting."""

    hf: str
    user_id: str = "integrasjon"
    role: str = "system"
