"""The decision form prefilled from the application's answers: the scope from the dose and courses
the søker asked for, the conditions from their evaluation and stopping plan. Pure; the director edits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

_MONTHS = re.compile(r"(\d+)\s*(måned|mnd|maned)", re.IGNORECASE)
_WEEKS = re.compile(r"(\d+)\s*(uke)", re.IGNORECASE)
_YEARS = re.compile(r"(\d+)\s*(år|ar\b)", re.IGNORECASE)


def _text(svar: Mapping[str, Any], key: str) -> str:
    value = svar.get(key)
    return str(value).strip() if value not in (None, "") else ""


def varighet_dager(tekst: str) -> int | None:
    """Days of a duration written as «18 måneder», «12 uker» or «2 år»; None when not understood."""
    for pattern, days in ((_MONTHS, 30), (_WEEKS, 7), (_YEARS, 365)):
        found = pattern.search(tekst)
        if found:
            return int(found.group(1)) * days
    return None


def prefill(snapshot: Mapping[str, Any], *, today: date) -> dict[str, str]:
    """Form values (strings, as a form holds them) proposed from the anchored application."""
    svar: Mapping[str, Any] = snapshot.get("svar") or {}
    dosering = ", ".join(x for x in (_text(svar, "dose"), _text(svar, "doseringsintervall")) if x)
    dager = varighet_dager(_text(svar, "behandlingsvarighet")) or 365
    gyldig_til = today + timedelta(days=dager)
    evaluering = " ".join(
        x for x in (_text(svar, "evalueringsplan"), _text(svar, "evaluering_tidspunkt")) if x
    )
    eval_dager = varighet_dager(_text(svar, "evaluering_tidspunkt"))
    evalueringsdato = today + timedelta(days=eval_dager) if eval_dager else None
    if evalueringsdato is not None and evalueringsdato > gyldig_til:
        evalueringsdato = gyldig_til
    registrering = ""
    if _text(svar, "register_registrering") == "ja":
        navn = _text(svar, "register_navn")
        registrering = (
            f"Behandlingen registreres i {navn}." if navn else "Behandlingen registreres i kvalitetsregister."
        )
    pasientinfo = ""
    if _text(svar, "pasient_informert") == "ja" or snapshot.get("type") == "enkeltpasient":
        pasientinfo = (
            "Pasienten er informert om at behandlingen er utenfor ordinær godkjenning, "
            "og skal informeres om vedtaket."
        )
    kurer = svar.get("antall_kurer")
    return {
        "dosering": dosering,
        "antall_kurer": str(kurer) if isinstance(kurer, int) and kurer > 0 else "",
        "gyldig_fra": today.isoformat(),
        "gyldig_til": gyldig_til.isoformat(),
        "evalueringsdato": evalueringsdato.isoformat() if evalueringsdato else "",
        "vilkar_evaluering": evaluering,
        "vilkar_stoppregel": _text(svar, "stoppkriterier"),
        "vilkar_registrering": registrering,
        "vilkar_pasientinformasjon": pasientinfo,
        "vilkar_annet": "",
    }
