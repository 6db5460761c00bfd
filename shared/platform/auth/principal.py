"""Who is asking: roles, the principal, and the relation rules of DESIGN.md."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from shared.platform.errors import Forbidden


class Role(StrEnum):
    SOKER = "soker"
    LEDER = "leder"
    KOMITE = "komite"
    FAGDIREKTOR = "fagdirektor"
    CONTROLLER = "controller"
    NASJONAL = "nasjonal"
    ADMIN = "admin"
    PERSONVERN = "personvern"


ROLE_LABELS = {
    Role.SOKER: "Søker (behandlende lege)",
    Role.LEDER: "Leder (forankring)",
    Role.KOMITE: "Vurderingskomité",
    Role.FAGDIREKTOR: "Fagdirektør",
    Role.CONTROLLER: "Controller (økonomi)",
    Role.NASJONAL: "Nasjonal oversikt",
    Role.ADMIN: "Administrator",
    Role.PERSONVERN: "Personvernombud",
}


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    roles: frozenset[Role]
    hf: str
    enhet: str | None = None
    hpr_number: str | None = None
    via_session: bool = field(default=False, compare=False)

    @property
    def role(self) -> str:
        return ",".join(sorted(self.roles))

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            raise Forbidden("Du har ikke en rolle som gir tilgang til dette.")

    def require_hf(self, hf: str) -> None:
        # A trust never sees another trust's personal data.
        if hf != self.hf:
            raise Forbidden("Saken tilhører et annet helseforetak.")


def can_read_soknad(
    p: Principal,
    *,
    hf: str,
    soker_id: str,
    medforfattere: Iterable[str],
    enhet: str,
    sendt: bool,
) -> bool:
    """Applicant: own and co-authored. Leader: sent to their unit. Committee and director: the trust's
    sent cases. Nobody else reads an application (least privilege): the trust's admin configures and
    reads no clinical content, the controller gets billing lines of granted treatments from beslutning,
    and the national team sees summaries only."""
    if hf != p.hf:
        return False
    if p.has(Role.SOKER) and (soker_id == p.user_id or p.user_id in set(medforfattere)):
        return True
    if not sendt:
        return False
    if p.has(Role.LEDER) and p.enhet == enhet:
        return True
    return p.has(Role.KOMITE, Role.FAGDIREKTOR)


def can_edit_soknad(p: Principal, *, hf: str, soker_id: str, medforfattere: Iterable[str]) -> bool:
    return hf == p.hf and p.has(Role.SOKER) and (soker_id == p.user_id or p.user_id in set(medforfattere))
