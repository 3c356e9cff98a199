"""Filosofi, base chiffres clés revenus et pauvreté (`cc_filosofi_<year>_COM.csv`
and INSEE's published EPCI / DEP / REG files, usually all in one zip).
Variables are suffixed by the year (`MED21`, `TP6021`, `D121`); `s` marks
statistical secrecy; rates use a decimal comma."""
from __future__ import annotations

import re
from pathlib import Path

from etl.errors import InputError
from etl.readers import files, wide
from etl.readers.common import ReadResult

NAME = re.compile(r"cc[-_]filosofi[-_](\d{4})[-_](COM|EPCI|DEP|REG|METRO|ARR|AAV\d{4}|UU\d{4}|ZE\d{4}|CTCD|EPT)"
                  r"(?![A-Za-z0-9])", re.IGNORECASE)
ZIP_NAME = re.compile(r"base[-_]cc[-_]filosofi[-_](\d{4})", re.IGNORECASE)
# METRO (France métropolitaine, one row coded 1) stands for the `pays` level:
# INSEE publishes no France-entière row in these files (see the source notes).
NIVEAUX = {"COM": "commune", "EPCI": "epci", "DEP": "departement", "REG": "region", "METRO": "pays"}
METRO_NOTE = ("niveau France : valeurs publiées par l'Insee pour la France métropolitaine (fichier METRO), "
              "le fichier ne publie pas de valeur France entière")
# Levels INSEE publishes that the warehouse has no place for.
IGNORED = {
    "ARR": "arrondissements départementaux", "AAV": "aires d'attraction des villes", "UU": "unités urbaines",
    "ZE": "zones d'emploi", "CTCD": "collectivités territoriales ayant les compétences départementales",
    "EPT": "établissements publics territoriaux du Grand Paris",
}
# Shares that are negative by construction (taxes as a share of income).
NEGATIVE_OK = ("PIMPOT",)


def _year(path: Path) -> int | None:
    for name in wide.names_in(path):
        if files.is_meta(name):
            continue
        m = NAME.search(name)
        if m and m.group(2).upper() in NIVEAUX:
            return int(m.group(1))
    m = ZIP_NAME.search(Path(path).name)
    if m and Path(path).suffix.lower() == ".zip":
        return int(m.group(1))
    return None


def recognise(path) -> bool:
    return _year(Path(path)) is not None


def _niveau(member: str) -> str:
    m = NAME.search(member)
    return NIVEAUX[m.group(2).upper()] if m else "commune"


def _ignored(member: str) -> str | None:
    """Why a member of the zip is not read (None: it is read)."""
    m = NAME.search(member)
    if not m or m.group(2).upper() in NIVEAUX:
        return None
    return IGNORED[re.sub(r"\d+$", "", m.group(2).upper())]


def read(path, *, url: str | None = None, variables: set[str] | None = None, lenient: bool = False) -> ReadResult:
    """`variables`: generic variables to keep (None: all), see wide.read_members."""
    path = Path(path)
    year = _year(path)
    if year is None:
        raise InputError(path, "fichier non reconnu comme Filosofi (nom attendu cc_filosofi_AAAA_COM.csv)")
    yy = f"{year % 100:02d}"

    def classify(column: str) -> tuple[str, int] | None:
        if len(column) > 2 and column.endswith(yy):
            return column[:-2], year
        if column[-2:].isdigit() and not column[:-2].isdigit():
            # another year's suffix (TP6020 in a 2021 file): the file is inconsistent
            raise InputError(path.name, f"colonne « {column} » sans le suffixe d'année {yy} attendu dans un fichier {year}", line=1)
        return None  # a text column (name…): skipped with a note

    def want(member: str) -> bool:
        m = NAME.search(member)
        return bool(m) and m.group(2).upper() in NIVEAUX and member.lower().endswith(".csv")

    level = NAME.search(path.name)
    if level and level.group(2).upper() not in NIVEAUX:
        raise InputError(path, f"niveau {level.group(2)} ({_ignored(path.name)}) non utilisé par l'entrepôt : "
                               "fichiers COM, EPCI, DEP, REG ou METRO attendus")
    info = wide.new_info(
        path,
        # a bare file holds one level: say which, so COM and EPCI files never share an id
        source_id=f"filosofi-{year}" if path.suffix.lower() == ".zip" or not level else f"filosofi-{year}-{level.group(2).lower()}",
        famille="filosofi",
        geographie=files.geography_in_name(path.name) or year + 3,
        url=url,
        titre=f"Filosofi {year} — revenus, pauvreté et niveau de vie",
    )
    if path.suffix.lower() == ".zip":
        ignored = sorted({files.basename(n) for n in files.zip_members(path)
                          if not files.is_meta(n) and _ignored(files.basename(n))})
        if ignored:
            info.notes.append("membres reconnus et ignorés (niveaux géographiques sans place dans l'entrepôt) : "
                              + ", ".join(f"{n} ({_ignored(n)})" for n in ignored))
    result = wide.read_members(
        path,
        want=want,
        classify=classify,
        niveau_of=_niveau,
        info=info,
        allow_negative=lambda variable: variable.startswith(NEGATIVE_OK),
        variables=variables,
        lenient=lenient,
    )
    pays = (result.data["niveau"] == "pays").to_numpy()
    if pays.any():
        result.data.loc[pays, "code"] = "FR"
        result.info.notes.append(METRO_NOTE)
        for a in result.info.anomalies:
            if a["niveau"] == "pays":
                a["code"] = "FR"
    return result
