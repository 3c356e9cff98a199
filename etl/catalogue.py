"""Load the human-edited indicator catalogue and the variable mapping, and
check they agree with each other (one loader each, as data)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl import paths
from etl.errors import InputError

CATALOGUE_COLUMNS = [
    "indicateur", "libelle", "theme", "agregation", "numerateur", "denominateur",
    "facteur", "unite", "decimales", "cle", "ordre", "definition",
]
# ecart: numerateur minus denominateur, recomputed at every level (births - deaths)
AGREGATIONS = {"somme", "ratio", "publie", "ecart"}
THEMES = {"demographie", "logement", "economie", "revenus", "naissances_etablissements"}


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(path, f"colonne(s) manquante(s) : {', '.join(missing)}", line=1)
    return df


def load_catalogue(path: Path | None = None) -> pd.DataFrame:
    path = Path(path) if path else paths.CATALOGUE
    df = _read(path, CATALOGUE_COLUMNS)
    seen: set[str] = set()
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if not row.indicateur or row.indicateur in seen:
            raise InputError(path, f"identifiant d'indicateur vide ou en double : {row.indicateur!r}", i, "indicateur")
        seen.add(row.indicateur)
        if row.agregation not in AGREGATIONS:
            raise InputError(path, f"agrégation inconnue {row.agregation!r}", i, "agregation")
        if row.theme not in THEMES:
            raise InputError(path, f"thème inconnu {row.theme!r}", i, "theme")
        if row.agregation in ("ratio", "ecart"):
            for col in ("numerateur", "denominateur"):
                ref = getattr(row, col)
                if ref not in set(df["indicateur"]):
                    raise InputError(path, f"{col} {ref!r} n'est pas un indicateur du catalogue", i, col)
    out = df[CATALOGUE_COLUMNS].copy()
    out["facteur"] = pd.to_numeric(out["facteur"].replace("", "1")).astype("float64")
    out["decimales"] = pd.to_numeric(out["decimales"]).astype("int32")
    out["ordre"] = pd.to_numeric(out["ordre"]).astype("int32")
    out["cle"] = out["cle"].eq("oui")
    for col in ("numerateur", "denominateur"):
        out[col] = out[col].replace("", None)
    return out


def load_variables(catalogue: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    path = Path(path) if path else paths.VARIABLES
    df = _read(path, ["famille", "variable", "indicateur"])
    known = set(catalogue["indicateur"])
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if row.indicateur not in known:
            raise InputError(path, f"indicateur {row.indicateur!r} absent du catalogue", i, "indicateur")
    if df.duplicated().any():
        line = int(df.index[df.duplicated()][0]) + 2
        raise InputError(path, "ligne en double", line)
    return df
