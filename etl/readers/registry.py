"""Which reader reads which file: every file dropped in `datasets/raw/` is
either claimed by one reader or skipped with a reason people can act on."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

from etl.readers import base_cc, comparateur, filosofi, files, melodi, populations_legales, serie_historique

# Order matters: the most specific name patterns first.
READERS: tuple[ModuleType, ...] = (melodi, comparateur, serie_historique, filosofi, base_cc, populations_legales)

LABELS = {
    melodi: "format long de l'Insee (catalogue Melodi)",
    comparateur: "base du comparateur de territoires",
    serie_historique: "séries historiques du recensement",
    filosofi: "Filosofi (revenus et pauvreté)",
    base_cc: "base chiffres clés du recensement",
    populations_legales: "populations légales",
}

IGNORED_SUFFIXES = (".part", ".json", ".md", ".txt", ".pdf")


def identify(path) -> tuple[ModuleType | None, str]:
    """(reader, reason in French)."""
    path = Path(path)
    if not path.is_file():
        return None, "n'est pas un fichier"
    if path.suffix.lower() == ".zip":
        # same rule whatever the name: a zip with a dangerous member (../, absolute
        # path) or a zip bomb stops the build (UnsafeArchiveError), it is never just skipped
        try:
            files.zip_members(path)
        except files.UnsafeArchiveError:
            raise
        except files.InputError:
            pass  # unreadable: the readers say so if the name is theirs, else skipped below
    if path.name.startswith("."):
        return None, "fichier caché ignoré"
    if files.is_meta(path.name):
        return None, "dictionnaire des variables (meta_) : lu avec son fichier de données"
    if path.suffix.lower() in IGNORED_SUFFIXES:
        return None, f"fichier {path.suffix} ignoré (ni CSV, ni zip, ni classeur Insee)"
    if filosofi._ignored(path.name):
        return None, f"Filosofi, niveau {filosofi._ignored(path.name)} : sans place dans l'entrepôt (COM, EPCI, DEP, REG, METRO lus)"
    for reader in READERS:
        try:
            if reader.recognise(path):
                return reader, f"reconnu : {LABELS[reader]}"
        except Exception as exc:  # an unreadable file must not stop the scan
            return None, f"illisible ({exc})"
    return None, (
        "fichier non reconnu : noms attendus base-cc-<thème>-AAAA, base-cc-serie-historique-AAAA, "
        "cc_filosofi_AAAA_COM, base_cc_comparateur, DS_<JEU>_data (format long), donnees_communes (populations légales, avec PLAAAA dans le nom)"
    )


def scan(raw_dir) -> list[tuple[Path, ModuleType | None, str]]:
    """Every file of `raw_dir` (and its sub-folders), sorted, with its reader."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    out = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        reader, reason = identify(path)
        out.append((path, reader, reason))
    return out
