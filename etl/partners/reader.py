"""Validating readers of the partner CSVs: the build copies them into the
warehouse only if every row is sound. Errors name the file, the line (header
= line 1) and the column, in French."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from etl.errors import InputError

PROGRAMME_COLUMNS = [
    "id", "axe", "axe_libelle", "section", "theme", "dossier", "jours", "correspondant",
    "effectif", "toute_agence", "territoires", "repartition", "page_ou_ligne", "remarque",
]
AGENCE_COLUMNS = ["rubrique", "indicateur", "libelle", "valeur", "unite", "annee", "source"]


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "fichier introuvable") from None
    except UnicodeDecodeError:
        raise InputError(path, "le fichier n’est pas encodé en UTF-8") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, f"CSV illisible ({exc})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(path, f"colonne(s) manquante(s) : {', '.join(missing)}", line=1)
    return df


def _line(i: int) -> int:
    """Row index -> line as an editor shows it (header is line 1)."""
    return i + 2


def _number(path: Path, df: pd.DataFrame, column: str, *, required: bool = True, integer: bool = False) -> pd.Series:
    values = []
    for i, raw in enumerate(df[column]):
        text = raw.strip()
        if not text:
            if required:
                raise InputError(path, "valeur manquante", line=_line(i), column=column)
            values.append(None)
            continue
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            kind = "un nombre entier" if integer else "un nombre"
            raise InputError(path, f"« {text} » n’est pas {kind}", line=_line(i), column=column) from None
        if value < 0 or (integer and not value.is_integer()):
            kind = "un entier positif" if integer else "un nombre positif"
            raise InputError(path, f"« {text} » : {kind} est attendu", line=_line(i), column=column)
        values.append(value)
    return pd.Series(values, index=df.index, dtype="Int64" if integer else "Float64")


def read_programme(path: str | Path, known_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read and validate `programme_2018.csv`. `known_codes`: territory codes
    the product knows (EPCI, groupings, territory, communes); when given, any
    other code in `territoires` or `repartition` is an error."""
    path = Path(path)
    df = _read(path, PROGRAMME_COLUMNS)
    known = set(known_codes) if known_codes is not None else None
    seen: dict[str, int] = {}
    for i, ident in enumerate(df["id"]):
        if not ident.strip():
            raise InputError(path, "identifiant manquant", line=_line(i), column="id")
        if ident in seen:
            raise InputError(path, f"identifiant « {ident} » en double (déjà ligne {seen[ident]})",
                             line=_line(i), column="id")
        seen[ident] = _line(i)
    axe = _number(path, df, "axe", integer=True)
    jours = _number(path, df, "jours")
    effectif = _number(path, df, "effectif", required=False, integer=True)
    for i, value in enumerate(df["toute_agence"]):
        if value not in ("oui", "non"):
            raise InputError(path, f"« {value} » : « oui » ou « non » attendu", line=_line(i), column="toute_agence")
    for i, codes in enumerate(df["territoires"]):
        if not codes.strip():
            raise InputError(path, "aucun territoire", line=_line(i), column="territoires")
        _check_codes(path, codes.split("|"), known, _line(i), "territoires")
    for i, text in enumerate(df["repartition"]):
        if not text.strip():
            continue
        total = 0.0
        for part in text.split("|"):
            code, sep, days = part.partition(":")
            try:
                total += float(days.replace(",", "."))
            except ValueError:
                raise InputError(path, f"« {part} » : forme CODE:jours attendue", line=_line(i), column="repartition") from None
            if not sep:
                raise InputError(path, f"« {part} » : forme CODE:jours attendue", line=_line(i), column="repartition")
            _check_codes(path, [code], known, _line(i), "repartition")
        if abs(total - jours.iloc[i]) > 1e-6:
            raise InputError(path, f"la répartition fait {total:g} jours, la colonne jours {jours.iloc[i]:g}",
                             line=_line(i), column="repartition")
    return df.assign(axe=axe, jours=jours, effectif=effectif)


def _check_codes(path: Path, codes: list[str], known: set[str] | None, line: int, column: str) -> None:
    for code in codes:
        if not code:
            raise InputError(path, "code de territoire vide", line=line, column=column)
        if known is not None and code not in known:
            raise InputError(path, f"code de territoire inconnu : « {code} »", line=line, column=column)


def read_agence(path: str | Path) -> pd.DataFrame:
    """Read and validate `agence_2018.csv` (long format, one fact per row)."""
    path = Path(path)
    df = _read(path, AGENCE_COLUMNS)
    valeur = _number(path, df, "valeur")
    annee = _number(path, df, "annee", integer=True)
    seen: dict[tuple[str, str], int] = {}
    for i, key in enumerate(zip(df["indicateur"], df["annee"])):
        if not key[0].strip():
            raise InputError(path, "indicateur manquant", line=_line(i), column="indicateur")
        if key in seen:
            raise InputError(path, f"indicateur « {key[0]} » en double pour {key[1]} (déjà ligne {seen[key]})",
                             line=_line(i), column="indicateur")
        seen[key] = _line(i)
    return df.assign(valeur=valeur, annee=annee)
