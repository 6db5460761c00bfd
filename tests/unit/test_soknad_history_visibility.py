"""Who reads which history line of an application: a delegation comment stays with the leaders of the
unit the application was delegated to."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.platform.auth.principal import Principal, Role
from soknad.handlers.common import visible_history
from soknad.store import Historikk, Soknad

AT = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)
SOKNAD = Soknad(id="s-1", hf="HBE", enhet="HBE-REVMA", soker_id="hbe-soker", medforfattere=[])
LINES = [
    Historikk(
        soknad_id="s-1", at=AT, actor_id="hbe-leder", actor_navn="Per", hendelse=hendelse, detalj=hendelse
    )
    for hendelse in ("sendt", "delegert", "delegert_kommentar")
]


def _sees(p: Principal) -> list[str]:
    return [line.hendelse for line in visible_history(p, SOKNAD, LINES)]


def test_the_leader_of_the_unit_it_was_delegated_to_reads_the_comment() -> None:
    leder = Principal("hbe-leder2", "Eva", frozenset({Role.LEDER}), "HBE", "HBE-REVMA")
    assert _sees(leder) == ["sendt", "delegert", "delegert_kommentar"]


def test_nobody_else_reads_it_not_even_a_leader_of_another_unit_who_sits_on_the_committee() -> None:
    others = [
        Principal("hbe-soker", "Kari", frozenset({Role.SOKER}), "HBE", "HBE-NEVRO"),
        Principal("hbe-komite", "Kim", frozenset({Role.KOMITE}), "HBE"),
        Principal("hbe-x", "Leder og komité", frozenset({Role.LEDER, Role.KOMITE}), "HBE", "HBE-NEVRO"),
        Principal("ous-leder", "Ola", frozenset({Role.LEDER}), "OUS", "HBE-REVMA"),
    ]
    for p in others:
        assert _sees(p) == ["sendt", "delegert"], p.user_id
