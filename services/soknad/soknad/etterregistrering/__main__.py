"""`python -m soknad.etterregistrering FILE --hf HBE [--bare-gyldige]`: post-registration from the command
line, for files too large for the page. Same checks and import as the page, against the database and the
integrasjon of the soknad settings (`SP_SOKNAD_*`); exits 0 when imported, 1 when nothing was, 2 on misuse."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from shared.platform.auth.principal import Principal, Role
from soknad.app import create_app
from soknad.etterregistrering import handlers
from soknad.etterregistrering.fil import MAX_FIL_BYTES, FilFeil, open_file
from soknad.etterregistrering.jobb import Etterregistrering
from soknad.settings import SoknadSettings

RAPPORT_LINJER = 50


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m soknad.etterregistrering",
        description="Etterregistrering: importer tidligere vedtak fra en CSV- eller XLSX-fil.",
    )
    parser.add_argument("fil", type=Path, help="CSV- (UTF-8) eller XLSX-fil etter malen.")
    parser.add_argument("--hf", required=True, help="Helseforetaket vedtakene hører til, for eksempel HBE.")
    parser.add_argument(
        "--bare-gyldige",
        action="store_true",
        help="Importer de gyldige radene selv om noen rader har feil.",
    )
    parser.add_argument(
        "--integrasjon-url",
        default=None,
        help="integrasjon for legemiddel- og ICD-10-oppslag (ellers SP_SOKNAD_INTEGRASJON_URL).",
    )
    return parser.parse_args(argv)


async def main(argv: list[str]) -> int:
    args = parse_args(argv)
    settings = SoknadSettings()
    if args.integrasjon_url:
        settings = settings.model_copy(update={"integrasjon_url": args.integrasjon_url})
    hf = args.hf.strip().upper()
    if hf not in settings.hf:
        print(
            f"Helseforetaket {hf} er ikke satt opp i denne tjenesten ({', '.join(settings.hf)}).",
            file=sys.stderr,
        )
        return 2
    if not settings.integrasjon_url:
        print(
            "Oppgi integrasjon for oppslag: --integrasjon-url http://vert:port/integrasjon "
            "eller SP_SOKNAD_INTEGRASJON_URL.",
            file=sys.stderr,
        )
        return 2
    if not args.fil.is_file():
        print(f"Fant ikke filen {args.fil}.", file=sys.stderr)
        return 2
    if args.fil.stat().st_size > MAX_FIL_BYTES:
        print(
            f"Filen er for stor (høyst {MAX_FIL_BYTES // 1_000_000} MB). Del den i flere filer.",
            file=sys.stderr,
        )
        return 1
    try:
        tabell = open_file(args.fil.read_bytes(), args.fil.name)
    except FilFeil as exc:
        print("Filen kunne ikke leses. Ingenting er importert.", *exc.meldinger, sep="\n", file=sys.stderr)
        return 1

    admin = Principal(
        user_id="kommandolinje",
        name="Etterregistrering (kommandolinje)",
        roles=frozenset({Role.ADMIN}),
        hf=hf,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        db = app.state.runtime.db
        runner: Etterregistrering = app.state.etterregistrering
        jobb = await handlers.start_jobb(db, admin, filnavn=args.fil.name, bare_gyldige=args.bare_gyldige)
        progress = asyncio.create_task(_report_progress(runner, admin, jobb.id))
        try:
            await runner.run(jobb.id, tabell, hf)
        finally:
            progress.cancel()
        visning = await handlers.read_jobb(db, admin, jobb.id, feil_limit=RAPPORT_LINJER)
    return _summary(visning)


async def _report_progress(runner: Etterregistrering, admin: Principal, jobb_id: str) -> None:
    while True:
        await asyncio.sleep(2)
        j = (await handlers.read_jobb(runner.db, admin, jobb_id, feil_limit=0)).jobb
        print(
            f"{handlers.STATUS_LABELS.get(j.status, j.status)}: {j.rader} rader lest, "
            f"{j.importert + j.hoppet_over} av {j.gyldige} gyldige ferdige",
            file=sys.stderr,
        )


def _summary(visning: handlers.Jobbvisning) -> int:
    j = visning.jobb
    for f in visning.feil:
        print(f"Rad {f.radnummer}, {f.kolonne}: {f.melding}")
    if j.feil > len(visning.feil):
        print(f"… og {j.feil - len(visning.feil)} feil til (se importen {j.id} på nettsiden).")
    if j.status == handlers.HAR_FEIL:
        print(
            f"{j.feilrader} rader har feil. Ingenting er importert. Rett feilene, "
            f"eller kjør på nytt med --bare-gyldige for å importere de {j.gyldige} gyldige radene."
        )
        return 1
    if j.status == handlers.FEILET:
        print(j.melding or "Importen stoppet.")
        return 1
    print(
        f"Ferdig: {j.importert} saker etterregistrert, {j.hoppet_over} var importert fra før, "
        f"{j.feilrader} rader med feil ble ikke importert."
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
