"""The decision as the applicant and the leader read it: what `VedtakFattet` and `VedtakOpphevet` leave
in `Soknad.vedtak`, and the view of it their pages render (pure: no database, no request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.domain.labels import UTFALL_LABELS, VILKARSTYPE_LABELS, VURDERINGSFLYT_LABELS
from shared.events.contracts import VedtakFattet, VedtakOpphevet
from shared.platform.web.templating import format_date

FLYT_LABELS = VURDERINGSFLYT_LABELS
VILKAR_LABELS = VILKARSTYPE_LABELS

_KEPT = {
    "vedtak_id",
    "art",
    "erstatter_vedtak_id",
    "utfall",
    "begrunnelse",
    "vilkar",
    "vilkar_liste",
    "omfang",
    "gyldig_fra",
    "gyldig_til",
    "evalueringsdato",
    "vurderingsflyt",
    "interregional_referanse",
    "interregional_vedtaksdato",
    "resept_merknad",
    "faktureringsrutine",
    "kostnadssted",
    "fattet_av",
    "fattet_av_navn",
    "fattet_at",
}


def vedtak_dict(event: VedtakFattet) -> dict[str, Any]:
    """What the case keeps of a decision (JSON): everything the applicant and leader are shown."""
    return event.model_dump(mode="json", include=_KEPT)


def opphevet_dict(event: VedtakOpphevet) -> dict[str, Any]:
    return event.model_dump(
        mode="json",
        include={"vedtak_id", "begrunnelse", "gjelder_fra", "opphevet_av", "opphevet_av_navn", "opphevet_at"},
    )


def beskrivelse(event: VedtakFattet) -> str:
    """One line for the history: the outcome, and for a grant its validity."""
    text = UTFALL_LABELS[event.utfall]
    gyldig_til = event.gyldig_til or (event.omfang.gyldig_til if event.omfang else None)
    if event.utfall != "avslatt" and gyldig_til:
        text += f", gyldig til {format_date(gyldig_til)}"
    return text


def _interregional_kilde(referanse: str | None, vedtaksdato: date | None) -> str:
    """«den interregionale vurderingskomiteen (referanse X, vedtatt D)», with what is known."""
    detaljer = [
        *([f"referanse {referanse}"] if referanse else []),
        *([f"vedtatt {format_date(vedtaksdato)}"] if vedtaksdato else []),
    ]
    return "den interregionale vurderingskomiteen" + (f" ({', '.join(detaljer)})" if detaljer else "")


def historikklinje(event: VedtakFattet, prefix: str) -> str:
    """The history line of a decision; one the interregional committee made says so, as the trust
    only registers it."""
    if event.vurderingsflyt == "interregional":
        kilde = _interregional_kilde(event.interregional_referanse, event.interregional_vedtaksdato)
        return f"{prefix}: {beskrivelse(event)}. Avgjort av {kilde}, registrert av helseforetaket"
    return f"{prefix}: {beskrivelse(event)}"


def fattet_av(event: VedtakFattet, navn: str) -> str:
    """Who decided, for a notification."""
    if event.vurderingsflyt == "interregional":
        return f"Avgjort av den interregionale vurderingskomiteen og registrert av {navn}"
    return f"Fattet av {navn}"


def _date(value: Any) -> date | None:
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value if isinstance(value, date) else None


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Vilkarsvisning:
    type: str
    tekst: str
    dato: date | None


@dataclass(frozen=True)
class Vedtaksvisning:
    """A stored decision, parsed for the pages (older decisions lack the newer parts)."""

    vedtak_id: str | None
    utfall: str
    begrunnelse: str
    vilkar: str | None
    vilkar_liste: list[Vilkarsvisning]
    omfang: dict[str, Any] | None
    gyldig_fra: date | None
    gyldig_til: date | None
    evalueringsdato: date | None
    vurderingsflyt: str | None
    interregional_referanse: str | None
    interregional_vedtaksdato: date | None
    resept_merknad: str | None
    faktureringsrutine: str | None
    fattet_av: str | None
    fattet_av_navn: str | None
    fattet_at: datetime | None
    endret: bool
    opphevet: dict[str, Any] | None = None
    opphevet_fra: date | None = None
    opphevet_at: datetime | None = None
    tidligere: list[dict[str, Any]] = field(default_factory=list)

    @property
    def interregional(self) -> bool:
        """Made by the interregional vurderingskomité (tilgangsordningen); the trust registered it."""
        return self.vurderingsflyt == "interregional"

    @property
    def innvilget(self) -> bool:
        return self.utfall in ("innvilget", "innvilget_med_vilkar") and self.opphevet is None

    @property
    def legemiddel(self) -> str:
        lm = (self.omfang or {}).get("legemiddel") or {}
        text = " – ".join(x for x in (lm.get("navn"), lm.get("virkestoff")) if x)
        return f"{text} ({lm['atc']})" if lm.get("atc") else text

    @property
    def indikasjon(self) -> str:
        ind = (self.omfang or {}).get("indikasjon") or {}
        return " ".join(x for x in (ind.get("kode"), ind.get("tekst")) if x)


def vedtaksvisning(vedtak: dict[str, Any] | None) -> Vedtaksvisning | None:
    if not vedtak:
        return None
    omfang = vedtak.get("omfang") if isinstance(vedtak.get("omfang"), dict) else None
    opphevet = vedtak.get("opphevet") if isinstance(vedtak.get("opphevet"), dict) else None
    return Vedtaksvisning(
        vedtak_id=vedtak.get("vedtak_id"),
        utfall=str(vedtak.get("utfall", "")),
        begrunnelse=str(vedtak.get("begrunnelse") or ""),
        vilkar=vedtak.get("vilkar"),
        vilkar_liste=[
            Vilkarsvisning(str(v.get("type", "annet")), str(v.get("tekst", "")), _date(v.get("dato")))
            for v in vedtak.get("vilkar_liste") or []
            if isinstance(v, dict)
        ],
        omfang=omfang,
        gyldig_fra=_date(vedtak.get("gyldig_fra")) or _date((omfang or {}).get("gyldig_fra")),
        gyldig_til=_date(vedtak.get("gyldig_til")) or _date((omfang or {}).get("gyldig_til")),
        evalueringsdato=_date(vedtak.get("evalueringsdato")),
        vurderingsflyt=vedtak.get("vurderingsflyt"),
        interregional_referanse=vedtak.get("interregional_referanse"),
        interregional_vedtaksdato=_date(vedtak.get("interregional_vedtaksdato")),
        resept_merknad=vedtak.get("resept_merknad"),
        faktureringsrutine=vedtak.get("faktureringsrutine"),
        fattet_av=vedtak.get("fattet_av"),
        fattet_av_navn=vedtak.get("fattet_av_navn"),
        fattet_at=_datetime(vedtak.get("fattet_at")),
        endret=vedtak.get("art") == "endring",
        opphevet=opphevet,
        opphevet_fra=_date((opphevet or {}).get("gjelder_fra")),
        opphevet_at=_datetime((opphevet or {}).get("opphevet_at")),
        tidligere=[t for t in vedtak.get("tidligere") or [] if isinstance(t, dict)],
    )


def brev_url(base: str, vedtak_id: str, *, pdf: bool = False) -> str:
    """The decision letter in beslutning (`base`: where the browser reaches beslutning)."""
    return f"{base.rstrip('/')}/vedtak/{vedtak_id}/brev{'.pdf' if pdf else ''}"


def brev_lenker(base: str, vedtak: Vedtaksvisning | None) -> dict[str, str]:
    """`brev_url` and `brev_pdf_url` for the pages ('' for a decision stored without its id)."""
    if vedtak is None or not vedtak.vedtak_id:
        return {"brev_url": "", "brev_pdf_url": ""}
    return {
        "brev_url": brev_url(base, vedtak.vedtak_id),
        "brev_pdf_url": brev_url(base, vedtak.vedtak_id, pdf=True),
    }
