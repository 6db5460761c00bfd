"""Rows of the registry tables built from a read file, and index entries built from stored rows."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Final

from integrasjon.katalog import DiagnoseOppslag, LegemiddelOppslag
from integrasjon.register.fest_xml import PREPARATTYPE_GODKJENNINGSFRITAK, FestFil, Pakning
from integrasjon.register.icd10 import med_punktum
from integrasjon.store import Diagnosekode, FestLegemiddel
from shared.platform.katalog.katalog import fold

_STATUS_ORDER: Final = ("markedsfort", "midlertidig_utgatt", "ikke_markedsfort", "avregistrert")
"""A brand's market status is its best pack's."""


class ImportFeil(Exception):
    """An import that was refused; the message is Norwegian, for the admin."""


def _dato(verdi: str | None) -> date | None:
    if not verdi:
        return None
    try:
        return date.fromisoformat(verdi[:10])
    except ValueError:
        return None


def _pakningsstatus(p: Pakning, idag: date) -> str:
    return markedsstatus(
        avreg=_dato(p.avreg_dato),
        utgatt=_dato(p.midl_utgatt_dato),
        markedsfort=_dato(p.markedsforingsdato),
        idag=idag,
    )


def markedsstatus(*, avreg: date | None, utgatt: date | None, markedsfort: date | None, idag: date) -> str:
    if avreg is not None and avreg <= idag:
        return "avregistrert"
    if utgatt is not None and utgatt <= idag:
        return "midlertidig_utgatt"
    if markedsfort is not None and markedsfort <= idag:
        return "markedsfort"
    return "ikke_markedsfort"


def fingeravtrykk(row: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def fest_rader(fil: FestFil, idag: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the brand and pack tables, substances resolved and market status derived from packs."""
    packs_by_brand: dict[str, list[Pakning]] = {}
    pack_rows: dict[str, dict[str, Any]] = {}
    for p in fil.pakninger:
        if p.fest_id in pack_rows:
            raise ImportFeil(f"Pakningen {p.fest_id} står mer enn én gang i filen.")
        packs_by_brand.setdefault(p.merkevare_id, []).append(p)
        row: dict[str, Any] = {
            "fest_id": p.fest_id,
            "merkevare_id": p.merkevare_id,
            "varenr": p.varenr[:20],
            "navn_form_styrke": p.navn_form_styrke[:500],
            "pakningsstr": p.pakningsstr[:40],
            "enhet": p.enhet[:60],
            "aip_ore": p.priser_ore.get("aip"),
            "aup_ore": p.priser_ore.get("aup"),
            "refusjonspris_ore": p.priser_ore.get("refusjonspris"),
            "markedsforingsdato": _dato(p.markedsforingsdato),
            "midl_utgatt_dato": _dato(p.midl_utgatt_dato),
            "avreg_dato": _dato(p.avreg_dato),
        }
        row["fingeravtrykk"] = fingeravtrykk(row)
        pack_rows[p.fest_id] = row
    brand_rows: dict[str, dict[str, Any]] = {}
    for m in fil.merkevarer:
        if m.fest_id in brand_rows:
            raise ImportFeil(f"Legemiddelet {m.fest_id} ({m.navn_form_styrke}) står mer enn én gang i filen.")
        strengths = [
            fil.virkestoff_med_styrke[r] for r in m.virkestoff_med_styrke if r in fil.virkestoff_med_styrke
        ]
        substances = [fil.virkestoff[s.virkestoff_id] for s in strengths if s.virkestoff_id in fil.virkestoff]
        statuses = {_pakningsstatus(p, idag) for p in packs_by_brand.get(m.fest_id, [])}
        status = next((s for s in _STATUS_ORDER if s in statuses), "ingen_pakning")
        row = {
            "fest_id": m.fest_id,
            "navn": m.navn[:300],
            "navn_form_styrke": m.navn_form_styrke[:500],
            "virkestoff": ", ".join(dict.fromkeys(s.navn for s in substances))[:500],
            "virkestoff_engelsk": ", ".join(
                dict.fromkeys(s.navn_engelsk for s in substances if s.navn_engelsk)
            )[:500],
            "atc": m.atc[:10],
            "legemiddelform": m.legemiddelform[:300],
            "styrke": "/".join(s.styrke for s in strengths if s.styrke)[:300],
            "preparattype": m.preparattype[:10],
            "reseptgruppe": m.reseptgruppe[:10],
            "produsent": m.produsent[:300],
            "smpc_url": m.smpc_url[:1000] if m.smpc_url else None,
            "markedsstatus": status,
        }
        row["fingeravtrykk"] = fingeravtrykk(row)
        brand_rows[m.fest_id] = row
    return list(brand_rows.values()), list(pack_rows.values())


def legemiddel_oppslag(row: FestLegemiddel) -> LegemiddelOppslag:
    return LegemiddelOppslag(
        fest_id=row.fest_id,
        navn=row.navn,
        navn_form_styrke=row.navn_form_styrke,
        virkestoff=row.virkestoff,
        atc=row.atc,
        legemiddelform=row.legemiddelform,
        styrke=row.styrke,
        krever_godkjenningsfritak=row.preparattype == PREPARATTYPE_GODKJENNINGSFRITAK,
        smpc_url=row.smpc_url,
        sokeord=tuple(s for s in row.virkestoff_engelsk.split(", ") if s and fold(s) != fold(row.virkestoff)),
        markedsstatus=row.markedsstatus,
        borte=row.borte_siden is not None,
    )


def diagnose_oppslag(row: Diagnosekode) -> DiagnoseOppslag:
    return DiagnoseOppslag(
        kode=med_punktum(row.kode),
        tekst=row.tekst,
        system=row.system,
        versjon=row.versjon,
        aktiv=row.aktiv,
        foreldre=med_punktum(row.foreldre) if row.foreldre else None,
        kjonn=row.kjonn,
        borte=row.borte_siden is not None,
    )
