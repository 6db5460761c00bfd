"""Imports of FEST and ICD-10 files into the service's database, and the index served from them.

An import is written as a new generation beside the served one and switched to in the same transaction
that records its success; until then, and whenever it fails, the previous catalogue is served as it was.
FEST is a full extract: an entry the new file lacks is kept and marked gone, and a file with fewer than
`fest_min_share` of the entries in use is refused as truncated rather than marking most of them gone."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import tempfile
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integrasjon.katalog import DiagnoseOppslag, Katalog, LegemiddelOppslag
from integrasjon.register import lager
from integrasjon.register.fest_xml import (
    PREPARATTYPE_GODKJENNINGSFRITAK,
    FestFil,
    FestFormatFeil,
    Pakning,
    les_fest,
)
from integrasjon.register.icd10 import SYSTEM, Icd10FormatFeil, les_icd10, med_punktum
from integrasjon.schemas import PakningRead
from integrasjon.store import Diagnosekode, FestLegemiddel, FestPakning, RegisterImport
from shared.platform.clock import Clock
from shared.platform.katalog.katalog import fold

log = structlog.get_logger(__name__)

DATA = Path(__file__).resolve().parents[1] / "data"
FEST_EKSEMPEL = DATA / "fest251_eksempel.xml"
ICD10_EKSEMPEL = DATA / "icd10_eksempel.json"
FEST_SUFFIXES = (".xml", ".zip")
ICD10_SUFFIXES = (".json", ".txt", ".tsv")
_STATUS_ORDER = ("markedsfort", "midlertidig_utgatt", "ikke_markedsfort", "avregistrert")


class ImportFeil(Exception):
    """An import that was refused; the message is Norwegian, for the admin."""


@dataclass
class ImportResultat:
    register: str
    status: str
    """`ok`, `uendret` or `feilet`."""
    import_id: int | None = None
    antall: int = 0
    nye: int = 0
    endrede: int = 0
    borte: int = 0
    feil: str | None = None


@dataclass
class Kilde:
    """A file to import: where it came from, and what tells it from the last one (ETag, Last-Modified,
    or for a local file its name, size and modification time)."""

    beskrivelse: str
    path: Path
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Fremdrift:
    register: str
    kilde: str
    fase: str = "leser"
    tellere: dict[str, int] = field(default_factory=dict)


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


def _fingeravtrykk(row: dict[str, Any]) -> str:
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
        row["fingeravtrykk"] = _fingeravtrykk(row)
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
        row["fingeravtrykk"] = _fingeravtrykk(row)
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


@contextlib.contextmanager
def _xml_stream(path: Path) -> Iterator[IO[bytes]]:
    """The XML of a FEST file, or of the one XML file in DMP's zip (`fest251.zip`), as a stream."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            if not names:
                raise ImportFeil("Zip-filen inneholder ingen XML-fil.")
            with archive.open(names[0]) as stream:
                yield stream
    else:
        with path.open("rb") as stream:
            yield stream


def _les_fest_fil(path: Path, tellere: dict[str, int]) -> FestFil:
    with _xml_stream(path) as stream:
        return les_fest(stream, progress=tellere)


def _files_in(path: Path, suffixes: tuple[str, ...]) -> list[Path] | None:
    """The registry files of a folder; None when `path` is not a folder."""
    if not path.is_dir():
        return None
    return [p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes]


