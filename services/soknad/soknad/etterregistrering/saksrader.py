"""A checked row as the records of a decided case: the `soknad` row's values, its history line, the
`SakEtterregistrert` event as the outbox stores it.

Built in two steps so the expensive one can run off the event loop: `forbered` does everything that does
not depend on the batch's transaction (ids, the JSON of the case's content and decision, the event's body
around its løpenummer) and is pure, so the runner calls it in a thread for the next batch while the
current one waits on PostgreSQL; the write (`skriving`) then only puts in the løpenumre the transaction
reserved. JSON is written here from templates: a file names a few hundred drugs and codes, so their JSON
is made once each (cached), and the rest of a row is a handful of strings and numbers."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from shared.domain.kalender import OSLO
from shared.events.contracts import SakEtterregistrert
from soknad.domain import Status

SOKER_ID = "etterregistrering"
"""The applicant of an imported case: no user of the system wrote it."""
BEGRUNNELSE = "Etterregistrert vedtak, fattet før Søknadsportalen ble tatt i bruk."

Gyldig = tuple[int, str, dict[str, Any]]
"""A checked row: its number, its stable key, its values as the import stores them."""

compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""JSON as pydantic writes it: no spaces, non-ASCII as is."""

_BEGRUNNELSE_JSON = encode_basestring(BEGRUNNELSE)


class Forberedt(NamedTuple):
    """A checked row made ready for the write: all but what the batch's transaction decides. A tuple:
    100,000 of them are built per file, and a frozen dataclass's constructor costs several times more."""

    radnummer: int
    nokkel: str
    saksreferanse: str | None
    aar: int
    """The year of the application, whose løpenummer series the case takes a number from."""
    soknad_id: str
    event_id: str
    soknad_midt: tuple[Any, ...]
    """`SOKNAD_COLUMNS` from `type` to `versjon` (JSON columns as JSON text)."""
    soknad_slutt: tuple[Any, ...]
    """`SOKNAD_COLUMNS` from `sendt_at` to the end."""
    hendelse_hale: str
    """The event's data after its løpenummer, up to (not including) `registrert_*` and the brace."""
    fodselsnummer: str | None


def forbered(rows: Sequence[Gyldig]) -> list[Forberedt]:
    """Pure (no database, no shared state but thread-safe caches): safe in a worker thread."""
    soknad_ids = uuid4s(len(rows))
    event_ids = uuid4s(len(rows))
    return [
        _forbered(row, soknad_id, event_id)
        for row, soknad_id, event_id in zip(rows, soknad_ids, event_ids, strict=True)
    ]


def _forbered(row: Gyldig, soknad_id: str, event_id: str) -> Forberedt:
    radnummer, nokkel, data = row
    legemiddel = data["legemiddel"]
    lm_key = (
        legemiddel["navn"],
        legemiddel["virkestoff"],
        legemiddel.get("atc"),
        legemiddel.get("fest_id"),
        legemiddel.get("legemiddelform"),
        legemiddel.get("styrke"),
    )
    kode, tekst = data["indikasjon"]["kode"], data["indikasjon"]["tekst"]
    enkeltpasient = data["type"] == "enkeltpasient"
    gruppe_storrelse = data.get("gruppe_storrelse")
    kostnad = data.get("estimert_kostnad_nok")
    saksreferanse = data.get("saksreferanse")
    gyldig_til = data.get("gyldig_til") or None
    vedtatt_at = noon(data["vedtak_dato"])

    innhold = f'{{"legemiddel":{_innhold_legemiddel(lm_key)},"indikasjon":{_innhold_indikasjon(kode, tekst)}'
    if enkeltpasient:
        innhold += (
            f',"pasient_fodselsnummer":{_s(data["fodselsnummer"])},"pasient_navn":{_s(data["pasient_navn"])}'
        )
    elif gruppe_storrelse:
        innhold += f',"gruppe_storrelse":{int(gruppe_storrelse)}'
    if kostnad is not None:
        innhold += f',"estimert_kostnad_nok":{int(kostnad)}'
    innhold += "}"
    vedtak = (
        f'{{"utfall":{_s(data["utfall"])},"begrunnelse":{_BEGRUNNELSE_JSON},"gyldig_til":{_s(data.get("gyldig_til"))},'
        f'"fattet_at":"{vedtatt_at.isoformat()}","etterregistrert":true,"saksreferanse":{_s(saksreferanse)}}}'
    )

    if enkeltpasient:
        pasient = (
            f'{{"fodselsnummer":{_s(data["fodselsnummer"])},"navn":{_s(data["pasient_navn"])},'
            f'"fodselsdato":{_s(data.get("fodselsdato"))},"kjonn":{_s(data.get("kjonn"))}}}'
        )
    else:
        pasient = "null"
    hale = (
        f'"type":{_s(data["type"])},"kategori":{_s(data["kategori"])},"enhet":{_s(data["enhet"])},'
        f'"pasient":{pasient},"gruppe_storrelse":{_n(gruppe_storrelse)},'
        f'"legemiddel":{_hendelse_legemiddel(lm_key)},"indikasjon":{_hendelse_indikasjon(kode, tekst)},'
        f'"utfall":{_s(data["utfall"])},"sendt_dato":{_s(data["sendt_dato"])},'
        f'"vedtak_dato":{_s(data["vedtak_dato"])},"gyldig_til":{_s(gyldig_til)},'
        f'"estimert_kostnad_nok":{_n(kostnad)}'
    )
    navn = lm_key[0] if legemiddel.get("navn") else None
    virkestoff = legemiddel.get("virkestoff")
    return Forberedt(
        radnummer=radnummer,
        nokkel=nokkel,
        saksreferanse=saksreferanse,
        aar=int(data["sendt_dato"][:4]),
        soknad_id=soknad_id,
        event_id=event_id,
        soknad_midt=(
            data["type"],
            data["kategori"],
            Status.VEDTATT.value,
            SOKER_ID,
            data.get("soker_navn") or "Ukjent (etterregistrert)",
            data["enhet"],
            "[]",
            innhold,
            1,
            vedtak,
            1,
        ),
        soknad_slutt=(
            noon(data["sendt_dato"]),
            vedtatt_at,
            data["utfall"],
            navn,
            (virkestoff or "").lower() or None,
            legemiddel.get("atc") or None,
            kode,
            tekst,
        ),
        hendelse_hale=hale,
        fodselsnummer=data.get("fodselsnummer"),
    )


