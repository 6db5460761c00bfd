"""Where a registry file comes from: a local file or folder, DMP's zip, or a conditional download."""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import httpx

from integrasjon.register.fest_xml import FestFil, les_fest
from integrasjon.register.rader import ImportFeil

FEST_SUFFIXES: Final = (".xml", ".zip")
ICD10_SUFFIXES: Final = (".xlsx", ".json", ".csv", ".txt", ".tsv")


@dataclass
class Kilde:
    """A file to import: where it came from, and what tells it from the last one (ETag, Last-Modified,
    or for a local file its name, size and modification time)."""

    beskrivelse: str
    path: Path
    etag: str | None = None
    last_modified: str | None = None


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


def les_fest_fil(path: Path, tellere: dict[str, int]) -> FestFil:
    with _xml_stream(path) as stream:
        return les_fest(stream, progress=tellere)


def files_in(path: Path, suffixes: tuple[str, ...]) -> list[Path] | None:
    """The registry files of a folder; None when `path` is not a folder."""
    if not path.is_dir():
        return None
    return [p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes]


def lokal_etag(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


@contextlib.asynccontextmanager
async def last_ned(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> AsyncIterator[Kilde | None]:
    """GET `url` (conditional when `headers` say so), streamed to a temporary file, never held in memory;
    None when the server answers 304 Not Modified."""
    with tempfile.TemporaryDirectory(prefix="register-") as folder:
        target = Path(folder) / "nedlastet"
        try:
            async with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
                if response.status_code == 304:
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
        yield Kilde(url, target, etag=etag, last_modified=modified)
