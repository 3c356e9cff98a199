"""The derived real extracts of `datasets/embedded/` (written by
`python -m etl embed`, layout in `etl/embed.py` and `datasets/embedded/README.md`):
one CSV per source, `niveau;code;<variable>_<vintage>…`, a number or the name of
a statut in each cell, described by `sources.csv`.

Not found by the registry scan of `datasets/raw/`: the build reads this folder
on every build (`read_folder`), as real sources."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from etl.errors import InputError
from etl.readers import files
from etl.readers.common import DATA_COLUMNS, ReadResult, SourceInfo

MANIFEST = "sources.csv"
# statuts a cell may name: the readers' ones, and `incomplet` (a total over
# communes with a missing cell, computed by `etl embed`)
CELL_STATUTS = {"secret", "non_disponible", "non_applicable", "manquant", "secret_ou_non_disponible", "invalide",
                "incomplet"}
NIVEAUX = {"commune", "epci", "departement", "region", "pays"}


def _csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(path, f"extrait embarqué illisible ({exc})") from None


def read(path: Path, row: dict) -> ReadResult:
    """One extract, described by its row of sources.csv."""
    path = Path(path)
    df = _csv(path)
    for col in ("niveau", "code"):
        if col not in df.columns:
            raise InputError(path, f"colonne « {col} » absente", line=1)
    bad = ~df["niveau"].isin(NIVEAUX)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"niveau inconnu « {df['niveau'].iloc[i]} »", line=i + 2, column="niveau")
    niveaux = df["niveau"].to_numpy(dtype=object)
    codes = df["code"].to_numpy(dtype=object)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in DATA_COLUMNS}
    for column in df.columns[2:]:
        variable, _, year = column.rpartition("_")
        if not variable or not year.isdigit():
            raise InputError(path, f"colonne « {column} » : <variable>_<millésime> attendu", line=1)
        cells = np.array([c.strip() for c in df[column].tolist()], dtype=object)
        present = cells != ""
        named = np.isin(cells, list(CELL_STATUTS))
        number = np.full(len(cells), np.nan)
        for i in np.flatnonzero(present & ~named):
            try:
                number[i] = float(cells[i])
            except ValueError:
                raise InputError(path, f"valeur non numérique « {cells[i]} »", line=int(i) + 2, column=column) from None
        statut = np.where(named, cells, None)
        parts["niveau"].append(niveaux[present])
        parts["code"].append(codes[present])
        parts["variable"].append(np.full(int(present.sum()), variable, dtype=object))
        parts["millesime"].append(np.full(int(present.sum()), int(year), dtype="int64"))
        parts["valeur"].append(number[present])
        parts["statut"].append(statut[present])
    if parts["niveau"]:
        data = pd.DataFrame({k: (pd.Series(np.concatenate(v), dtype=object) if k in ("niveau", "code", "variable", "statut")
                                 else np.concatenate(v)) for k, v in parts.items()})
    else:
        data = files.empty_frame()
    geo = str(row.get("geographie") or "")
    info = SourceInfo(
        source_id=row["source_id"],
        fichier=f"datasets/embedded/{path.name} (extrait de {row['fichier_origine']})",
        famille=row["famille"],
        millesimes=sorted({int(y) for y in str(row["millesimes"]).split(",") if y.strip().isdigit()}),
        geographie=int(geo) if geo.isdigit() else None,
        sha256=files.sha256_file(path),
        producteur=row.get("producteur") or "Insee",
        licence=row.get("licence") or "Licence Ouverte / Open Licence 2.0 (Etalab)",
        url=row.get("url") or None,
        titre=row["titre"],
        notes=[n for n in [f"extrait réel embarqué du fichier {row['fichier_origine']} "
                           f"(SHA-256 {row['sha256_origine'][:12]}…), reconstruit par `python -m etl embed --raw DOSSIER`",
                           row.get("notes") or ""] if n],
    )
    return ReadResult(info=info, data=files.finish(data[DATA_COLUMNS]))


def read_folder(folder: Path, territory_code: str, communes: set[str], log=print) -> list[ReadResult]:
    """Every extract of `folder` made for this territory; an extract made for
    another territory (or lacking many of its communes: its list changed) is
    skipped with a reason. A few communes absent from the national file (created
    since) are simply missing, as they would be with the national file."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    if not manifest.exists():
        return []
    out = []
    for row in _csv(manifest).to_dict("records"):
        path = folder / row["extrait"]
        if row.get("territoire") != territory_code:
            log(f"  ignoré   {path.name} : extrait embarqué fait pour le territoire {row.get('territoire')}, "
                f"pas {territory_code} (relancez `python -m etl embed --raw DOSSIER`)")
            continue
        if not path.exists():
            raise InputError(manifest, f"extrait « {row['extrait']} » listé mais absent")
        result = read(path, row)
        lacking = communes - set(result.data.loc[result.data["niveau"] == "commune", "code"])
        if len(lacking) > 0.1 * len(communes):  # made for another list of communes (territory.toml changed)
            log(f"  ignoré   {path.name} : {len(lacking)} commune(s) du territoire absentes de l'extrait "
                f"(ex. {sorted(lacking)[0]}) ; relancez `python -m etl embed --raw DOSSIER`")
            continue
        out.append(result)
    return out
