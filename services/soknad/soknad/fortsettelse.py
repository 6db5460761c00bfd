"""Continuation of a granted treatment (pure): the new application's answers, prefilled from the old
application and its follow-up, so the applicant only reviews what changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.platform.web.templating import format_date
from soknad.samarbeid import AVSLUTNINGSARSAK_LABELS, BIVIRKNINGSGRAD_LABELS, EFFEKT_LABELS
from soknad.skjema.modell import Skjema
from soknad.skjema.validering import LANG_TEKST_MAKS, validate_answers
from soknad.store.oppfolging import Oppfolging

NOT_CARRIED = frozenset({"samtykke_dato"})
"""Answers the applicant must give anew: consent is confirmed for the new period."""


@dataclass(frozen=True)
class Forrige:
    """What the prefill needs of the granted application."""

    lopenummer: str
    legemiddel: str
    gyldig_fra: date | None
    gyldig_til: date | None


def _period(forrige: Forrige) -> str:
    if forrige.gyldig_fra and forrige.gyldig_til:
        return f"{format_date(forrige.gyldig_fra)}–{format_date(forrige.gyldig_til)}"
    if forrige.gyldig_til:
        return f"til {format_date(forrige.gyldig_til)}"
    return ""


def oppfolging_tekst(o: Oppfolging) -> str:
    """One follow-up in a sentence (the trust keeps the free texts; this stays in the trust)."""
    bivirkninger = "ingen bivirkninger"
    if o.bivirkninger:
        grad = f" ({BIVIRKNINGSGRAD_LABELS[o.bivirkningsgrad].lower()})" if o.bivirkningsgrad else ""
        bivirkninger = f"bivirkninger{grad}" + (
            f": {o.bivirkninger_beskrivelse}" if o.bivirkninger_beskrivelse else ""
        )
    forlop = "behandlingen fortsetter"
    if not o.fortsetter:
        arsak = f" ({AVSLUTNINGSARSAK_LABELS[o.avslutningsarsak].lower()})" if o.avslutningsarsak else ""
        forlop = f"behandlingen ble avsluttet{arsak}"
    effekt = EFFEKT_LABELS[o.effekt].lower()
    tekst = f"Oppfølging {format_date(o.registrert_at)}: {effekt}, {bivirkninger}, {forlop}."
    return f"{tekst} {o.begrunnelse}" if o.begrunnelse else tekst


def _cut(text: str) -> str:
    return text if len(text) <= LANG_TEKST_MAKS else text[: LANG_TEKST_MAKS - 1] + "…"


def prefill(
    skjema: Skjema,
    innhold: Mapping[str, Any],
    forrige: Forrige,
    oppfolginger: Sequence[Oppfolging],
    *,
    allow_synthetic: bool,
    today: date,
) -> dict[str, Any]:
    """The old answers that the (possibly newer) form still asks and accepts, with the treatment so far
    and its effect written into the earlier-treatment answers."""
    known = {k: v for k, v in innhold.items() if skjema.finn(k) is not None and k not in NOT_CARRIED}
    kept, errors = validate_answers(skjema, known, allow_synthetic=allow_synthetic, today=today)
    bad = {field.removeprefix("innhold.").split(".")[0] for field, _ in errors}
    answers = {k: v for k, v in kept.items() if k not in bad and v is not None}

    period = _period(forrige)
    behandling = (
        f"{forrige.legemiddel} etter vedtak {forrige.lopenummer}" + (f" ({period})" if period else "") + "."
    )
    tidligere = str(answers.get("tidligere_behandling") or "").strip()
    answers["tidligere_behandling"] = _cut(f"{behandling}\n\n{tidligere}" if tidligere else behandling)

    effekt = [oppfolging_tekst(o) for o in sorted(oppfolginger, key=lambda o: o.registrert_at)]
    utfall = str(answers.get("tidligere_behandling_utfall") or "").strip()
    if effekt:
        sammen = "Effekt av behandlingen så langt:\n" + "\n".join(effekt)
        answers["tidligere_behandling_utfall"] = _cut(
            f"{sammen}\n\nFør denne behandlingen: {utfall}" if utfall else sammen
        )
    return answers