def event_data_json(rad: Forberedt, lopenummer: str, registrert: str) -> str:
    """`SakEtterregistrert`'s data as `model_dump_json` writes it; `registrert` is `registrert_json`'s."""
    return f'{{"soknad_id":"{rad.soknad_id}","lopenummer":{_s(lopenummer)},{rad.hendelse_hale},{registrert}}}'


def registrert_json(user_id: str, at: datetime) -> str:
    """The event's last two fields, the same for every case of a batch."""
    return f'"registrert_av":{_s(user_id)},"registrert_at":"{json_time(at)}"'


def envelope_head(hf: str, now: datetime) -> str:
    """The envelope's attributes that are the same for every event of the batch (`Envelope`'s fields)."""
    return (
        f'"source":{encode_basestring(f"/hf/{hf}/soknad")},"type":"{SakEtterregistrert.TYPE}",'
        f'"time":"{json_time(now)}","datacontenttype":"application/json","hf":{encode_basestring(hf)},'
    )


def json_time(at: datetime) -> str:
    """As pydantic writes an aware UTC datetime."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


@lru_cache(maxsize=20_000)
def noon(day: str) -> datetime:
    """A date as an instant: noon in Oslo, so the day and month are the same in every time zone we show."""
    return datetime.combine(date.fromisoformat(day), time(12), OSLO).astimezone(UTC)


def uuid4s(n: int) -> list[str]:
    """`n` random (version 4) UUIDs as text: `uuid.uuid4()` builds an object per id, several times slower."""
    raw = os.urandom(16 * n)
    out = []
    for i in range(0, 16 * n, 16):
        b = bytearray(raw[i : i + 16])
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


# --- the JSON of a drug and a code, once per distinct value ------------------------------------------

LegemiddelNokkel = tuple[str, str, str | None, str | None, str | None, str | None]
"""navn, virkestoff, atc, fest_id, legemiddelform, styrke."""
_LM_FIELDS = ("navn", "virkestoff", "atc", "fest_id", "legemiddelform", "styrke")


@lru_cache(maxsize=4096)
def _innhold_legemiddel(lm: LegemiddelNokkel) -> str:
    """As the form stores a verified drug: the fields that have a value, and `verifisert`."""
    return compact({k: v for k, v in zip(_LM_FIELDS, lm, strict=True) if v} | {"verifisert": True})


@lru_cache(maxsize=4096)
def _hendelse_legemiddel(lm: LegemiddelNokkel) -> str:
    """As the event's `Legemiddel` writes it: every field, null when empty."""
    return compact(dict(zip(_LM_FIELDS, lm, strict=True)) | {"verifisert": True})


@lru_cache(maxsize=4096)
def _innhold_indikasjon(kode: str, tekst: str) -> str:
    return compact({"kode": kode, "tekst": tekst, "verifisert": True})


@lru_cache(maxsize=4096)
def _hendelse_indikasjon(kode: str, tekst: str) -> str:
    return compact({"kode": kode, "tekst": tekst, "system": "icd10", "verifisert": True})


def _s(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _n(value: int | None) -> str:
    return "null" if value is None else str(int(value))
