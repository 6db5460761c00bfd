"""`python -m soknad.etterregistrering` against a running embedded default: the same database (its SQLite
files) and integrasjon's look-up over HTTP. A file with a bad row imports nothing (exit 1, the report on
stdout); `--bare-gyldige` imports the valid rows; running it again imports nothing twice."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from shared.domain.identifiers import synthetic_fodselsnummer
from soknad.etterregistrering.kolonner import OVERSKRIFTER
from tests.support.embedded_server import ROOT, EmbeddedServer, embedded_server

FNR = synthetic_fodselsnummer(date(1985, 3, 15), sex="mann")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


def cli(server: EmbeddedServer, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "soknad.etterregistrering", str(path), "--hf", "HBE", *extra],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "SP_SOKNAD_DATA_DIR": str(server.data_dir),
            "SP_SOKNAD_INTEGRASJON_URL": f"{server.url}/integrasjon",
            "SP_SOKNAD_LOG_LEVEL": "WARNING",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_line_checks_then_imports_and_never_twice(server: EmbeddedServer, tmp_path: Path) -> None:
    rows = [
        [
            "ESA-1",
            "enkeltpasient",
            "off_label",
            "HBE-NEVRO",
            FNR,
            "Syntetisk Pasient",
            "",
            "MabThera",
            "G70.0",
            "2019-03-04",
            "2019-03-18",
            "innvilget",
            "",
            "",
            "",
        ],
        [
            "ESA-2",
            "enkeltpasient",
            "off_label",
            "HBE-NEVRO",
            FNR,
            "Syntetisk Pasient",
            "",
            "L01FA01",
            "X99.9",
            "2019-05-04",
            "2019-05-18",
            "avslått",
            "",
            "",
            "",
        ],
    ]
    path = tmp_path / "vedtak.csv"
    path.write_text("\n".join(";".join(r) for r in [OVERSKRIFTER, *rows]) + "\n", encoding="utf-8")

    refused = cli(server, path)
    assert refused.returncode == 1, refused.stderr
    assert "Rad 3, ICD-10: Fant ikke ICD-10-koden X99.9 i kodeverket." in refused.stdout
    assert "Ingenting er importert" in refused.stdout

    imported = cli(server, path, "--bare-gyldige")
    assert imported.returncode == 0, imported.stderr
    assert "Ferdig: 1 saker etterregistrert, 0 var importert fra før" in imported.stdout

    again = cli(server, path, "--bare-gyldige")
    assert again.returncode == 0, again.stderr
    assert "Ferdig: 0 saker etterregistrert, 1 var importert fra før" in again.stdout
    assert FNR not in refused.stdout + imported.stdout + again.stdout + again.stderr


def test_misuse_is_explained_in_norwegian(server: EmbeddedServer, tmp_path: Path) -> None:
    unknown_trust = cli(server, tmp_path / "vedtak.csv", "--hf", "XYZ")
    assert unknown_trust.returncode == 2 and "Helseforetaket XYZ er ikke satt opp" in unknown_trust.stderr
    missing = cli(server, tmp_path / "finnes-ikke.csv")
    assert missing.returncode == 2 and "Fant ikke filen" in missing.stderr
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    refused = cli(server, empty)
    assert refused.returncode == 1 and "Filen er tom." in refused.stderr
