"""The decision letter: for the case's applicant and co-authors, the leader who anchored it and the
leaders of its unit, the committee and the medical director of the trust. Anyone else is told it does
not exist (404). Every reading is audited."""

from __future__ import annotations

from beslutning import brev as brevinnhold
from beslutning.brev import Brev
from beslutning.store import Sak, Vedtak
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.katalog.katalog import Organisasjon
from shared.platform.observability.logging import mark_sensitive


def may_read(p: Principal, sak: Sak, org: Organisasjon) -> bool:
    """The trust's director and committee; the applicant and the application's co-authors (the soknad
    page shows them the letter link); the leader who anchored it and the leaders of its unit."""
    if sak.hf != p.hf:
        return False
    if p.has(Role.FAGDIREKTOR, Role.KOMITE):
        return True
    snap = sak.snapshot
    if p.user_id == snap.get("soker_id"):
        return True
    # Co-authors travel in the anchoring snapshot once `SoknadForankret` carries them; older
    # snapshots have none.
    if p.has(Role.SOKER) and p.user_id in set(snap.get("medforfattere") or []):
        return True
    if p.has(Role.LEDER) and p.user_id == (snap.get("forankring") or {}).get("leder_id"):
        return True
    enhet = sak.enhet or str(sak.snapshot.get("enhet") or "")
    return p.has(Role.LEDER) and (p.user_id in org.ledere(enhet) or p.enhet == enhet)


@use_case
async def read_letter(uow: UnitOfWork, p: Principal, vedtak_id: str, *, org: Organisasjon) -> Brev:
    vedtak = await uow.session.get(Vedtak, vedtak_id)
    sak = await uow.session.get(Sak, vedtak.sak_id) if vedtak is not None else None
    if vedtak is None or sak is None or not may_read(p, sak, org):
        raise NotFound("Vedtaksbrevet finnes ikke.")
    pasient = sak.snapshot.get("pasient") or {}
    mark_sensitive(pasient.get("navn"), pasient.get("fodselsnummer"))
    erstattet = (
        await uow.session.get(Vedtak, vedtak.erstatter_vedtak_id) if vedtak.erstatter_vedtak_id else None
    )
    uow.audit(
        p, action="les", what="beslutning.vedtaksbrev", case_ref=sak.lopenummer, purpose="Lese vedtaksbrev"
    )
    enhet = sak.enhet or str(sak.snapshot.get("enhet") or "")
    return brevinnhold.build(
        sak={
            "snapshot": sak.snapshot,
            "lopenummer": sak.lopenummer,
            "hf": sak.hf,
            "kategori": sak.kategori,
            "interregional": sak.interregional,
        },
        vedtak=vedtak,
        erstattet=erstattet,
        enhet_navn=org.enhet_navn(enhet),
    )