def lokal_etag(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


class Registre:
    """The registries of one integrasjon process: imports, the served index, and the scheduled checks."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        fest_kilde: str = "",
        icd10_kilde: str = "",
        icd10_versjon: str = "",
        min_andel: float = 0.8,
        sjekk_intervall_s: float = 3600.0,
        indeks_intervall_s: float = 30.0,
        eksempeldata: bool = False,
        http: httpx.AsyncClient | None = None,
    ):
        self.sessions = sessions
        self.clock = clock
        self.kilder = {lager.FEST: fest_kilde, lager.ICD10: icd10_kilde}
        self.icd10_versjon = icd10_versjon
        self.min_andel = min_andel
        self.sjekk_intervall_s = sjekk_intervall_s
        self.indeks_intervall_s = indeks_intervall_s
        self.eksempeldata = eksempeldata
        self.http = http
        self.indeks = Katalog()
        self.fremdrift: dict[str, Fremdrift] = {}
        self.sist_sjekket: dict[str, tuple[datetime, str]] = {}
        self._generasjoner: dict[str, int] = {}
        self._locks = {lager.FEST: asyncio.Lock(), lager.ICD10: asyncio.Lock()}
        self._task: asyncio.Task[None] | None = None

    # --- life cycle -------------------------------------------------------------------------------------
    async def start(self, *, schedule: bool = True) -> None:
        async with self.sessions() as session:
            await lager.avslutt_hengende(session, self.clock.now())
            await session.commit()
            active = await lager.aktive_generasjoner(session)
        if self.eksempeldata:
            if lager.FEST not in active:
                await self.importer_fest(str(FEST_EKSEMPEL))
            if lager.ICD10 not in active:
                await self.importer_icd10(str(ICD10_EKSEMPEL), versjon="2026")
        await self.last_indeks()
        if schedule:
            self._task = asyncio.create_task(self._loop(), name="integrasjon-registre")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        last_check = float("-inf")
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.indeks_intervall_s)
            try:
                # Another process (the CLI, a second replica) may have switched generations.
                await self.last_indeks()
                if loop.time() - last_check >= self.sjekk_intervall_s:
                    last_check = loop.time()
                    for register, kilde in self.kilder.items():
                        if kilde:
                            await self.hent_og_importer(register)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("registry_check_failed")

    # --- the index --------------------------------------------------------------------------------------
    async def last_indeks(self) -> bool:
        """Rebuild the index when the active generations changed; True if it did."""
        async with self.sessions() as session:
            active = await lager.aktive_generasjoner(session)
            if active == self._generasjoner and self.indeks.versjon != "0":
                return False
            fest = await lager.legemidler(session, active[lager.FEST]) if lager.FEST in active else []
            koder = await lager.diagnosekoder(session, active[lager.ICD10]) if lager.ICD10 in active else []
        versjon = "-".join(f"{k}{v}" for k, v in sorted(active.items())) or "tom"
        self.indeks = Katalog.bygg(
            (legemiddel_oppslag(r) for r in fest), (diagnose_oppslag(r) for r in koder), versjon=versjon
        )
        self._generasjoner = active
        log.info(
            "registry_index_loaded",
            legemidler=len(self.indeks.legemidler),
            diagnoser=len(self.indeks.diagnoser),
        )
        return True

    # --- imports ----------------------------------------------------------------------------------------
    async def _start_import(self, register: str, kilde: Kilde) -> int:
        async with self.sessions() as session:
            record = RegisterImport(
                register=register,
                status="pagar",
                kilde=kilde.beskrivelse[:1000],
                startet_at=self.clock.now(),
                antall=0,
                antall_pakninger=0,
                nye=0,
                endrede=0,
                borte=0,
                etag=kilde.etag,
                last_modified=kilde.last_modified,
            )
            session.add(record)
            await session.commit()
            return record.id

    async def _fail(self, import_id: int, feil: str) -> None:
        async with self.sessions() as session:
            record = await session.get(RegisterImport, import_id)
            if record is not None:
                record.status, record.feil, record.ferdig_at = "feilet", feil, self.clock.now()
                await session.commit()

    async def _run(self, register: str, kilde: Kilde, work: Any) -> ImportResultat:
        async with self._locks[register]:
            import_id = await self._start_import(register, kilde)
            self.fremdrift[register] = Fremdrift(register, kilde.beskrivelse)
            try:
                if not kilde.path.is_file():
                    raise ImportFeil(f"Fant ikke filen «{kilde.beskrivelse}».")
                result: ImportResultat = await work(import_id, self.fremdrift[register])
            except (ImportFeil, FestFormatFeil, Icd10FormatFeil) as exc:
                log.warning(
                    "registry_import_refused", register=register, kilde=kilde.beskrivelse, error=str(exc)
                )
                await self._fail(import_id, str(exc))
                return ImportResultat(register, "feilet", import_id, feil=str(exc))
            except Exception as exc:
                log.exception("registry_import_failed", register=register, kilde=kilde.beskrivelse)
                feil = (
                    f"Uventet feil under importen ({type(exc).__name__}). "
                    "Katalogen fra forrige import brukes fortsatt."
                )
                await self._fail(import_id, feil)
                return ImportResultat(register, "feilet", import_id, feil=feil)
            finally:
                self.fremdrift.pop(register, None)
        await self.last_indeks()
        return result

    async def _switch(
        self,
        session: AsyncSession,
        register: str,
        import_id: int,
        main: type[Any],
        rows: dict[type[Any], list[dict[str, Any]]],
        **record_fields: Any,
    ) -> ImportResultat:
        """Write the new generation, carry over what went, switch, and record it: one transaction."""
        now = self.clock.now()
        previous = await lager.las_aktiv(session, register)
        before = await lager.fingeravtrykk(session, main, previous) if previous is not None else {}
        present_before = sum(1 for _, gone in before.values() if gone is None)
        new_rows = rows[main]
        if not new_rows:
            raise ImportFeil("Filen inneholder ingen oppføringer. Den er ikke tatt i bruk.")
        if present_before and len(new_rows) < self.min_andel * present_before:
            raise ImportFeil(
                f"Filen har bare {len(new_rows)} oppføringer mot {present_before} i katalogen som er i bruk "
                f"(under {self.min_andel:.0%}). Den ser avkortet ut og er ikke tatt i bruk; katalogen fra "
                "forrige import brukes fortsatt."
            )
        key_columns = [c.key for c in lager._key_columns(main)]
        new_keys = set()
        nye = endrede = 0
        for row in new_rows:
            key = tuple(row[k] for k in key_columns)
            new_keys.add(key)
            old = before.get(key)
            if old is None or old[1] is not None:
                nye += 1
            elif old[0] != row["fingeravtrykk"]:
                endrede += 1
        borte = sum(1 for key, (_, gone) in before.items() if gone is None and key not in new_keys)
        for model, model_rows in rows.items():
            await lager.skriv(
                session, model, [{**r, "generasjon": import_id, "borte_siden": None} for r in model_rows]
            )
            if previous is not None:
                await lager.bevar_borte(session, model, ny=import_id, forrige=previous, na=now)
        await lager.bytt_aktiv(session, register, import_id, now)
        record = await session.get(RegisterImport, import_id)
        assert record is not None
        record.status, record.ferdig_at = "ok", now
        record.antall, record.nye, record.endrede, record.borte = len(new_rows), nye, endrede, borte
        for name, value in record_fields.items():
            setattr(record, name, value)
        await session.commit()
        # Older generations are no longer served; removed after the switch, outside its transaction.
        await lager.slett_andre_generasjoner(session, register, import_id)
        await session.commit()
        log.info(
            "registry_imported",
            register=register,
            antall=len(new_rows),
            nye=nye,
            endrede=endrede,
            borte=borte,
        )
        return ImportResultat(register, "ok", import_id, len(new_rows), nye, endrede, borte)

    async def _download_failed(self, register: str, kilde: str, feil: str) -> ImportResultat:
        import_id = await self._start_import(register, Kilde(kilde, Path()))
        await self._fail(import_id, feil)
        return ImportResultat(register, "feilet", import_id, feil=feil)

    async def importer_fest(self, kilde: str | Kilde) -> ImportResultat:
        """Import a FEST file (XML or DMP's zip) from a path or URL; the CLI and the schedule call this."""
        try:
            return await self._importer_fest(kilde)
        except ImportFeil as exc:  # only the download raises out of `_run`
            return await self._download_failed(lager.FEST, str(kilde), str(exc))

    async def importer_icd10(self, kilde: str | Kilde, *, versjon: str = "") -> ImportResultat:
        try:
            return await self._importer_icd10(kilde, versjon=versjon)
        except ImportFeil as exc:
            return await self._download_failed(lager.ICD10, str(kilde), str(exc))

    async def _importer_fest(self, kilde: str | Kilde) -> ImportResultat:
        async with self._kilde(kilde, lager.FEST) as found:
            if found is None:
                return ImportResultat(lager.FEST, "uendret")

            async def work(import_id: int, fremdrift: Fremdrift) -> ImportResultat:
                fil = await asyncio.to_thread(_les_fest_fil, found.path, fremdrift.tellere)
                fremdrift.fase = "lagrer"
                brands, packs = fest_rader(fil, self.clock.now().date())
                async with self.sessions() as session:
                    return await self._switch(
                        session,
                        lager.FEST,
                        import_id,
                        FestLegemiddel,
                        {FestLegemiddel: brands, FestPakning: packs},
                        versjon=f"FEST {fil.versjon}",
                        hentet_dato=fil.hentet_dato[:40] or None,
                        antall_pakninger=len(packs),
                    )

            return await self._run(lager.FEST, found, work)

    async def _importer_icd10(self, kilde: str | Kilde, *, versjon: str = "") -> ImportResultat:
        versjon = versjon or self.icd10_versjon or str(self.clock.now().year)
        async with self._kilde(kilde, lager.ICD10) as found:
            if found is None:
                return ImportResultat(lager.ICD10, "uendret")

            async def work(import_id: int, fremdrift: Fremdrift) -> ImportResultat:
                koder = les_icd10(await asyncio.to_thread(found.path.read_bytes))
                fremdrift.tellere["koder"] = len(koder)
                fremdrift.fase = "lagrer"
                rows = []
                for d in koder:
                    row: dict[str, Any] = {
                        "system": SYSTEM,
                        "kode": d.kode,
                        "versjon": versjon[:20],
                        "tekst": d.tekst[:1000],
                        "aktiv": d.aktiv,
                        "foreldre": d.foreldre,
                        "kjonn": d.kjonn,
                    }
                    # A new year's edition changes no code by itself: only text, status and flags count.
                    row["fingeravtrykk"] = _fingeravtrykk({k: v for k, v in row.items() if k != "versjon"})
                    rows.append(row)
                async with self.sessions() as session:
                    return await self._switch(
                        session,
                        lager.ICD10,
                        import_id,
                        Diagnosekode,
                        {Diagnosekode: rows},
                        versjon=f"ICD-10 {versjon}",
                    )

            return await self._run(lager.ICD10, found, work)

    async def hent_og_importer(self, register: str) -> ImportResultat:
        """The scheduled check: import the configured source if it holds something new."""
        kilde = self.kilder[register]
        if not kilde.startswith(("http://", "https://")):
            path = Path(kilde)
            if await asyncio.to_thread(path.is_file) and await self._same_as_last(
                register, str(path), etag=lokal_etag(path)
            ):
                self.sist_sjekket[register] = (self.clock.now(), "uendret")
                return ImportResultat(register, "uendret")
        if register == lager.FEST:
            return await self.importer_fest(kilde)
        return await self.importer_icd10(kilde)

    # --- sources ----------------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _kilde(self, kilde: str | Kilde, register: str) -> AsyncIterator[Kilde | None]:
        """The file to import; None when the source has nothing newer than the last import from it."""
        if isinstance(kilde, Kilde):
            yield kilde
            return
        if kilde.startswith(("http://", "https://")):
            async with self._last_ned(kilde, register) as downloaded:
                yield downloaded
            return
        path = Path(kilde)
        suffixes = FEST_SUFFIXES if register == lager.FEST else ICD10_SUFFIXES
        files = await asyncio.to_thread(_files_in, path, suffixes)
        if files is not None:
            if not files:
                self.sist_sjekket[register] = (self.clock.now(), "ingen filer i mappen")
                yield None
                return
            path = max(files, key=lambda p: p.stat().st_mtime_ns)
            etag = lokal_etag(path)
            if await self._same_as_last(register, str(path), etag=etag):
                self.sist_sjekket[register] = (self.clock.now(), "uendret")
                yield None
                return
            yield Kilde(str(path), path, etag=etag)
            return
        # A missing file is reported by the import itself, as a failed import the admin sees.
        yield Kilde(str(path), path, etag=lokal_etag(path) if path.is_file() else None)

    async def _same_as_last(self, register: str, beskrivelse: str, *, etag: str | None) -> bool:
        async with self.sessions() as session:
            last = await lager.siste_vellykkede(session, register)
        return last is not None and last.kilde == beskrivelse and etag is not None and last.etag == etag

    @contextlib.asynccontextmanager
    async def _last_ned(self, url: str, register: str) -> AsyncIterator[Kilde | None]:
        """Conditional GET (If-None-Match / If-Modified-Since from the last import of this URL), streamed to
        a temporary file, never held in memory."""
        async with self.sessions() as session:
            last = await lager.siste_vellykkede(session, register)
        headers: dict[str, str] = {}
        if last is not None and last.kilde == url:
            if last.etag:
                headers["if-none-match"] = last.etag
            if last.last_modified:
                headers["if-modified-since"] = last.last_modified
        client = self.http or httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        try:
            with tempfile.TemporaryDirectory(prefix="register-") as folder:
                target = Path(folder) / "nedlastet"
                try:
                    async with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
                        if response.status_code == 304:
                            self.sist_sjekket[register] = (self.clock.now(), "uendret")
                            yield None
                            return
                        if response.status_code != 200:
                            raise ImportFeil(f"Nedlastingen fra {url} feilet: HTTP {response.status_code}.")
                        with target.open("wb") as out:
                            async for chunk in response.aiter_bytes(1 << 20):
                                out.write(chunk)
                        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
                except httpx.HTTPError as exc:
                    raise ImportFeil(f"Nedlastingen fra {url} feilet: {type(exc).__name__}.") from exc
                self.sist_sjekket[register] = (self.clock.now(), "ny fil")
                yield Kilde(url, target, etag=etag, last_modified=modified)
        finally:
            if self.http is None:
                await client.aclose()

    async def pakninger(self, merkevare_id: str) -> list[PakningRead]:
        generasjon = self._generasjoner.get(lager.FEST)
        if generasjon is None:
            return []
        async with self.sessions() as session:
            rows = await lager.pakninger(session, generasjon, merkevare_id)
        idag = self.clock.now().date()
        return [
            PakningRead(
                fest_id=r.fest_id,
                varenr=r.varenr,
                navn_form_styrke=r.navn_form_styrke,
                pakningsstr=r.pakningsstr,
                enhet=r.enhet,
                aip_nok=r.aip_ore / 100 if r.aip_ore is not None else None,
                aup_nok=r.aup_ore / 100 if r.aup_ore is not None else None,
                refusjonspris_nok=r.refusjonspris_ore / 100 if r.refusjonspris_ore is not None else None,
                markedsstatus=markedsstatus(
                    avreg=r.avreg_dato, utgatt=r.midl_utgatt_dato, markedsfort=r.markedsforingsdato, idag=idag
                ),
                borte=r.borte_siden is not None,
            )
            for r in rows
        ]

    # --- what the admin sees ----------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        async with self.sessions() as session:
            for register in (lager.FEST, lager.ICD10):
                imports = await lager.siste_importer(session, register)
                running = self.fremdrift.get(register)
                checked = self.sist_sjekket.get(register)
                result[register] = {
                    "kilde": self.kilder[register] or None,
                    "aktiv_generasjon": self._generasjoner.get(register),
                    "pagar": (
                        {"kilde": running.kilde, "fase": running.fase, "tellere": dict(running.tellere)}
                        if running
                        else None
                    ),
                    "sist_sjekket": {"at": checked[0], "resultat": checked[1]} if checked else None,
                    "importer": [_import_dict(i) for i in imports],
                }
        return result


def _import_dict(i: RegisterImport) -> dict[str, Any]:
    return {
        "id": i.id,
        "status": i.status,
        "kilde": i.kilde,
        "startet_at": i.startet_at,
        "ferdig_at": i.ferdig_at,
        "versjon": i.versjon,
        "hentet_dato": i.hentet_dato,
        "antall": i.antall,
        "antall_pakninger": i.antall_pakninger,
        "nye": i.nye,
        "endrede": i.endrede,
        "borte": i.borte,
        "feil": i.feil,
    }
