"""What the pages read, one use case each: the audited read and everything shown beside it, in one
transaction, so a page renders from a result and never from an open unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.platform.auth.principal import Principal, can_edit_soknad
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import Forbidden
from soknad.handlers import register
from soknad.handlers.common import load, read, require_editor, visible_history
from soknad.handlers.fortsettelse import Utloper, utloper_for
from soknad.handlers.hjelpetekster import help_texts
from soknad.handlers.oppfolging import forfaller_for
from soknad.handlers.utkast import Skjemastatus, form_state, local_date
from soknad.handlers.varsler import count_mine
from soknad.samarbeid import Forfall
from soknad.skjema.register import SkjemaRegister
from soknad.store import Historikk, Soknad, endringer, historikk_for
from soknad.store.core import fortsettelser_av, get_soknad
from soknad.store.oppfolging import Oppfolging, oppfolging_for
from soknad.store.tilleggsinfo import TilleggsinfoSporsmal, sporsmal_for


@dataclass(frozen=True)
class Historie:
    """An application's history as `p` may read it: its events, and the field changes between the
    steps (`steps`: when it was sent) that the timeline groups."""

    hendelser: list[Historikk]
    endringer: list[endringer.Endring]
    steps: list[datetime]


async def _historie(uow: UnitOfWork, p: Principal, soknad: Soknad) -> Historie:
    hendelser = visible_history(p, soknad, await historikk_for(uow.session, soknad.id))
    sent = sorted(h.at for h in hendelser if h.hendelse == "sendt")
    return Historie(hendelser, await endringer.for_soknad(uow.session, soknad.id, steps=sent), sent)


@dataclass(frozen=True)
class Saksside:
    """Everything the application's page shows: the form while it can be edited, the case after."""

    soknad: Soknad
    state: Skjemastatus
    hjelp: dict[str, str]
    historie: Historie
    sporsmal: list[TilleggsinfoSporsmal]
    oppfolginger: list[Oppfolging]
    now: datetime
    fortsettelser: list[Soknad] = field(default_factory=list)
    """Applications that continue this one's treatment."""
    fortsettelse_av: Soknad | None = None
    """The application whose treatment this one continues."""


@use_case
async def open_side(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    purpose: str,
    skjemaer: SkjemaRegister,
    allow_synthetic: bool,
) -> Saksside:
    soknad = await read.within(uow, p, soknad_id, purpose=purpose)
    state = form_state(soknad, today=local_date(uow.now), skjemaer=skjemaer, allow_synthetic=allow_synthetic)
    return Saksside(
        soknad=soknad,
        state=state,
        hjelp=await help_texts(uow, hf=soknad.hf, skjema=state.skjema),
        historie=await _historie(uow, p, soknad),
        sporsmal=await sporsmal_for(uow.session, soknad.id),
        oppfolginger=await oppfolging_for(uow.session, soknad.id),
        now=uow.now,
        fortsettelser=await fortsettelser_av(uow.session, soknad.id),
        fortsettelse_av=await get_soknad(uow.session, soknad.fortsettelse_av)
        if soknad.fortsettelse_av
        else None,
    )


@use_case
async def read_for_editor(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, purpose: str, refusal: str
) -> Soknad:
    """An application only its applicant and co-authors may act on (`refusal`: the 403's message)."""
    soknad = await read.within(uow, p, soknad_id, purpose=purpose)
    if not can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere):
        raise Forbidden(refusal)
    return soknad


@use_case
async def load_for_editor(uow: UnitOfWork, p: Principal, soknad_id: str) -> Soknad:
    """An application the caller may edit, without reading its answers (no audit: nothing personal is
    shown), e.g. to search co-authors for it."""
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    return soknad


@dataclass(frozen=True)
class Topplinje:
    """What the header of every page shows: unread notifications, and on the start pages the
    evaluations that are due (`None` elsewhere)."""

    uleste: int
    forfaller: list[Forfall] | None = None
    utloper: list[Utloper] | None = None
    """Granted treatments whose validity ends soon (start pages only)."""


@use_case
async def header(uow: UnitOfWork, p: Principal, *, start_page: bool, varsel_dager: int = 30) -> Topplinje:
    # Due evaluations and ending validities first: noticing one notifies the person, which the unread
    # count then includes.
    forfaller = await forfaller_for(uow, p) if start_page else None
    utloper = await utloper_for(uow, p, varsel_dager=varsel_dager) if start_page else None
    return Topplinje(uleste=await count_mine(uow, p), forfaller=forfaller, utloper=utloper)


# --- the register ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registerside:
    resultat: register.RegisterSide | None
    enheter: list[str] = field(default_factory=list)
    """Units among the applications `p` may see (for the unit filter)."""


@use_case
async def search_register(
    uow: UnitOfWork, p: Principal, filter_: register.RegisterFilter | None, *, enheter: bool = True
) -> Registerside:
    """A page of the register (`filter_` None: the filter was invalid, only the choices are read);
    `enheter`: also the units to choose from (the page's filter)."""
    resultat = await register.search(uow, p, filter_) if filter_ is not None else None
    return Registerside(resultat, await register.enheter_i_register(uow, p) if enheter else [])


@dataclass(frozen=True)
class Registersak:
    soknad: Soknad
    historie: Historie


@use_case
async def open_register_sak(uow: UnitOfWork, p: Principal, soknad_id: str) -> Registersak:
    """One case of the register in full with its history (the opening is audited)."""
    sak = await register.open_case(uow, p, soknad_id)
    return Registersak(sak.soknad, await _historie(uow, p, sak.soknad))
