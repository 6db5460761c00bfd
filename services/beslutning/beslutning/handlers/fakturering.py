"""The controller's view: granted treatments with billing routine, cost estimate, unit and period, and
the cost per unit and month. Nothing clinical: no patient, no reasons, no conditions, no answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from beslutning import store
from beslutning.store import Sak, Vedtak
from shared.domain.kalender import oslo_date
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound, ValidationFailed


@dataclass(frozen=True)
class Faktureringslinje:
    """What billing needs of one granted treatment, and nothing else: no patient, no clinical text.

    The controller sees these lines, never the application (least privilege)."""

    vedtak_id: str
    lopenummer: str
    enhet: str
    legemiddel: str
    virkestoff: str
    atc: str | None
    estimert_kostnad_nok: int | None
    kostnadssted: str
    faktureringsrutine: str | None
    utfall: str
    gyldig_fra: date | None
    gyldig_til: date | None
    vedtatt_at: datetime
    fakturert_at: datetime | None

    @classmethod
    def of(cls, sak: Sak, vedtak: Vedtak) -> Faktureringslinje:
        snap = sak.snapshot
        legemiddel = snap.get("legemiddel") or {}
        kostnad = snap.get("estimert_kostnad_nok")
        return cls(
            vedtak_id=vedtak.id,
            lopenummer=sak.lopenummer,
            enhet=sak.enhet or str(snap.get("enhet") or ""),
            legemiddel=str(legemiddel.get("navn") or ""),
            virkestoff=str(legemiddel.get("virkestoff") or ""),
            atc=legemiddel.get("atc"),
            estimert_kostnad_nok=kostnad if isinstance(kostnad, int) else None,
            kostnadssted=vedtak.kostnadssted or str((snap.get("forankring") or {}).get("kostnadssted") or ""),
            faktureringsrutine=vedtak.faktureringsrutine,
            utfall=vedtak.utfall,
            gyldig_fra=vedtak.gyldig_fra,
            gyldig_til=vedtak.gyldig_til,
            vedtatt_at=vedtak.fattet_at,
            fakturert_at=vedtak.fakturert_at,
        )


@dataclass(frozen=True)
class Kostnadslinje:
    enhet: str
    maned: str
    """YYYY-MM: a calendar month of the treatments' validity."""
    antall: int
    """Granted treatments valid for at least one day of the month."""
    estimert_kostnad_nok: int
    """Their estimated cost in that month (see `KOSTNADSREGEL`)."""


KOSTNADSREGEL = (
    "Den anslåtte årskostnaden for hver innvilgede behandling fordeles likt på dagene i "
    "gyldighetsperioden (årskostnaden delt på 365 per dag) og summeres per kalendermåned. Mangler "
    "vedtaket startdato, regnes perioden fra vedtaksdatoen; mangler det sluttdato, regnes ett år. "
    "Velger du en periode, tas bare dagene i den med."
)
"""How the monthly cost is computed, as the controller's page states it."""

DAGER_PER_AR = 365


@dataclass(frozen=True)
class Fakturering:
    linjer: list[Faktureringslinje]
    kostnader: list[Kostnadslinje]
    enheter: list[str]


def _periode(linje: Faktureringslinje) -> tuple[date, date]:
    start = linje.gyldig_fra or oslo_date(linje.vedtatt_at)
    slutt = linje.gyldig_til or (start + timedelta(days=DAGER_PER_AR - 1))
    return start, slutt


def _maneder(start: date, slutt: date) -> list[tuple[str, int]]:
    """Each calendar month from `start` to `slutt` (inclusive) with the number of days in it."""
    out: list[tuple[str, int]] = []
    dag = start
    while dag <= slutt:
        neste = date(dag.year + (dag.month == 12), dag.month % 12 + 1, 1)
        siste = min(slutt, neste - timedelta(days=1))
        out.append((dag.strftime("%Y-%m"), (siste - dag).days + 1))
        dag = neste
    return out


def kostnad_per_maned(
    linjer: list[Faktureringslinje], *, fra: date | None = None, til: date | None = None
) -> list[Kostnadslinje]:
    """Cost per unit and calendar month: each treatment's yearly estimate spread evenly over the days
    of its validity (`KOSTNADSREGEL`), clipped to `fra`–`til` when given."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for linje in linjer:
        start, slutt = _periode(linje)
        start = max(start, fra) if fra else start
        slutt = min(slutt, til) if til else slutt
        per_dag = (linje.estimert_kostnad_nok or 0) / DAGER_PER_AR
        for maned, dager in _maneder(start, slutt):
            sums[(linje.enhet, maned)][0] += 1
            sums[(linje.enhet, maned)][1] += per_dag * dager
    return [
        Kostnadslinje(enhet=enhet, maned=maned, antall=int(n), estimert_kostnad_nok=round(total))
        for (enhet, maned), (n, total) in sorted(sums.items())
    ]


@use_case
async def list_fakturering(
    uow: UnitOfWork,
    p: Principal,
    *,
    enhet: str | None = None,
    fra: date | None = None,
    til: date | None = None,
) -> Fakturering:
    """Granted decisions of the trust that stand (never a refusal, revoked or withdrawn case);
    `fra`–`til` keeps those whose validity overlaps the period."""
    p.require(Role.CONTROLLER)
    if fra is not None and til is not None and fra > til:
        raise ValidationFailed(
            "«Fra» må være før «til».",
            field="fra",
            extra={"errors": [{"field": "fra", "message": "«Fra» må være før «til»."}]},
        )
    alle = await store.granted_for_hf(uow.session, hf=p.hf)
    enheter = sorted({s.enhet for s, _ in alle if s.enhet})
    rows = await store.granted_for_hf(uow.session, hf=p.hf, enhet=enhet or None, fra=fra, til=til)
    linjer = [Faktureringslinje.of(sak, vedtak) for sak, vedtak in rows]
    return Fakturering(linjer=linjer, kostnader=kostnad_per_maned(linjer, fra=fra, til=til), enheter=enheter)


async def _line(uow: UnitOfWork, p: Principal, vedtak_id: str) -> tuple[Sak, Vedtak]:
    vedtak = await uow.session.get(Vedtak, vedtak_id)
    sak = await uow.session.get(Sak, vedtak.sak_id) if vedtak else None
    if (
        vedtak is None
        or sak is None
        or sak.hf != p.hf
        or vedtak.utfall == "avslatt"
        or vedtak.art == "opphevelse"
    ):
        raise NotFound("Vedtaket finnes ikke.")
    return sak, vedtak


@use_case
async def read_line(uow: UnitOfWork, p: Principal, vedtak_id: str) -> Faktureringslinje:
    """One granted decision as billing sees it (the controller's «link to the decision»)."""
    p.require(Role.CONTROLLER)
    sak, vedtak = await _line(uow, p, vedtak_id)
    return Faktureringslinje.of(sak, vedtak)


@use_case
async def mark_invoiced(
    uow: UnitOfWork, p: Principal, vedtak_id: str, *, fakturert: bool = True
) -> Faktureringslinje:
    p.require(Role.CONTROLLER)
    sak, vedtak = await _line(uow, p, vedtak_id)
    vedtak.fakturert_at = uow.now if fakturert else None
    vedtak.fakturert_av_navn = p.name if fakturert else None
    uow.audit(
        p, action="skriv", what="beslutning.fakturert", case_ref=sak.lopenummer, purpose="Markere fakturert"
    )
    return Faktureringslinje.of(sak, vedtak)
