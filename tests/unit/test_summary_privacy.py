"""Property: whatever free text an anchored application (and its decision) carries, the national
summary v2 holds none of it, nor the patient's fødselsnummer, name or birth date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrasjon.handlers import apply_oppfolging, apply_vedtak, build_projeksjon
from integrasjon.mapper import til_sammendrag
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.common import (
    Feltvisning,
    Forankring,
    Indikasjon,
    Kategori,
    Legemiddel,
    Pasient,
    Seksjonsvisning,
    SoknadType,
    VedtakOmfang,
    Vilkar,
)
from shared.events.contracts import OppfolgingRegistrert, SakSammendragV2, SoknadForankret, VedtakFattet

MARK = "⟦fri:"
"""Every generated free text starts with this, so a text found in the summary is never a coincidence
with a word the summary has anyway."""

CATALOGUE = [
    (Legemiddel(navn="MabThera", virkestoff="rituksimab", atc="L01FA01", verifisert=True),
     Indikasjon(kode="G36.0", tekst="Neuromyelitis optica", verifisert=True)),
    (Legemiddel(navn="Privigen", virkestoff="immunglobulin", atc="J06BA02", verifisert=True),
     Indikasjon(kode="G04.8", tekst="Autoimmun encefalitt", verifisert=True)),
    (Legemiddel(navn="Kineret", virkestoff="anakinra", atc="L04AC03", verifisert=True),
     Indikasjon(kode="D76.1", tekst="Hemofagocytisk lymfohistiocytose", verifisert=True)),
]  # fmt: skip

KATEGORIER: list[Kategori] = ["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"]

# Names that no drug, diagnosis or code in a summary contains: every part starts with a Q.
name_part = st.from_regex(r"Q[a-zæøå]{3,9}", fullmatch=True)
names = st.lists(name_part, min_size=2, max_size=3, unique=True).map(" ".join)
birth_dates = st.dates(date(1930, 1, 1), date(2024, 12, 31))


@st.composite
def patients(draw: st.DrawFn) -> Pasient:
    born = draw(birth_dates)
    fnr = synthetic_fodselsnummer(
        born, sex=draw(st.sampled_from(["mann", "kvinne"])), serial=draw(st.integers(0, 30))
    )
    parsed = validate_fodselsnummer(fnr, allow_synthetic=True, today=date(2026, 12, 1))
    return Pasient(fodselsnummer=fnr, navn=draw(names), fodselsdato=parsed.birth_date, kjonn=parsed.sex)


class FreeText:
    """Draws free texts, some of which quote the patient, and remembers every one it drew."""

    def __init__(self, draw: st.DrawFn, pasient: Pasient | None) -> None:
        self.draw = draw
        self.pasient = pasient
        self.drawn: list[str] = []

    def __call__(self, field: str, max_size: int = 80) -> str:
        body = self.draw(st.text(max_size=max_size))
        quoted = ""
        if self.pasient is not None and self.pasient.fodselsdato is not None:
            quoted = self.draw(
                st.sampled_from(
                    [
                        "",
                        self.pasient.navn,
                        self.pasient.fodselsnummer,
                        f"f. {self.pasient.fodselsdato:%d.%m.%Y}",
                        self.pasient.fodselsdato.isoformat(),
                    ]
                )
            )
        text = f"{MARK}{field}⟧ {body} {quoted}".strip()
        self.drawn.append(text)
        return text


def typed(draw: st.DrawFn, pasient: Pasient | None) -> tuple[Legemiddel, Indikasjon]:
    """A drug and diagnosis as typed by hand when the catalogue had no match: the patient may be in them."""
    who = draw(st.sampled_from(["", pasient.navn, pasient.fodselsnummer])) if pasient else ""
    return (
        Legemiddel(navn=f"Rituksimab til {who}".strip(), virkestoff="rituksimab", verifisert=False),
        Indikasjon(kode="G35", tekst=f"MS {who}".strip(), verifisert=False),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[SoknadForankret, VedtakFattet, OppfolgingRegistrert, FreeText]:
    type_: SoknadType = draw(st.sampled_from(["enkeltpasient", "gruppe"]))
    pasient = draw(patients()) if type_ == "enkeltpasient" else None
    fri = FreeText(draw, pasient)
    legemiddel, indikasjon = draw(st.sampled_from(CATALOGUE)) if draw(st.booleans()) else typed(draw, pasient)
    sendt = datetime(2026, 1, 5, 8, 0, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 24 * 300)))
    event = SoknadForankret(
        soknad_id=fri("soknad_id", 20),
        lopenummer="HBE-2026-000042",
        hf="HBE",
        type=type_,
        kategori=draw(
            st.sampled_from(["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"])
        ),
        enhet=fri("enhet", 10),
        soker_id=fri("soker_id", 10),
        soker_navn=fri("soker_navn", 30),
        pasient=pasient,
        # A description of a group is published with a granted group decision (by design); for a single
        # patient it is free text that must never leave.
        gruppe_beskrivelse=fri("gruppe_beskrivelse") if type_ == "enkeltpasient" else "Voksne med RRMS",
        gruppe_storrelse=draw(st.integers(1, 500)) if type_ == "gruppe" else None,
        legemiddel=legemiddel,
        indikasjon=indikasjon,
        begrunnelse=fri("begrunnelse", 200),
        estimert_kostnad_nok=draw(st.none() | st.integers(0, 50_000_000)),
        sendt_at=sendt,
        forankret_at=sendt + timedelta(days=draw(st.integers(0, 30))),
        forankring=Forankring(
            leder_id=fri("leder_id", 10),
            leder_navn=fri("leder_navn", 30),
            begrunnelse=fri("forankring", 100),
            kostnadssted=fri("kostnadssted", 10),
        ),
        skjema_versjon=draw(st.none() | st.integers(1, 5)),
        svar={
            "tidligere_behandling": fri("svar_tidligere"),
            "forventet_effekt": fri("svar_effekt"),
            "samtykke": draw(st.booleans()),
            "doser": [fri("svar_dose", 20), fri("svar_dose2", 20)],
            "pasient": {"merknad": fri("svar_merknad")},
        },
        visning=[
            Seksjonsvisning(
                id="behandling",
                tittel=fri("tittel", 20),
                felt=[Feltvisning(id="begrunnelse", etikett=fri("etikett", 20), svar=fri("visning_svar"))],
            )
        ],
    )
    decided = event.sendt_at + timedelta(days=draw(st.integers(0, 90)))
    vedtak = VedtakFattet(
        vedtak_id="v-1",
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        utfall=draw(st.sampled_from(["innvilget", "innvilget_med_vilkar", "avslatt"])),
        begrunnelse=fri("vedtak_begrunnelse"),
        vilkar=fri("vedtak_vilkar"),
        vurderingsflyt=draw(st.sampled_from(["forenklet", "komplett", "interregional"])),
        fattet_av=fri("fattet_av", 10),
        fattet_av_navn=fri("fattet_av_navn", 20),
        fattet_at=decided,
        omfang=VedtakOmfang(
            legemiddel=legemiddel,
            indikasjon=indikasjon,
            dosering=fri("dosering", 40),
            enhet="HBE-NEVRO",
            enhet_navn=fri("enhet_navn", 20),
        ),
        vilkar_liste=[Vilkar(type="annet", tekst=fri("vilkar_tekst"))],
        kostnadssted=fri("vedtak_kostnadssted", 10),
        interregional_referanse=fri("interregional", 10),
    )
    oppfolging = OppfolgingRegistrert(
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        effekt=draw(st.sampled_from(["ingen", "delvis", "god"])),
        bivirkninger=draw(st.booleans()),
        fortsetter=draw(st.booleans()),
        registrert_at=decided + timedelta(days=100),
        avslutningsarsak=draw(st.none() | st.sampled_from(["bivirkninger", "annet"])),
        bivirkningsgrad=draw(st.none() | st.sampled_from(["lett", "alvorlig"])),
    )
    return event, vedtak, oppfolging, fri


def strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_anonymous(summary: SakSammendragV2, event: SoknadForankret, drawn: list[str]) -> None:
    """No drawn text, identity or part of one in any value of the summary (a published group decision
    is checked on its own, by the caller)."""
    body = summary.model_copy(update={"gruppevedtak": None}).model_dump_json()
    values = strings_in(summary.model_dump(mode="json", exclude={"gruppevedtak"}))
    assert find_personnummer_like(body) == []
    secrets: list[str] = list(drawn)
    if event.pasient is not None:
        born = event.pasient.fodselsdato
        assert born is not None
        secrets += [event.pasient.fodselsnummer, event.pasient.navn, *event.pasient.navn.split()]
        secrets += [born.isoformat(), f"{born:%d.%m.%Y}"]
    for value in values:
        assert MARK not in value, value
        for secret in secrets:
            assert secret not in value, (secret, value)


def summaries(event: SoknadForankret, vedtak: VedtakFattet, oppfolging: OppfolgingRegistrert) -> list[Any]:
    p = build_projeksjon(event)
    out = []
    for step in (None, vedtak, oppfolging):
        if isinstance(step, VedtakFattet):
            apply_vedtak(p, step)
        elif isinstance(step, OppfolgingRegistrert):
            apply_oppfolging(p, step)
        p.sekvens += 1
        out.append(til_sammendrag(p))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_no_free_text_or_identity_reaches_the_summary(case: tuple[Any, ...]) -> None:
    event, vedtak, oppfolging, fri = case
    first, decided, followed = summaries(event, vedtak, oppfolging)
    # Anchored: nothing free at all.
    assert_anonymous(first, event, fri.drawn)
    if event.type == "enkeltpasient":
        # Decided and followed up: still nothing, the decision's text included.
        for summary in (decided, followed):
            assert summary.gruppevedtak is None
            assert_anonymous(summary, event, fri.drawn)
    else:
        # A group's granted decision is published on purpose, and only that decision's text: the
        # application's free text (justification, answers, anchoring) still never.
        assert vedtak.omfang is not None
        published = {
            vedtak.begrunnelse,
            vedtak.omfang.dosering,
            vedtak.omfang.enhet_navn,
            *(v.tekst for v in vedtak.vilkar_liste),
        }
        for summary in (decided, followed):
            assert (summary.gruppevedtak is not None) == (vedtak.utfall != "avslatt")
            if summary.gruppevedtak is not None:
                texts = set(strings_in(summary.gruppevedtak.model_dump(mode="json")))
                assert texts <= published | {"Voksne med RRMS", "annet"}, texts - published
            assert_anonymous(summary, event, fri.drawn)
