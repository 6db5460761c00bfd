"""The whole application as its readers see it: the sections `SoknadForankret` carries, or, for a case
anchored before the event carried them (December 2026), the fields the older event had."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS
from shared.events.common import Feltvisning, Seksjonsvisning


def _nok(value: object) -> str:
    return f"{value:,} kr".replace(",", " ") if isinstance(value, int) else "Ikke oppgitt"


def _eldre(s: Mapping[str, Any]) -> list[Seksjonsvisning]:
    felt: list[Feltvisning] = [
        Feltvisning(id="type", etikett="Type", svar=TYPE_LABELS.get(s.get("type", ""), str(s.get("type")))),
        Feltvisning(
            id="kategori",
            etikett="Ordning",
            svar=KATEGORI_LABELS.get(s.get("kategori", ""), str(s.get("kategori"))),
        ),
    ]
    pasient = s.get("pasient") or {}
    if pasient:
        felt.append(Feltvisning(id="pasient_navn", etikett="Pasient", svar=str(pasient.get("navn", ""))))
        felt.append(
            Feltvisning(
                id="pasient_fodselsnummer",
                etikett="Fødselsnummer",
                svar=str(pasient.get("fodselsnummer", "")),
            )
        )
    elif s.get("gruppe_beskrivelse"):
        felt.append(
            Feltvisning(id="gruppe_beskrivelse", etikett="Pasientgruppe", svar=s["gruppe_beskrivelse"])
        )
    lm = s.get("legemiddel") or {}
    ind = s.get("indikasjon") or {}
    legemiddel = " – ".join(x for x in (lm.get("navn"), lm.get("virkestoff")) if x)
    if lm.get("atc"):
        legemiddel += f" ({lm['atc']})"
    felt += [
        Feltvisning(id="legemiddel", etikett="Legemiddel", svar=legemiddel),
        Feltvisning(
            id="indikasjon",
            etikett="Indikasjon",
            svar=f"{ind.get('kode', '')} {ind.get('tekst', '')}".strip(),
        ),
        Feltvisning(id="begrunnelse", etikett="Samlet begrunnelse", svar=str(s.get("begrunnelse") or "")),
        Feltvisning(
            id="estimert_kostnad_nok",
            etikett="Anslått kostnad per år",
            svar=_nok(s.get("estimert_kostnad_nok")),
        ),
    ]
    return [Seksjonsvisning(id="soknaden", tittel="Søknaden", felt=[f for f in felt if f.svar])]


def visning_av(snapshot: Mapping[str, Any]) -> list[Seksjonsvisning]:
    """The sections to render for a stored `SoknadForankret` snapshot (its JSON form)."""
    seksjoner = snapshot.get("visning") or []
    if seksjoner:
        return [Seksjonsvisning.model_validate(s) for s in seksjoner]
    return _eldre(snapshot)


def oppdatert(visning: Iterable[Seksjonsvisning], ny: Iterable[Seksjonsvisning]) -> list[Seksjonsvisning]:
    """The application after an answer to a request for more information: the answer's sections replace
    the old (they are the whole application again); no sections in the answer means nothing changed."""
    ny_liste = list(ny)
    return ny_liste if ny_liste else list(visning)
