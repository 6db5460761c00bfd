"""The checked-in FHIR examples and the rule report in `docs/fhir/`, generated from the form definitions:
`python -m soknad.fhir.skjema_dokumenter [docs/fhir]` rewrites them; a unit test fails when they drift."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

from shared.domain.identifiers import synthetic_fodselsnummer
from soknad.fhir.questionnaire import UTTRYKT, questionnaire, regeltelling, regler
from soknad.fhir.svar import questionnaire_response
from soknad.skjema.modell import Skjema
from soknad.skjema.register import SkjemaRegister

RAPPORT: Final = "skjemaregler.md"
START: Final = "<!-- regeltelling: generert av soknad.fhir.skjema_dokumenter, ikke rediger for hånd -->"
SLUTT: Final = "<!-- /regeltelling -->"
SVAR_EKSEMPEL: Final = "QuestionnaireResponse-eksempel.json"

UTTRYKT_TEKST: Final = {
    "kjerne": "Kjerne-FHIR (elementer og kjernespesifikasjonens standardutvidelser)",
    "sdc": "SDC-utvidelse (enableWhenExpression)",
    "constraint": "questionnaire-constraint",
    "ikke": "Ikke uttrykt",
}


def questionnaire_file(skjema: Skjema) -> str:
    return f"Questionnaire-soknad-v{skjema.versjon}.json"


def as_json(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, indent=2) + "\n"


def eksempel_svar(skjema: Skjema) -> dict[str, Any]:
    """A synthetic, complete single-patient application under unntaksordningen (the kategori with the
    most rules), answered as the pages would store it."""
    innhold: dict[str, Any] = {
        "pasient_fodselsnummer": synthetic_fodselsnummer(date(1984, 6, 2), sex="mann"),
        "pasient_navn": "Syntetisk Testpasient",
        "indikasjon": {"kode": "G35", "tekst": "Multippel sklerose", "verifisert": True},
        "alvorlighetsgrad": "alvorlig",
        "alvorlighet_beskrivelse": "Raskt progredierende forløp med to attakker siste halvår.",
        "legemiddel": {
            "navn": "Ocrevus inf kons 30 mg/ml",
            "virkestoff": "okrelizumab",
            "atc": "L04AG08",
            "fest_id": "ID_8F3C1D2E-0000-4000-8000-000000000001",
            "legemiddelform": "Konsentrat til infusjonsvæske",
            "styrke": "30 mg/ml",
            "verifisert": True,
        },
        "dose": "600 mg",
        "administrasjonsvei": "intravenos",
        "doseringsintervall": "Hver 6. måned",
        "behandlingsvarighet": "24 måneder",
        "markedsforingstillatelse": "ja",
        "godkjent_bruk": "Relapserende og primær progressiv MS hos voksne.",
        "tiltenkt_bruk": "Som godkjent, men metoden er ikke innført for denne pasientgruppen.",
        "nye_metoder_id": "ID2023_045",
        "tidligere_behandling": "Dimetylfumarat i 18 måneder, deretter natalizumab i 12 måneder.",
        "tidligere_behandling_utfall": "Nye attakker under begge; JCV-positiv, natalizumab måtte stoppes.",
        "klinisk_studie": "nei",
        "dokumentasjon": "Randomiserte fase 3-studier (OPERA I/II, ORATORIO).",
        "dokumentasjon_niva": "randomiserte",
        "forventet_effekt": "Færre attakker og langsommere funksjonstap.",
        "klinisk_eksepsjonell": "Høy sykdomsaktivitet tross to linjer behandling; ingen andre alternativer.",
        "estimert_kostnad_nok": 240_000,
        "kostnad_grunnlag": "2 × 600 mg per år etter LIS-pris.",
        "evalueringsplan": "MR og EDSS hver 6. måned, ansvarlig overlege.",
        "evaluering_tidspunkt": "Etter 12 måneder",
        "stoppkriterier": "Nye attakker eller alvorlige infeksjoner.",
        "bivirkninger_oppfolging": "Immunglobuliner og infeksjoner før hver infusjon.",
        "register_registrering": "ja",
        "register_navn": "Norsk MS-register og biobank",
        "pasient_informert": "ja",
        "skriftlig_samtykke": "ja",
        "samtykke_dato": "2026-11-18",
        "begrunnelse": "Alvorlig sykdom uten effekt av to linjer; godt dokumentert behandling.",
    }
    return questionnaire_response(
        skjema=skjema,
        soknad_type="enkeltpasient",
        kategori="unntaksordningen",
        svar={k: v for k, v in innhold.items() if skjema.finn(k) is not None},
        id="eksempel",
        status="completed",
        authored=datetime(2026, 11, 20, 10, 15, tzinfo=timezone(timedelta(hours=1))),
        subject={"reference": "Patient/eksempel"},
        author={"reference": "Practitioner/eksempel"},
    )


def regelrapport(skjemaer: list[Skjema]) -> str:
    """The generated part of `skjemaregler.md`: the counts per version and every rule not said in core."""
    lines = [START, ""]
    for skjema in skjemaer:
        counts = regeltelling(skjema)
        lines += [
            f"### Skjemaversjon {skjema.versjon}",
            "",
            "| Uttrykt som | Antall regler |",
            "|---|---:|",
            *(f"| {UTTRYKT_TEKST[u]} | {counts[u]} |" for u in UTTRYKT),
            f"| **Sum** | **{sum(counts.values())}** |",
            "",
            "Kjerne-FHIR per regel: "
            + ", ".join(
                f"{regel} {n}"
                for regel, n in sorted(
                    Counter(r.regel for r in regler(skjema) if r.uttrykt == "kjerne").items()
                )
            )
            + ".",
            "",
            "| Sted | Regel | Uttrykt som | Hvordan / hvorfor ikke |",
            "|---|---|---|---|",
            *(
                f"| `{r.sted}` | {r.regel} | {r.uttrykt} | {r.hvordan} |"
                for r in regler(skjema)
                if r.uttrykt != "kjerne"
            ),
            "",
        ]
    return "\n".join([*lines, SLUTT])


def generated_block(text: str) -> str:
    start, end = text.index(START), text.index(SLUTT) + len(SLUTT)
    return text[start:end]


def write(folder: Path, register: SkjemaRegister) -> None:
    skjemaer = [register.get(v) for v in register.versjoner]
    for skjema in skjemaer:
        (folder / questionnaire_file(skjema)).write_text(as_json(questionnaire(skjema)), encoding="utf-8")
    (folder / SVAR_EKSEMPEL).write_text(as_json(eksempel_svar(register.latest)), encoding="utf-8")
    report = folder / RAPPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace(generated_block(text), regelrapport(skjemaer)), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/fhir"), SkjemaRegister.load())
