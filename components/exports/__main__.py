"""Command line: the "Tout télécharger" archive of a territory, for staff preparing many notes.

    python -m components.exports --territoire 62119 --out exports/
    python -m components.exports --territoire 62119 --territoire 200072460 --out exports/ --extraire
"""
from __future__ import annotations

import argparse
import errno
import sys
import tempfile
import zipfile
from pathlib import Path

from components.exports.bundle import bundle
from datasets import access


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.exports",
                                     description="Exporte graphiques, tableaux et fiche PDF d'un territoire.")
    parser.add_argument("--territoire", action="append", required=True, metavar="CODE",
                        help="code du territoire (commune INSEE, SIREN d'EPCI, code de groupement) ; répétable")
    parser.add_argument("--out", required=True, type=Path, metavar="DOSSIER", help="dossier de sortie")
    parser.add_argument("--extraire", action="store_true", help="écrire aussi les fichiers décompressés")
    args = parser.parse_args(argv)
    problem = check_out(args.out)  # before any export is computed
    if problem:
        print(f"ERREUR : {problem}", file=sys.stderr)
        return 2
    status = 0
    for code in args.territoire:
        if access.territoire(code) is None:
            print(f"Territoire inconnu : {code}", file=sys.stderr)
            status = 2
            continue
        name, data = bundle(code)
        path = args.out / name
        try:
            path.write_bytes(data)
            if args.extraire:
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(args.out / path.stem)
        except OSError as exc:
            print(f"ERREUR : écriture de {path} impossible ({_why(exc)})", file=sys.stderr)
            return 1
        print(path)
    return status


def check_out(out: Path) -> str | None:
    """Why files cannot be written into `out` (in French), or None. Checked
    before any export is computed, so that a wrong folder fails at once."""
    if out.exists() and not out.is_dir():
        return f"--out {out} est un fichier, pas un dossier : indiquez un dossier de sortie"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return f"--out {out} : un élément du chemin est un fichier, pas un dossier"
    except PermissionError:
        return f"--out {out} : droits insuffisants pour créer ce dossier"
    except OSError as exc:
        return f"--out {out} : impossible de créer ce dossier ({_why(exc)})"
    try:
        with tempfile.NamedTemporaryFile(dir=out, prefix=".essai-ecriture-"):
            pass
    except OSError as exc:
        return f"--out {out} : impossible d'écrire dans ce dossier ({_why(exc)})"
    return None


def _why(exc: OSError) -> str:
    return {errno.EACCES: "droits insuffisants", errno.EPERM: "opération non permise",
            errno.EROFS: "système de fichiers en lecture seule", errno.ENOSPC: "disque plein",
            errno.EDQUOT: "quota dépassé"}.get(exc.errno, exc.strerror or type(exc).__name__)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrompu (Ctrl-C).", file=sys.stderr)
        sys.exit(130)
