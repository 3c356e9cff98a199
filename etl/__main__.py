"""Command line: `python -m etl {build,check,ensure,reference,fetch,embed}`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from etl import paths
from etl.errors import BuildError, InputError
from etl.territory import TerritoryError


def _build(args) -> int:
    from etl import build
    build.build(raw_dir=args.raw, target=args.out, territory_path=args.territory, log=print)
    return 0


def _ensure(args) -> int:
    from etl import build
    target = Path(args.out) if args.out else paths.warehouse_dir()
    reason = build.is_stale(target, args.raw)
    if reason is None:
        print(f"Entrepôt à jour : {target}")
        return 0
    print(f"Construction de l'entrepôt ({reason})…")
    return _build(args)


def _check(args) -> int:
    from etl.check import check
    target = Path(args.out) if args.out else paths.warehouse_dir()
    summary = check(target)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Chiffres Clefs : chaîne de traitement des données")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_ in (("build", "construire l'entrepôt (Parquet) à partir des fichiers"),
                        ("ensure", "construire l'entrepôt s'il manque ou n'est plus à jour"),
                        ("check", "valider l'entrepôt")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--raw", type=Path, default=None, help="dossier des fichiers Insee (défaut : datasets/raw/)")
        p.add_argument("--out", type=Path, default=None, help="entrepôt (défaut : datasets/warehouse/)")
        p.add_argument("--territory", type=Path, default=None, help="fichier de territoire (défaut : datasets/territory.toml)")
    sub.add_parser("reference", help="régénérer datasets/reference/ depuis les registres de paquets (réseau)", add_help=False)
    sub.add_parser("fetch", help="télécharger les fichiers officiels listés dans datasets/sources.toml", add_help=False)
    sub.add_parser("embed", help="écrire les extraits réels embarqués (datasets/embedded/) depuis les fichiers Insee",
                   add_help=False)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "reference":
        from etl.reference import cli as reference
        return reference.main(argv[1:])
    if argv and argv[0] == "embed":
        from etl import embed
        return embed.main(argv[1:])
    if argv and argv[0] == "fetch":
        from etl import fetch
        return fetch.main(argv[1:])
    args = parser.parse_args(argv)
    handlers = {"build": _build, "ensure": _ensure, "check": _check}
    try:
        return handlers[args.command](args)
    except (InputError, BuildError, TerritoryError) as exc:
        print(f"ERREUR : {exc}\nL'entrepôt précédent est conservé, inchangé.", file=sys.stderr)
        return 2
    except Exception as exc:
        from etl.check import CheckError
        if isinstance(exc, CheckError):
            kept = "" if args.command == "check" else "\nL'entrepôt précédent est conservé, inchangé."
            print(f"ERREUR : {exc}{kept}", file=sys.stderr)
            return 3
        raise


def _leave(code: int) -> None:
    """Exit without the interpreter's shutdown. After a reader stopped on bad input, Arrow's
    C++ thread pools sometimes abort that shutdown (« terminate called without an active
    exception », exit status -6 instead of our 2: seen in CI on a line too long for a block).
    By now every file is written and closed and every message printed: flush and leave."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _leave(main() or 0)
