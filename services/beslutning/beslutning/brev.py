"""The decision letter's content, one structure for the page and the PDF: what was decided, exactly
what it covers, the conditions, who pays, the reasons, who decided and when, and what happens next.

A refusal explains what it means and what the applicant can do; only a grant's prescription remark
mentions the løpenummer on a prescription."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from beslutning.domain import GRANTED, KATEGORI_LABELS, UTFALL_LABELS
from shared.domain.kalender import oslo_date
from shared.domain.trusts import hf_navn
from shared.platform.web.templating import format_date, format_nok

VILKAR_LABELS = {
    "evaluering": "Evaluering",
    "stoppregel": "Stoppregel",
    "registrering": "Registrering",
    "pasientinformasjon": "Informasjon til pasienten",
    "annet": "Annet vilkår",
}


@dataclass(frozen=True)
class Brevseksjon:
    overskrift: str
    linjer: list[tuple[str, str]] = field(default_factory=list)
    """Label and value pairs."""
    avsnitt: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Brev:
    vedtak_id: str
    hf: str
    hf_navn: str
    lopenummer: str
    dato: date
    tittel: str
    mottakere: list[str]
    gjelder: str
    utfall: str
    utfall_tekst: str
    ingress: str
    seksjoner: list[Brevseksjon]
    underskrift: str
    underskrift_merknad: str = "Vedtaket er fattet i Søknadsportalen og er gyldig uten underskrift."


def _d(value: str | date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value)


def _omfang(omfang: Mapping[str, Any], enhet_navn: str) -> Brevseksjon:
    lm = omfang.get("legemiddel") or {}
    ind = omfang.get("indikasjon") or {}
    legemiddel = " – ".join(x for x in (lm.get("navn"), lm.get("virkestoff")) if x)
    koder = ", ".join(
        x
        for x in (
            f"ATC {lm['atc']}" if lm.get("atc") else "",
            f"FEST {lm['fest_id']}" if lm.get("fest_id") else "",
        )
        if x
    )
    linjer = [
        ("Legemiddel", legemiddel + (f" ({koder})" if koder else "")),
        ("Indikasjon", f"{ind.get('kode', '')} {ind.get('tekst', '')}".strip()),
    ]
    if omfang.get("dosering"):
        linjer.append(("Dosering", str(omfang["dosering"])))
    if omfang.get("antall_kurer"):
        linjer.append(("Antall kurer", str(omfang["antall_kurer"])))
    periode = " – ".join(x for x in (_d(omfang.get("gyldig_fra")), _d(omfang.get("gyldig_til"))) if x)
    if periode:
        linjer.append(("Periode", periode))
    linjer.append(("Behandlende enhet", enhet_navn))
    return Brevseksjon("Hva vedtaket omfatter", linjer=linjer)


def _neste_steg_avslag(kategori: str) -> list[str]:
    steg = [
        "Avslaget betyr at helseforetaket ikke finansierer behandlingen som søknaden gjelder. "
        "Behandlingen skal ikke startes med sykehusets finansiering på grunnlag av denne søknaden.",
        "Snakk med pasienten om vedtaket og om andre behandlingsmuligheter, for eksempel godkjent behandling "
        "eller en klinisk studie.",
        "Du kan sende en ny søknad hvis det kommer nye opplysninger, for eksempel om effekt av "
        "annen behandling, "
        "ny dokumentasjon eller endret alvorlighet.",
    ]
    if kategori == "unntaksordningen":
        steg.append("Vedtak etter unntaksordningen i Nye metoder kan ikke påklages.")
    else:
        steg.append("Har du spørsmål om vedtaket, kontakt fagdirektørens kontor og oppgi saksnummeret.")
    return steg


def build(
    *,
    sak: Mapping[str, Any],
    vedtak: Any,
    erstattet: Any | None,
    enhet_navn: str,
) -> Brev:
    """`sak`: the case's snapshot and columns (lopenummer, hf, kategori, interregional); `vedtak`: the
    decision row; `erstattet`: the decision it amends or revokes, if any."""
    snap: Mapping[str, Any] = sak["snapshot"]
    lopenummer = str(sak["lopenummer"])
    hf = str(sak["hf"])
    forankring = snap.get("forankring") or {}
    mottakere = [f"{snap.get('soker_navn', '')} (søker)"]
    if forankring.get("leder_navn"):
        mottakere.append(f"{forankring['leder_navn']} (leder, {enhet_navn})")
    pasient = snap.get("pasient") or {}
    if pasient:
        gjelder = f"{pasient.get('navn', '')}, fødselsnummer {pasient.get('fodselsnummer', '')}"
    else:
        gjelder = f"Pasientgruppe: {snap.get('gruppe_beskrivelse') or ''}"
    dato = oslo_date(vedtak.fattet_at)
    seksjoner: list[Brevseksjon] = []
    granted = vedtak.utfall in GRANTED
    kategori = str(sak.get("kategori") or snap.get("kategori") or "")
    lm = snap.get("legemiddel") or {}
    ind = snap.get("indikasjon") or {}
    # Tilgangsordningen: the interregional committee decided; the trust's director only registered it,
    # so the letter must not read as if she had decided.
    interregional = vedtak.vurderingsflyt == "interregional" and vedtak.art != "opphevelse"
    inter = sak.get("interregional") or {}
    referanse = str(inter.get("referanse") or vedtak.interregional_referanse or "")
    vedtaksdato = inter.get("vedtaksdato")
    soknaden = f"{lm.get('navn', '')} ved {ind.get('kode', '')} {ind.get('tekst', '')}".strip()

    if vedtak.art == "opphevelse":
        tittel = "Vedtak om opphevelse"
        utfall_tekst = "Vedtaket er opphevet"
        ingress = (
            f"Vedtaket av {_d(oslo_date(erstattet.fattet_at)) if erstattet else ''} om {soknaden} "
            f"({KATEGORI_LABELS.get(kategori, kategori)}) er opphevet fra {_d(vedtak.gyldig_fra)}. "
            "Behandlingen er ikke lenger sykehusfinansiert etter denne datoen."
        )
        seksjoner.append(Brevseksjon("Begrunnelse", avsnitt=[vedtak.begrunnelse]))
        seksjoner.append(
            Brevseksjon(
                "Hva dette betyr",
                avsnitt=[
                    "Ny behandling med sykehusets finansiering kan ikke startes på grunnlag av det "
                    "opphevede vedtaket.",
                    "Har du spørsmål, kontakt fagdirektørens kontor og oppgi saksnummeret.",
                ],
            )
        )
    else:
        tittel = "Vedtak om endring" if vedtak.art == "endring" else "Vedtak"
        utfall_tekst = UTFALL_LABELS[vedtak.utfall]
        ingress = (
            f"Søknaden om {soknaden} ({KATEGORI_LABELS.get(kategori, kategori)}) er {utfall_tekst.lower()}."
        )
        if vedtak.art == "endring" and erstattet is not None:
            ingress += f" Dette vedtaket erstatter vedtaket av {_d(oslo_date(erstattet.fattet_at))}."
        if interregional:
            ingress += (
                " Vedtaket er fattet av den interregionale vurderingskomiteen i tilgangsordningen"
                f" (referanse {referanse}, {_d(vedtaksdato)}), og registrert av {hf_navn(hf)}."
            )
            seksjoner.append(
                Brevseksjon(
                    "Hvem som har fattet vedtaket",
                    linjer=[
                        ("Vedtaket er fattet av", "Den interregionale vurderingskomiteen"),
                        ("Komiteens referanse", referanse),
                        ("Komiteens vedtaksdato", _d(vedtaksdato)),
                        ("Registrert av", f"{vedtak.fattet_av_navn}, fagdirektør, {_d(dato)}"),
                    ],
                )
            )
        if granted and vedtak.omfang:
            seksjoner.append(_omfang(vedtak.omfang, enhet_navn))
        if granted and vedtak.vilkar_liste:
            seksjoner.append(
                Brevseksjon(
                    "Vilkår",
                    linjer=[
                        (
                            VILKAR_LABELS.get(v["type"], v["type"]),
                            v["tekst"] + (f" (innen {_d(v.get('dato'))})" if v.get("dato") else ""),
                        )
                        for v in vedtak.vilkar_liste
                    ],
                )
            )
        elif granted and vedtak.vilkar:
            seksjoner.append(Brevseksjon("Vilkår", avsnitt=[vedtak.vilkar]))
        if granted:
            betaler = [("Kostnadssted", vedtak.kostnadssted or "Ikke oppgitt")]
            kostnad = snap.get("estimert_kostnad_nok")
            if isinstance(kostnad, int):
                betaler.append(("Anslått kostnad per år", format_nok(kostnad)))
            if vedtak.faktureringsrutine:
                betaler.append(("Faktureringsrutine", vedtak.faktureringsrutine))
            seksjoner.append(Brevseksjon(f"Hvem betaler: {hf_navn(hf)}", linjer=betaler))
            merknad = vedtak.resept_merknad or f"Sykehusfinansiert etter vedtak {lopenummer}."
            seksjoner.append(
                Brevseksjon(
                    "Resept",
                    avsnitt=[
                        f"Skriv løpenummeret {lopenummer} i merknadsfeltet på resepten, slik: «{merknad}»",
                        "Behandlingsplanen dokumenteres i pasientjournalen før behandlingen starter.",
                    ],
                )
            )
        seksjoner.append(Brevseksjon("Begrunnelse", avsnitt=[vedtak.begrunnelse]))
        if not granted:
            seksjoner.append(
                Brevseksjon("Hva avslaget betyr, og hva du kan gjøre", avsnitt=_neste_steg_avslag(kategori))
            )
        else:
            seksjoner.append(
                Brevseksjon(
                    "Oppfølging",
                    avsnitt=[
                        "Registrer effekt og eventuelle bivirkninger som oppfølging av saken i "
                        "Søknadsportalen. "
                        "Før perioden er over kan du søke om videre behandling."
                    ],
                )
            )
    return Brev(
        vedtak_id=vedtak.id,
        hf=hf,
        hf_navn=hf_navn(hf),
        lopenummer=lopenummer,
        dato=dato,
        tittel=tittel,
        mottakere=mottakere,
        gjelder=gjelder,
        utfall=vedtak.utfall if vedtak.art != "opphevelse" else "opphevet",
        utfall_tekst=utfall_tekst,
        ingress=ingress,
        seksjoner=seksjoner,
        underskrift=(
            f"Den interregionale vurderingskomiteens vedtak {referanse} av {_d(vedtaksdato)}, registrert av "
            f"{vedtak.fattet_av_navn}, fagdirektør, {format_date(dato)}"
            if interregional
            else f"{vedtak.fattet_av_navn}, fagdirektør, {format_date(dato)}"
        ),
        underskrift_merknad=(
            "Vedtaket er registrert i Søknadsportalen og er gyldig uten underskrift."
            if interregional
            else "Vedtaket er fattet i Søknadsportalen og er gyldig uten underskrift."
        ),
    )


def text_lines(brev: Brev) -> Sequence[str]:
    """The letter as plain lines (tests and the PDF's text layer read the same words)."""
    lines = [brev.hf_navn, f"{brev.tittel} – saksnummer {brev.lopenummer}", brev.ingress]
    for s in brev.seksjoner:
        lines.append(s.overskrift)
        lines += [f"{k}: {v}" for k, v in s.linjer]
        lines += s.avsnitt
    lines += [brev.underskrift, brev.underskrift_merknad]
    return lines
