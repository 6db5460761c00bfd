"""Imports of FEST and ICD-10 files into the service's database, and the index served from them.

An import is written as a new generation beside the served one and switched to in the same transaction
that records its success; until then, and whenever it fails, the previous catalogue is served as it was.
FEST is a full extract: an entry the new file lacks is kept and marked gone, and a file with fewer than
`fest_min_share` of the entries in use is refused as truncated rather than marking most of them gone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integrasjon.katalog import Katalog
from integrasjon.register import kilder, lager, rader
from integrasjon.register.fest_xml import FestFormatFeil
from integrasjon.register.icd10 import SYSTEM, Icd10FormatFeil, les_icd10
from integrasjon.register.kilder import Kilde, lokal_etag
from integrasjon.register.rader import ImportFeil
from integrasjon.schemas import PakningRead
from integrasjon.store import Diagnosekode, FestLegemiddel, FestPakning, RegisterImport
from shared.platform.clock import Clock

log = structlog.get_logger(__name__)

DATA = Path(__file__).resolve().parents[1] / "data"
FEST_EKSEMPEL = DATA / "fest251_eksempel.xml"
ICD10_EKSEMPEL = DATA / "icd10_eksempel.json"
ICD10_FINNKODE_EKSEMPEL = DATA / "icd10_finnkode_eksempel.xlsx"
"""The same codes as `ICD10_EKSEMPEL`, in the shape of FinnKode's Excel export (written by
`python -m integrasjon.register.icd10_eksempel`)."""

_OPPFORINGER: dict[type[Any], str] = {
    FestLegemiddel: "legemidler",
    FestPakning: "pakninger",
    Diagnosekode: "koder",
}
"""What the truncation message calls a table's rows."""
UVENTET = "Uventet feil under importen"
UENDRET_FEILET = "uendret siden forrige import, som feilet; prøves igjen når filen endres"


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
class Fremdrift:
    register: str
    kilde: str
    fase: str = "leser"
    tellere: dict[str, int] = field(default_factory=dict)


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
        legemidler = [rader.legemiddel_oppslag(r) for r in fest]
        diagnoser = [rader.diagnose_oppslag(r) for r in koder]
        # A second or two for the full catalogue: in a thread, so look-ups go on meanwhile (on the old index).
        self.indeks = await asyncio.to_thread(Katalog.bygg, legemidler, diagnoser, versjon=versjon)
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
                feil = f"{UVENTET} ({type(exc).__name__}). Katalogen fra forrige import brukes fortsatt."
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
        before = await lager.fingeravtrykk(session, main, previous, register) if previous is not None else {}
        new_rows = rows[main]
        if not new_rows:
            raise ImportFeil("Filen inneholder ingen oppføringer. Den er ikke tatt i bruk.")
        # Every table of a full extract is checked: a file cut inside the packs has all its brands.
        for model, model_rows in rows.items():
            if model is main:
                present_before = sum(1 for _, gone in before.values() if gone is None)
            elif previous is not None:
                present_before = await lager.antall_tilstede(session, model, previous, register)
            else:
                present_before = 0
            if present_before and len(model_rows) < self.min_andel * present_before:
                raise ImportFeil(
                    f"Filen har bare {len(model_rows)} {_OPPFORINGER.get(model, 'oppføringer')} mot "
                    f"{present_before} i katalogen som er i bruk (under {self.min_andel:.0%}). Den ser "
                    "avkortet ut og er ikke tatt i bruk; katalogen fra forrige import brukes fortsatt."
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
                await lager.bevar_borte(session, model, register, ny=import_id, forrige=previous, na=now)
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
                fil = await asyncio.to_thread(kilder.les_fest_fil, found.path, fremdrift.tellere)
                fremdrift.fase = "lagrer"
                brands, packs = rader.fest_rader(fil, self.clock.now().date())
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
                data = await asyncio.to_thread(found.path.read_bytes)
                koder = await asyncio.to_thread(les_icd10, data, idag=self.clock.now().date())
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
                    row["fingeravtrykk"] = rader.fingeravtrykk(
                        {k: v for k, v in row.items() if k != "versjon"}
                    )
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
            if await asyncio.to_thread(path.is_file) and await self._unchanged(
                register, str(path), etag=lokal_etag(path)
            ):
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
        suffixes = kilder.FEST_SUFFIXES if register == lager.FEST else kilder.ICD10_SUFFIXES
        files = await asyncio.to_thread(kilder.files_in, path, suffixes)
        if files is not None:
            if not files:
                self.sist_sjekket[register] = (self.clock.now(), "ingen filer i mappen")
                yield None
                return
            path = max(files, key=lambda p: p.stat().st_mtime_ns)
            etag = lokal_etag(path)
            if await self._unchanged(register, str(path), etag=etag):
                yield None
                return
            yield Kilde(str(path), path, etag=etag)
            return
        # A missing file is reported by the import itself, as a failed import the admin sees.
        yield Kilde(str(path), path, etag=lokal_etag(path) if path.is_file() else None)

    async def _forrige(
        self, register: str, beskrivelse: str
    ) -> tuple[RegisterImport | None, RegisterImport | None]:
        """The last successful import of the registry, and the last import from this source that was
        refused for its file (not one that failed for another reason, such as a stop: that is retried)."""
        async with self.sessions() as session:
            last = await lager.siste_vellykkede(session, register)
            failed = await lager.siste_feilede(session, register, beskrivelse)
        if failed is not None and (failed.feil or "").startswith((UVENTET, lager.AVBRUTT)):
            failed = None
        return last, failed

    async def _unchanged(self, register: str, beskrivelse: str, *, etag: str | None) -> bool:
        """Whether the source holds the file the last successful import read, or the one the last refused
        import read: a bad file is tried once, not on every check, until it changes. Noted for the admin."""
        if etag is None:
            return False
        last, refused = await self._forrige(register, beskrivelse)
        if last is not None and last.kilde == beskrivelse and last.etag == etag:
            self.sist_sjekket[register] = (self.clock.now(), "uendret")
            return True
        if refused is not None and refused.etag == etag:
            self.sist_sjekket[register] = (self.clock.now(), UENDRET_FEILET)
            return True
        return False

    @contextlib.asynccontextmanager
    async def _last_ned(self, url: str, register: str) -> AsyncIterator[Kilde | None]:
        """Conditional GET, with If-None-Match / If-Modified-Since from the newer of the last successful
        import of this URL and the last refused one: a refused file is not fetched again until it changed."""
        last, refused = await self._forrige(register, url)
        candidates = [r for r in (last, refused) if r is not None and r.kilde == url]
        newest = max(candidates, key=lambda r: r.id, default=None)
        headers: dict[str, str] = {}
        if newest is not None:
            if newest.etag:
                headers["if-none-match"] = newest.etag
            if newest.last_modified:
                headers["if-modified-since"] = newest.last_modified
        client = self.http or httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        try:
            async with kilder.last_ned(client, url, headers) as downloaded:
                if downloaded is None:
                    unchanged = "uendret" if newest is None or newest.status != "feilet" else UENDRET_FEILET
                    self.sist_sjekket[register] = (self.clock.now(), unchanged)
                    yield None
                elif await self._unchanged(register, url, etag=downloaded.etag):
                    # The server ignored the condition but its ETag says it is the same file.
                    yield None
                else:
                    self.sist_sjekket[register] = (self.clock.now(), "ny fil")
                    yield downloaded
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
                markedsstatus=rader.markedsstatus(
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
