"""The trust's local statistics: applications per month by scheme and outcome, processing time, units.

Counts per unit are grouped in SQL; month buckets (Norwegian time) and percentiles are computed here,
which keeps the queries identical on SQLite and PostgreSQL and is cheap at a trust's volume."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select

from shared.domain.kalender import OSLO
from shared.domain.labels import KATEGORI_LABELS, UTFALL_LABELS
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import ValidationFailed
from shared.platform.katalog import Organisasjon
from shared.platform.web.templating import MONTHS
from soknad.domain import Status
from soknad.etterregistrering.modell import EtterregistrertSak
from soknad.handlers.register import check_period, parse_date, period_bounds, scope
from soknad.store import Soknad

UNDER_BEHANDLING = "under_behandling"
TRUKKET = "trukket"
# Where an application stands now: decided (one of three outcomes), withdrawn, or still being handled.
RESULTAT_LABELS = {
    **UTFALL_LABELS,
    UNDER_BEHANDLING: "Under behandling",
    TRUKKET: "Trukket",
}
TABELLER = {
    "maned": "Søknader per måned, ordning og utfall",
    "behandlingstid": "Behandlingstid per måned for vedtak",
    "enhet": "Søknader og behandlingstid per enhet",
}
SHORT_MONTHS = ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]


@dataclass(frozen=True)
class Periode:
    fra: date
    til: date


@dataclass(frozen=True)
class Behandlingstid:
    """Days from sent to decided: how many decisions, their median and 90th percentile."""

    antall: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class EnhetStatistikk:
    enhet: str
    navn: str
    per_resultat: dict[str, int]
    totalt: int
    behandlingstid: Behandlingstid


@dataclass(frozen=True)
class Statistikk:
    periode: Periode
    maneder: list[str]
    """Every month of the period as `YYYY-MM`, also those without applications."""
    kube: dict[tuple[str, str, str], int]
    """(month sent, kategori, resultat) -> number of applications."""
    behandlingstid_per_maned: dict[str, Behandlingstid]
    """By the month of the decision."""
    behandlingstid: Behandlingstid
    enheter: list[EnhetStatistikk]
    etterregistrert: int = 0
    """Of the applications sent in the period, those imported by post-registration."""

    def per_kategori(self, maned: str) -> dict[str, int]:
        return {k: sum(self.kube.get((maned, k, r), 0) for r in RESULTAT_LABELS) for k in KATEGORI_LABELS}

    def per_resultat(self, maned: str) -> dict[str, int]:
        return {r: sum(self.kube.get((maned, k, r), 0) for k in KATEGORI_LABELS) for r in RESULTAT_LABELS}

    def totalt(self, maned: str | None = None) -> int:
        return sum(n for (m, _, _), n in self.kube.items() if maned is None or m == maned)


# --- pure rules ----------------------------------------------------------------------------------


def resultat(status: str, utfall: str | None) -> str:
    # A revoked decision was still decided: it counts by what was decided.
    if status in (Status.VEDTATT, Status.OPPHEVET) and utfall:
        return utfall
    if status == Status.TRUKKET:
        return TRUKKET
    return UNDER_BEHANDLING


def month_of(moment: datetime) -> str:
    """The Norwegian calendar month of an instant, `YYYY-MM`."""
    return f"{moment.astimezone(OSLO):%Y-%m}"


def months_between(fra: date, til: date) -> list[str]:
    months, year, month = [], fra.year, fra.month
    while (year, month) <= (til.year, til.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_label(maned: str, *, long: bool = False) -> str:
    year, month = (int(part) for part in maned.split("-"))
    return f"{MONTHS[month - 1]} {year}" if long else f"{SHORT_MONTHS[month - 1]} {year % 100:02d}"


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (Excel's PERCENTILE.INC, numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def days_between(start: datetime, end: datetime) -> float:
    # Post-registered decisions may carry a decision time before the sent time; never negative.
    return max((end - start).total_seconds() / 86_400, 0.0)


def behandlingstid(days: Sequence[float]) -> Behandlingstid:
    return Behandlingstid(antall=len(days), median=percentile(days, 0.5), p90=percentile(days, 0.9))


def default_period(today: date) -> Periode:
    """The last twelve months, this one included."""
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return Periode(fra=date(year, month, 1), til=today)


def parse_period(params: Mapping[str, str], *, today: date) -> Periode:
    errors: list[dict[str, str]] = []
    fra = parse_date(params.get("fra", "").strip(), "fra", errors)
    til = parse_date(params.get("til", "").strip(), "til", errors)
    check_period(fra, til, errors)
    if not errors and fra and til and (til.year - fra.year) * 12 + til.month - fra.month >= 120:
        errors.append({"field": "fra", "message": "Perioden kan være høyst ti år."})
    if errors:
        raise ValidationFailed(
            "Perioden er ugyldig: " + "; ".join(e["message"] for e in errors),
            field=errors[0]["field"],
            extra={"errors": errors},
        )
    default = default_period(today)
    if fra and not til:
        til = max(fra, today)
    if til and not fra:
        fra = default_period(til).fra
    return Periode(fra=fra or default.fra, til=til or default.til)


def parse_tabell(value: str) -> str:
    if value not in TABELLER:
        raise ValidationFailed(
            "Ukjent tabell. Velg maned, behandlingstid eller enhet.",
            field="tabell",
        )
    return value


# --- the use case --------------------------------------------------------------------------------


@use_case
async def compute(uow: UnitOfWork, p: Principal, periode: Periode, *, org: Organisasjon) -> Statistikk:
    visible = scope(p, statistics=True)
    start, end = period_bounds(periode.fra, periode.til)
    sent_in_period = (Soknad.sendt_at >= start, Soknad.sendt_at < end)
    maneder = months_between(periode.fra, periode.til)

    kube: Counter[tuple[str, str, str]] = Counter()
    rows = await uow.session.execute(
        select(Soknad.sendt_at, Soknad.kategori, Soknad.status, Soknad.utfall).where(visible, *sent_in_period)
    )
    for sendt_at, kategori, status, utfall in rows:
        if sendt_at is None:  # excluded by the query; for the type checker
            continue
        kube[(month_of(sendt_at), kategori, resultat(status, utfall))] += 1

    per_enhet: dict[str, Counter[str]] = defaultdict(Counter)
    grouped = await uow.session.execute(
        select(Soknad.enhet, Soknad.status, Soknad.utfall, func.count())
        .where(visible, *sent_in_period)
        .group_by(Soknad.enhet, Soknad.status, Soknad.utfall)
    )
    for enhet, status, utfall, antall in grouped:
        per_enhet[enhet][resultat(status, utfall)] += int(antall)

    # Processing time belongs to the month of the decision, whenever the application was sent.
    days_per_month: dict[str, list[float]] = defaultdict(list)
    days_per_enhet: dict[str, list[float]] = defaultdict(list)
    decided = await uow.session.execute(
        select(Soknad.sendt_at, Soknad.vedtatt_at, Soknad.enhet).where(
            visible, Soknad.vedtatt_at >= start, Soknad.vedtatt_at < end
        )
    )
    all_days: list[float] = []
    for sendt_at, vedtatt_at, enhet in decided:
        if sendt_at is None or vedtatt_at is None:  # excluded by the query; for the type checker
            continue
        days = days_between(sendt_at, vedtatt_at)
        days_per_month[month_of(vedtatt_at)].append(days)
        days_per_enhet[enhet].append(days)
        all_days.append(days)

    enheter = [
        EnhetStatistikk(
            enhet=enhet,
            navn=org.enhet_navn(enhet),
            per_resultat={r: per_enhet[enhet].get(r, 0) for r in RESULTAT_LABELS},
            totalt=sum(per_enhet[enhet].values()),
            behandlingstid=behandlingstid(days_per_enhet.get(enhet, [])),
        )
        for enhet in sorted(set(per_enhet) | set(days_per_enhet), key=org.enhet_navn)
    ]
    etterregistrert = await uow.session.scalar(
        select(func.count())
        .select_from(Soknad)
        .where(visible, *sent_in_period, exists().where(EtterregistrertSak.soknad_id == Soknad.id))
    )
    return Statistikk(
        etterregistrert=int(etterregistrert or 0),
        periode=periode,
        maneder=maneder,
        kube=dict(kube),
        behandlingstid_per_maned={m: behandlingstid(days_per_month.get(m, [])) for m in maneder},
        behandlingstid=behandlingstid(all_days),
        enheter=enheter,
    )


# --- CSV for Norwegian Excel ---------------------------------------------------------------------

BOM = "\ufeff"


def decimal(value: float | None) -> str:
    """One decimal with a decimal comma, as Norwegian Excel reads numbers; empty when there is none."""
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _cell(value: object) -> str:
    text = str(value)
    # A cell starting like a formula would run in Excel (CSV injection); unit codes come from users.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(stat: Statistikk, tabell: str) -> Iterable[list[object]]:
    if tabell == "maned":
        yield ["Måned", "Ordningskode", "Ordning", "Utfallskode", "Utfall", "Antall"]
        for maned in stat.maneder:
            for kategori, kategori_tekst in KATEGORI_LABELS.items():
                for kode, tekst in RESULTAT_LABELS.items():
                    yield [
                        maned,
                        kategori,
                        kategori_tekst,
                        kode,
                        tekst,
                        stat.kube.get((maned, kategori, kode), 0),
                    ]
    elif tabell == "behandlingstid":
        yield ["Måned for vedtak", "Antall vedtak", "Median (dager)", "90-persentil (dager)"]
        for maned in stat.maneder:
            tid = stat.behandlingstid_per_maned[maned]
            yield [maned, tid.antall, decimal(tid.median), decimal(tid.p90)]
    else:
        yield [
            "Enhetskode",
            "Enhet",
            "Sendt i perioden",
            *RESULTAT_LABELS.values(),
            "Antall vedtak i perioden",
            "Median behandlingstid (dager)",
            "90-persentil behandlingstid (dager)",
        ]
        for e in stat.enheter:
            yield [
                e.enhet,
                e.navn,
                e.totalt,
                *(e.per_resultat[r] for r in RESULTAT_LABELS),
                e.behandlingstid.antall,
                decimal(e.behandlingstid.median),
                decimal(e.behandlingstid.p90),
            ]


def to_csv(stat: Statistikk, tabell: str) -> str:
    """UTF-8 text with a BOM (so Excel reads æøå) and `;` between cells (Norwegian Excel's separator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in csv_rows(stat, tabell):
        writer.writerow([_cell(v) for v in row])
    return BOM + buffer.getvalue()
