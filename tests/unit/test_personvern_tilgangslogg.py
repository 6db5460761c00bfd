"""How the merged access log reads: autosaves folded into one line on the page, every row in the CSV,
field names as the form labels them, and nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from soknad.handlers.personvern import Linje, Sak, Tilgangslogg
from soknad.skjema.register import SkjemaRegister
from soknad.views.personvern import sammenfatt, tilgangslogg_csv

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SAK = Sak(
    soknad_id="7f0c", lopenummer="HBE-2026-000007", status="vedtatt", skjema_versjon=1, legemiddel_navn=None
)


def linje(minutes: float, *, what: str = "soknad.lagre", felt: list[str] | None = None, **kw: str) -> Linje:
    return Linje(
        at=T0 + timedelta(minutes=minutes),
        tjeneste=kw.get("tjeneste", "soknad"),
        actor_id=kw.get("actor_id", "hbe-soker"),
        actor_navn=kw.get("actor_navn", "Kari Nordmann"),
        actor_role=kw.get("actor_role", "soker"),
        action="skriv" if what == "soknad.lagre" else "les",
        what=what,
        purpose="Skrive søknad",
        felt=felt or [],
        sak=SAK,
        case_ref=SAK.soknad_id,
    )


def logg(*linjer: Linje) -> Tilgangslogg:
    return Tilgangslogg(saker=[SAK], linjer=list(linjer), utilgjengelige=[], avkortet=[])


def test_saves_close_in_time_by_one_person_are_one_line_naming_every_field() -> None:
    lines = sammenfatt(
        logg(
            linje(0, felt=["dose"]),
            linje(2, felt=["dose", "begrunnelse"]),
            linje(14, felt=["pasient_navn"]),
            linje(16, felt=["dose"]),  # past the window from the first: a new line
            linje(17, what="vurdering.vis", tjeneste="vurdering", actor_id="hbe-komite", actor_role="komite"),
        ),
        SkjemaRegister.load(),
    )
    assert [(line.antall, line.hva) for line in lines] == [
        (3, "Endret søknaden"),
        (1, "Endret søknaden"),
        (1, "Åpnet vurderingssaken"),
    ]
    first = lines[0]
    assert first.fra == T0 and first.til == T0 + timedelta(minutes=14)
    assert first.felt_tekst == "Dose, Samlet klinisk begrunnelse, Pasientens navn"
    assert first.handling == "Skrevet" and first.rolle == "Søker (behandlende lege)"
    assert lines[2].tjeneste == "Vurdering" and lines[2].rolle == "Vurderingskomité"


def test_a_line_names_a_handful_of_fields_and_counts_the_rest() -> None:
    many = [f"felt_{n}" for n in range(30)]
    [line] = sammenfatt(logg(linje(0, what="soknad.opprett", felt=many)), SkjemaRegister.load())
    assert line.felt_tekst == "felt_0, felt_1, felt_2, felt_3, felt_4, felt_5 og 24 andre felt"


def test_the_csv_has_every_row_and_no_formula() -> None:
    text = tilgangslogg_csv(
        logg(linje(0, felt=["dose"]), linje(1, felt=["dose"]), linje(2, actor_navn="=HYPERLINK(1)")),
        SkjemaRegister.load(),
    )
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 3
    assert rows[0]["Tidspunkt"] == "2026-03-02 10:00:00"  # Norwegian time
    assert rows[0]["Løpenummer"] == "HBE-2026-000007" and rows[0]["Felt"] == "Dose"
    assert rows[2]["Navn"] == "'=HYPERLINK(1)"
