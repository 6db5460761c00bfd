"""What the case page shows after sending: questions to answer, follow-up, delegation choices."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from shared.platform.auth.principal import Principal, Role, can_edit_soknad
from shared.platform.web.deps import org_of
from soknad.deps import Uow
from soknad.handlers.oppfolging import list_oppfolging
from soknad.handlers.tilleggsinfo import list_sporsmal
from soknad.samarbeid import (
    EFFEKT_LABELS,
    INNVILGET,
    evaluation_due,
    oslo_date,
    parse_evalueringsdato,
    ventetid,
)
from soknad.store import Soknad


async def case_context(request: Request, p: Principal, uow: Uow, soknad: Soknad) -> dict[str, Any]:
    editor = can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere)
    sporsmal = await list_sporsmal(uow, soknad.id)
    oppfolginger = await list_oppfolging(uow, soknad.id)
    evalueringsdato = parse_evalueringsdato(soknad.vedtak)
    forfall = evaluation_due(
        soknad_id=soknad.id,
        lopenummer=soknad.lopenummer,
        status=soknad.status,
        utfall=soknad.utfall,
        evalueringsdato=evalueringsdato,
        siste_oppfolging=oslo_date(oppfolginger[0].registrert_at) if oppfolginger else None,
        idag=oslo_date(uow.now),
    )
    is_leader = p.has(Role.LEDER) and p.enhet == soknad.enhet
    return {
        "sporsmal": sporsmal,
        "apne_sporsmal": [s for s in sporsmal if s.svar is None],
        "kan_svare": editor and soknad.status not in ("vedtatt", "trukket"),
        "oppfolginger": oppfolginger,
        "kan_registrere_oppfolging": editor and soknad.status == "vedtatt" and soknad.utfall in INNVILGET,
        "forfall": forfall,
        "evalueringsdato": evalueringsdato,
        "effekt_labels": EFFEKT_LABELS,
        "delegering_enheter": [e for e in org_of(request).enheter if e.kode != soknad.enhet]
        if is_leader
        else [],
        "ventet": ventetid(soknad.sendt_at, uow.now) if soknad.status == "til_forankring" else "",
        "verdier": {},
    }
