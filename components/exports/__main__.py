"""Command line: the "Tout télécharger" archive of a territory, for staff preparing many notes.

    python -m components.exports --territoire 62119 --out exports/
    python -m components.exports --territoire 62119 --territoire 200072460 --out exports/ --extraire
    python -m components.exports site --out public/     # static public fiches (components/exports/site.py)
"""
from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from components.exports.bundle import bundle
from datasets import access


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["site"]:
        from components.exports.site import main as site_main
        return site_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m components.exports",
                                     description="Exporte graphiques, tableaux et fiche PDF d'un territoire.")
    parser.add_argument("--territoire", action="append", required=True, metavar="CODE",
                        help="code du territoire (commune INSEE, SIREN d'EPCI, code de groupement) ; répétable")
    parser.add_argument("--out", required=True, type=Path, metavar="DOSSIER", help="dossier de sortie")
    parser.add_argument("--extraire", action="store_true", help="écrire aussi les fichiers décompressés")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for code in args.territoire:
        if access.territoire(code) is None:
            print(f"Territoire inconnu : {code}", file=sys.stderr)
            status = 2
            continue
        name, data = bundle(code)
        path = args.out / name
        path.write_bytes(data)
        if args.extraire:
            with zipfile.ZipFile(path) as zf:
                zf.extractall(args.out / path.stem)
        print(path)
    return status


if __name__ == "__main__":
    sys.exit(main())
