"""Imports from the command line, into the database the service's settings name (`SP_INTEGRASJON_*`).

    python -m integrasjon.register import-fest FIL|URL
    python -m integrasjon.register import-icd10 FIL|URL [--versjon 2026]
    python -m integrasjon.register status

A running service picks the new catalogue up within `register_reload_interval_s`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from integrasjon.register.import_jobb import ImportResultat, Registre
from integrasjon.settings import IntegrasjonSettings
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import upgrade
from shared.platform.observability.logging import configure_logging

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def _report(result: ImportResultat) -> str:
    if result.status == "ok":
        return (
            f"Importert: {result.antall} oppføringer ({result.nye} nye, {result.endrede} endrede, "
            f"{result.borte} borte)."
        )
    if result.status == "uendret":
        return "Kilden har ingenting nytt siden forrige import."
    return f"Importen feilet: {result.feil}"


async def run(argv: list[str], settings: IntegrasjonSettings | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrasjon.register", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="kommando", required=True)
    fest = commands.add_parser(
        "import-fest", help="Importer en FEST-fil (XML eller DMPs zip) fra fil eller URL."
    )
    fest.add_argument("kilde")
    icd = commands.add_parser(
        "import-icd10",
        help="Importer ICD-10 (FinnKodes eksport som xlsx, CSV eller JSON, eller kodefil) fra fil eller URL.",
    )
    icd.add_argument("kilde")
    icd.add_argument("--versjon", default="", help="Kodeverkets versjon, f.eks. 2026 (standard: i år).")
    commands.add_parser("status", help="Vis de siste importene.")
    args = parser.parse_args(argv)

    settings = settings or IntegrasjonSettings()
    engine = create_engine(settings.effective_database_url())
    try:
        await upgrade(engine, MIGRATIONS)
        from sqlalchemy.ext.asyncio import async_sessionmaker

        registre = Registre(async_sessionmaker(engine, expire_on_commit=False), SystemClock())
        if args.kommando == "status":
            print(json.dumps(await registre.status(), indent=2, ensure_ascii=False, default=str))
            return 0
        if args.kommando == "import-fest":
            result = await registre.importer_fest(args.kilde)
        else:
            result = await registre.importer_icd10(args.kilde, versjon=args.versjon)
        print(_report(result))
        return 0 if result.status != "feilet" else 1
    finally:
        await engine.dispose()


def main() -> None:
    configure_logging(level="WARNING", json=False)
    sys.exit(asyncio.run(run(sys.argv[1:])))


if __name__ == "__main__":
    main()
