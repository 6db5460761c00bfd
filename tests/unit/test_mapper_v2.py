"""The national summary v2: amendments, revocation, follow-up categories, post-registration and the
published group decision, built by the allow-list mapper from the privacy-minimised projection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from integrasjon.domain import uten_pasient
from integrasjon.handlers import apply_oppfolging, apply_vedtak, build_etterregistrert, build_projeksjon
from integrasjon.mapper import til_sammendrag
from integrasjon.store import SakProjeksjon
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.common import (
    Forankring,
    Gruppevedtak,
    Indikasjon,
    Legemiddel,
    NasjonalStatus,
    Pasient,
    VedtakOmfang,
    Vilkar,
)
from shared.events.contracts import (
    OppfolgingRegistrert,
    SakEtterregistrert,
    SakSammendragV2,
    SoknadForankret,
    VedtakFattet,
)

BORN = date(1979, 11, 2)
FNR = synthetic_fodselsnummer(BORN, sex="mann", serial=5)
NAVN = "Qarl Quist Testmann"
RITUKSIMAB = Legemiddel(navn="MabThera", virkestoff="rituksimab", atc="L01FA01", verifisert=True)
MS = Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True)


def pasient() -> Pasient:
    fnr = validate_fodselsnummer(FNR, allow_synthetic=True)
    return Pasient(fodselsnummer=fnr.value, navn=NAVN, fodselsdato=fnr.birth_date, kjonn=fnr.sex)


def forankret(**overrides: Any) -> SoknadForankret:
    values: dict[str, Any] = {
        "soknad_id": "7a7a7a7a-0000-4000-8000-000000000007",
        "lopenummer": "OUS-2026-000007",
        "hf": "OUS",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "OUS-NEVRO",
        "soker_id": "ous-soker",
        "soker_navn": "Jonas Bakke",
        "pasient": pasient(),
        "legemiddel": RITUKSIMAB,
        "indikasjon": MS,
        "begrunnelse": f"{NAVN} har aktiv sykdom.",
        "estimert_kostnad_nok": 300_000,
        "sendt_at": datetime(2026, 5, 4, 8, 0, tzinfo=UTC),
        "forankret_at": datetime(2026, 5, 6, 8, 0, tzinfo=UTC),
        "forankring": Forankring(
            leder_id="ous-leder", leder_navn="Maria Solberg", begrunnelse="Enig.", kostnadssted="7100"
        ),
    }
    return SoknadForankret(**{**values, **overrides})


def gruppe(**overrides: Any) -> SoknadForankret:
    return forankret(
        type="gruppe",
        pasient=None,
        gruppe_beskrivelse="Voksne med relapserende MS ved nevrologisk avdeling",
        gruppe_storrelse=40,
        estimert_kostnad_nok=3_000_000,
        **overrides,
    )


OMFANG = VedtakOmfang(
    legemiddel=RITUKSIMAB,
    indikasjon=MS,
    dosering="1000 mg iv. hver 6. måned",
    gyldig_fra=date(2026, 6, 1),
    gyldig_til=date(2027, 5, 31),
    enhet="OUS-NEVRO",
    enhet_navn="Nevrologisk avdeling",
)
VILKAR = [
    Vilkar(type="registrering", tekst="Registreres i Norsk MS-register."),
    Vilkar(type="evaluering", tekst="Effekten evalueres etter ett år.", dato=date(2027, 6, 1)),
]


def vedtak(**overrides: Any) -> VedtakFattet:
    values: dict[str, Any] = {
        "vedtak_id": "v-7",
        "soknad_id": "7a7a7a7a-0000-4000-8000-000000000007",
        "lopenummer": "OUS-2026-000007",
        "utfall": "innvilget_med_vilkar",
        "begrunnelse": f"Innvilget for {NAVN}: god effekt forventet.",
        "vilkar": "Registreres i Norsk MS-register.",
        "vurderingsflyt": "komplett",
        "fattet_av": "ous-fagdirektor",
        "fattet_at": datetime(2026, 5, 25, 10, 0, tzinfo=UTC),
        "omfang": OMFANG,
        "vilkar_liste": VILKAR,
        "gyldig_fra": date(2026, 6, 1),
        "gyldig_til": date(2027, 5, 31),
    }
    return VedtakFattet(**{**values, **overrides})


def oppfolging(**overrides: Any) -> OppfolgingRegistrert:
    values: dict[str, Any] = {
        "soknad_id": "7a7a7a7a-0000-4000-8000-000000000007",
        "lopenummer": "OUS-2026-000007",
        "effekt": "ingen",
        "bivirkninger": True,
        "fortsetter": False,
        "registrert_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        "avslutningsarsak": "manglende_effekt",
        "bivirkningsgrad": "moderat",
    }
    return OppfolgingRegistrert(**{**values, **overrides})


def publish(p: SakProjeksjon) -> SakSammendragV2:
    p.sekvens += 1
    return til_sammendrag(p)


def strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def test_a_granted_single_patient_decision_publishes_no_text() -> None:
    p = build_projeksjon(forankret())
    apply_vedtak(p, vedtak())
    s = publish(p)
    assert (s.status, s.utfall, s.med_vilkar, s.endret, s.gruppevedtak) == (
        "vedtatt",
        "innvilget_med_vilkar",
        True,
        False,
        None,
    )
    # Nothing of the decision's text is even kept for a single patient.
    assert (p.gruppevedtak_begrunnelse, p.gruppevedtak_dosering, p.gruppevedtak_vilkar) == (None, None, None)
    body = s.model_dump_json()
    for text in ("god effekt", "MS-register", "1000 mg", "Nevrologisk avdeling", NAVN, FNR, "1979"):
        assert text not in body, text


def test_a_granted_group_decision_is_published_with_scope_conditions_and_reasons() -> None:
    p = build_projeksjon(gruppe())
    apply_vedtak(p, vedtak(begrunnelse="Anbefalt av Beslutningsforum 2019."))
    s = publish(p)
    assert s.gruppevedtak == Gruppevedtak(
        beskrivelse="Voksne med relapserende MS ved nevrologisk avdeling",
        dosering="1000 mg iv. hver 6. måned",
        vilkar=VILKAR,
        begrunnelse="Anbefalt av Beslutningsforum 2019.",
        gyldig_fra=date(2026, 6, 1),
        gyldig_til=date(2027, 5, 31),
        enhet_navn="Nevrologisk avdeling",
    )
    assert (s.gruppe_storrelse, s.aldersgruppe, s.kjonn) == (40, None, None)
    # The published text travels as JSON and back: what oversikt parses is what was decided.
    assert SakSammendragV2.model_validate_json(s.model_dump_json()) == s


def test_an_old_style_group_decision_publishes_its_one_condition_text() -> None:
    p = build_projeksjon(gruppe())
    apply_vedtak(p, vedtak(vilkar_liste=[], omfang=None, gyldig_fra=None))
    g = publish(p).gruppevedtak
    assert g is not None
    assert [(v.type, v.tekst) for v in g.vilkar] == [("annet", "Registreres i Norsk MS-register.")]
    assert (g.dosering, g.gyldig_fra, g.gyldig_til, g.enhet_navn) == (None, None, date(2027, 5, 31), None)


def test_a_refused_group_decision_publishes_no_text() -> None:
    p = build_projeksjon(gruppe())
    apply_vedtak(p, vedtak(utfall="avslatt", vilkar=None, vilkar_liste=[]))
    assert publish(p).gruppevedtak is None
    assert p.gruppevedtak_begrunnelse is None


def test_a_group_decision_amended_to_a_refusal_stops_being_published() -> None:
    p = build_projeksjon(gruppe())
    apply_vedtak(p, vedtak())
    assert publish(p).gruppevedtak is not None
    apply_vedtak(
        p,
        vedtak(
            vedtak_id="v-8",
            art="endring",
            erstatter_vedtak_id="v-7",
            utfall="avslatt",
            fattet_at=datetime(2026, 9, 1, tzinfo=UTC),
        ),
    )
    s = publish(p)
    assert (s.endret, s.utfall, s.gruppevedtak) == (True, "avslatt", None)


def test_the_contract_refuses_a_group_decision_on_a_single_patient_case() -> None:
    p = build_projeksjon(forankret())
    apply_vedtak(p, vedtak())
    # Even a projection that wrongly held a decision text would not publish it for one patient...
    p.gruppe_beskrivelse, p.gruppevedtak_begrunnelse = "Pasienten Qarl", "Qarl fikk ja"
    assert publish(p).gruppevedtak is None
    # ... and the contract itself would refuse such a summary.
    with pytest.raises(ValidationError):
        SakSammendragV2.model_validate(
            {**publish(p).model_dump(), "gruppevedtak": {"beskrivelse": "x", "begrunnelse": "y"}}
        )


def test_an_amendment_sets_endret_and_the_new_outcome_but_keeps_the_processing_time() -> None:
    p = build_projeksjon(forankret())
    apply_vedtak(p, vedtak())
    first = publish(p)
    apply_vedtak(
        p,
        vedtak(
            vedtak_id="v-8",
            art="endring",
            erstatter_vedtak_id="v-7",
            utfall="innvilget",
            vilkar=None,
            vilkar_liste=[],
            fattet_at=datetime(2026, 10, 1, 10, 0, tzinfo=UTC),
        ),
    )
    amended = publish(p)
    assert (first.endret, amended.endret) == (False, True)
    assert (amended.utfall, amended.med_vilkar, amended.sekvens) == ("innvilget", False, first.sekvens + 1)
    assert (amended.vedtak_maned, amended.behandlingstid_dager) == ("2026-05", 21)


def test_revocation_is_status_opphevet_and_withdraws_the_published_group_decision() -> None:
    p = build_projeksjon(gruppe())
    apply_vedtak(p, vedtak())
    p.status = NasjonalStatus.OPPHEVET  # what on_vedtak_opphevet does
    s = publish(p)
    assert (s.status, s.utfall, s.gruppevedtak) == ("opphevet", "innvilget_med_vilkar", None)


def test_follow_up_is_published_as_categories_only() -> None:
    p = build_projeksjon(forankret())
    apply_vedtak(p, vedtak())
    apply_oppfolging(p, oppfolging())
    s = publish(p)
    assert (s.effekt, s.fortsetter, s.avslutningsarsak, s.bivirkningsgrad) == (
        "ingen",
        False,
        "manglende_effekt",
        "moderat",
    )
    # A treatment that goes on has no reason to stop; one without adverse events no grade.
    apply_oppfolging(p, oppfolging(effekt="god", bivirkninger=False, fortsetter=True))
    s = publish(p)
    assert (s.effekt, s.fortsetter, s.avslutningsarsak, s.bivirkningsgrad) == ("god", True, None, None)


def etterregistrert(**overrides: Any) -> SakEtterregistrert:
    values: dict[str, Any] = {
        "soknad_id": "8b8b8b8b-0000-4000-8000-000000000008",
        "lopenummer": "OUS-2024-000120",
        "type": "enkeltpasient",
        "kategori": "unntaksordningen",
        "enhet": "OUS-ONK",
        "pasient": pasient(),
        "legemiddel": Legemiddel(navn="Keytruda", virkestoff="pembrolizumab", atc="L01FF02", verifisert=True),
        "indikasjon": Indikasjon(kode="C53.9", tekst="Livmorhalskreft", verifisert=True),
        "utfall": "innvilget",
        "sendt_dato": date(2024, 1, 30),
        "vedtak_dato": date(2024, 2, 14),
        "gyldig_til": date(2025, 2, 14),
        "estimert_kostnad_nok": 1_200_000,
        "registrert_av": "ous-admin",
        "registrert_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    }
    return SakEtterregistrert(**{**values, **overrides})


def test_a_post_registered_case_is_a_decided_summary_with_age_band_and_sex() -> None:
    s = publish(build_etterregistrert(etterregistrert(), hf="OUS"))
    assert (s.lopenummer, s.hf, s.rhf, s.etterregistrert, s.status, s.utfall) == (
        "OUS-2024-000120",
        "OUS",
        "HSO",
        True,
        "vedtatt",
        "innvilget",
    )
    # 44 on the day it was applied for (born 2 November 1979).
    assert (s.aldersgruppe, s.kjonn, s.kostnadsband) == ("30-49", "mann", "1-5M")
    assert (s.sendt_maned, s.vedtak_maned, s.behandlingstid_dager, s.vurderingsflyt) == (
        "2024-01",
        "2024-02",
        15,
        None,
    )
    body = s.model_dump_json()
    assert find_personnummer_like(body) == []
    for secret in (FNR, NAVN, "Quist", BORN.isoformat(), "02.11.1979", "2024-01-30", "2024-02-14"):
        assert secret not in body, secret


def test_a_post_registered_group_case_has_size_and_no_patient() -> None:
    s = publish(
        build_etterregistrert(etterregistrert(type="gruppe", pasient=None, gruppe_storrelse=12), hf="OUS")
    )
    assert (s.type, s.gruppe_storrelse, s.aldersgruppe, s.kjonn, s.gruppevedtak) == (
        "gruppe",
        12,
        None,
        None,
        None,
    )


def test_typed_drug_and_diagnosis_texts_lose_the_patients_identity() -> None:
    typed = Legemiddel(navn=f"Rituksimab til {NAVN} f. 02.11.1979", virkestoff="rituksimab", verifisert=False)
    diagnose = Indikasjon(kode="G35", tekst=f"MS hos quist ({FNR[:6]} {FNR[6:]})", verifisert=False)
    s = publish(build_projeksjon(forankret(legemiddel=typed, indikasjon=diagnose)))
    assert s.legemiddel_navn.startswith("Rituksimab til") and s.icd10_tekst.startswith("MS hos")
    for text in strings_in(s.model_dump(mode="json")):
        for secret in ("Qarl", "Quist", "quist", "Testmann", FNR, FNR[6:], "02.11.1979"):
            assert secret not in text, (secret, text)


def test_only_typed_texts_are_scrubbed() -> None:
    assert uten_pasient("Multippel sklerose", navn="Ann Multippel", fodselsnummer=None, fodselsdato=None) == (
        "[…] sklerose"
    )
    # Verified (catalogue) texts are not scrubbed at all: a patient called «Sklerose» changes nothing.
    s = publish(build_projeksjon(forankret(pasient=pasient().model_copy(update={"navn": "Sklerose Ås"}))))
    assert s.icd10_tekst == "Multippel sklerose"
