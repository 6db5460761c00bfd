"""What the case page shows after sending: questions to answer, follow-up, delegation choices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request

from shared.domain.kalender import oslo_date
from shared.platform.auth.principal import Principal, Role, can_edit_soknad
from shared.platform.web.deps import katalog_of, org_of
from soknad.behandling import behandling_context
from soknad.handlers.sider import Saksside
from soknad.samarbeid import (
    AVSLUTNINGSARSAK_LABELS,
    BIVIRKNINGSGRAD_LABELS,
    EFFEKT_LABELS,
    INNVILGET,
    evaluation_due,
    gyldighet_tekst,
    parse_evalueringsdato,
    validity_ending,
    ventetid,
)
from soknad.settings import SoknadSettings
from soknad.vedtak import FLYT_LABELS, VILKAR_LABELS, brev_lenker, vedtaksvisning


async def case_context(request: Request, p: Principal, side: Saksside) -> dict[str, Any]:
    soknad, sporsmal, oppfolginger = side.soknad, side.sporsmal, side.oppfolginger
    editor = can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere)
    evalueringsdato = parse_evalueringsdato(soknad.vedtak)
    forfall = evaluation_due(
        soknad_id=soknad.id,
        lopenummer=soknad.lopenummer,
        status=soknad.status,
        utfall=soknad.utfall,
        evalueringsdato=evalueringsdato,
        siste_oppfolging=oslo_date(oppfolginger[0].registrert_at) if oppfolginger else None,
        idag=oslo_date(side.now),
    )
    is_leader = p.has(Role.LEDER) and p.enhet == soknad.enhet
    settings = request.app.state.runtime.settings
    assert isinstance(settings, SoknadSettings)
    vedtak = vedtaksvisning(soknad.vedtak)
    dager_igjen = validity_ending(
        status=soknad.status,
        utfall=soknad.utfall,
        gyldig_til=vedtak.gyldig_til if vedtak else None,
        idag=oslo_date(side.now),
        varsel_dager=settings.fortsettelse_varsel_dager,
    )
    apne_fortsettelser = [f for f in side.fortsettelser if f.status != "trukket"]
    return {
        "vedtak": vedtak,
        **behandling_context(soknad.behandling, soknad.status),
        **brev_lenker(settings.beslutning_side_url, vedtak),
        "flyt_labels": FLYT_LABELS,
        "vilkar_labels": VILKAR_LABELS,
        "fortsettelser": side.fortsettelser,
        "fortsettelse_av": side.fortsettelse_av,
        "kan_soke_fortsettelse": editor and dager_igjen is not None and not apne_fortsettelser,
        "gyldighet_tekst": gyldighet_tekst(dager_igjen) if dager_igjen is not None else "",
        "sporsmal": sporsmal,
        "apne_sporsmal": [s for s in sporsmal if s.svar is None],
        "kan_svare": editor and soknad.status not in ("vedtatt", "trukket"),
        "oppfolginger": oppfolginger,
        "kan_registrere_oppfolging": editor and soknad.status == "vedtatt" and soknad.utfall in INNVILGET,
        "forfall": forfall,
        "evalueringsdato": evalueringsdato,
        "effekt_labels": EFFEKT_LABELS,
        "avslutningsarsak_labels": AVSLUTNINGSARSAK_LABELS,
        "bivirkningsgrad_labels": BIVIRKNINGSGRAD_LABELS,
        "delegering_enheter": [e for e in org_of(request).enheter if e.kode != soknad.enhet]
        if is_leader
        else [],
        "ventet": ventetid(soknad.sendt_at, side.now) if soknad.status == "til_forankring" else "",
        "verdier": {},
        # A refusal's next steps are addressed to the applicant and co-authors, not to a leader reading it.
        "er_soker": editor,
        **await _decided_by(request, soknad.vedtak or {}),
    }


async def _decided_by(request: Request, vedtak: dict[str, Any]) -> dict[str, Any]:
    """Who decided and when: whom a refusal tells the applicant to contact. Decisions stored before
    `fattet_av` was kept have no name; the page then names the role."""
    fattet_at = vedtak.get("fattet_at")
    try:
        at = datetime.fromisoformat(fattet_at) if isinstance(fattet_at, str) else None
    except ValueError:
        at = None
    by = vedtak.get("fattet_av")
    navn = vedtak.get("fattet_av_navn") or (
        await katalog_of(request).navn(by) if isinstance(by, str) and by else ""
    )
    return {"vedtak_fattet_at": at, "vedtak_fattet_av": navn}
