"""`python -m etl check`: validate a warehouse before it is published (and on
demand). Returns a summary; raises CheckError listing every problem found."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from etl.warehouse import sha256

TABLES = ["territoires", "valeurs", "indicateurs", "sources", "programme", "agence"]
FILES = [f"{t}.parquet" for t in TABLES] + ["communes.geojson", "programme_notes.md", "build.json"]
LEVELS = ["commune", "epci", "groupement", "territoire", "departement", "region", "pays"]


class CheckError(Exception):
    def __init__(self, directory: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"Entrepôt {directory} invalide :\n- " + "\n- ".join(problems))


def check(directory: Path, verify_checksums: bool = True) -> dict:
    directory = Path(directory)
    problems: list[str] = []
    missing = [f for f in FILES if not (directory / f).exists()]
    if missing:
        raise CheckError(directory, [f"fichier manquant : {f}" for f in missing])
    try:
        info = json.loads((directory / "build.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckError(directory, [f"build.json illisible ({exc})"]) from None
    if verify_checksums:
        for name, digest in info.get("checksums", {}).items():
            if sha256(directory / name) != digest:
                problems.append(f"{name} : somme de contrôle différente de build.json (fichier modifié ou corrompu)")
    try:
        t = {name: pd.read_parquet(directory / f"{name}.parquet") for name in TABLES}
    except Exception as exc:  # unreadable parquet
        raise CheckError(directory, [f"table illisible : {exc}"]) from None
    terr, val, ind = t["territoires"], t["valeurs"], t["indicateurs"]

    if terr.duplicated(["niveau", "code"]).any():
        problems.append("territoires : clé (niveau, code) en double")
    unknown_levels = set(terr["niveau"]) - set(LEVELS)
    if unknown_levels:
        problems.append(f"territoires : niveaux inconnus {sorted(unknown_levels)}")
    com = terr[terr["niveau"] == "commune"]
    epci_codes = set(terr.loc[terr["niveau"] == "epci", "code"])
    orphans = com[~com["epci"].isin(epci_codes)]
    if len(orphans):
        problems.append(f"{len(orphans)} commune(s) sans EPCI du territoire : {', '.join(orphans['code'][:5])}")

    key = ["indicateur", "niveau", "code", "millesime"]
    if val.duplicated(key).any():
        problems.append(f"valeurs : {int(val.duplicated(key).sum())} clé(s) en double")
    unknown = set(val["indicateur"]) - set(ind["indicateur"])
    if unknown:
        problems.append(f"valeurs : indicateurs absents du catalogue {sorted(unknown)[:5]}")
    idx = pd.MultiIndex.from_frame(terr[["niveau", "code"]])
    stray = ~pd.MultiIndex.from_frame(val[["niveau", "code"]]).isin(idx)
    if stray.any():
        problems.append(f"valeurs : {int(stray.sum())} ligne(s) pour des territoires inconnus")
    if val["demo"].isna().any():
        problems.append("valeurs : indicateur de démonstration non renseigné")
    bad_statut = val["valeur"].isna() & val["statut"].isna()
    if bad_statut.any():
        problems.append(f"valeurs : {int(bad_statut.sum())} valeur(s) manquante(s) sans motif (statut)")

    # totals consistent across levels, for every summed indicator
    summed = set(ind.loc[ind["agregation"] == "somme", "indicateur"])
    v = val[val["indicateur"].isin(summed) & val["valeur"].notna()]
    com_v = v[v["niveau"] == "commune"].merge(com[["code", "epci", "groupement"]], on="code")
    for niveau, col in (("epci", "epci"), ("groupement", "groupement")):
        sums = com_v.groupby(["indicateur", "millesime", col])["valeur"].agg(["sum", "size"])
        sizes = com.groupby(col).size()
        lvl = v[v["niveau"] == niveau].set_index(["indicateur", "millesime", "code"])["valeur"]
        for (i, m, c), row in sums.iterrows():
            if row["size"] == sizes.get(c) and (i, m, c) in lvl.index and not np.isclose(lvl[(i, m, c)], row["sum"], rtol=1e-9):
                problems.append(f"{i} {m} : {niveau} {c} = {lvl[(i, m, c)]} ≠ somme des communes {row['sum']}")
    terr_code = terr.loc[terr["niveau"] == "territoire", "code"].iloc[0]
    tot = com_v.groupby(["indicateur", "millesime"])["valeur"].agg(["sum", "size"])
    lvl = v[(v["niveau"] == "territoire")].set_index(["indicateur", "millesime"])["valeur"]
    for (i, m), row in tot.iterrows():
        if row["size"] == len(com) and (i, m) in lvl.index and not np.isclose(lvl[(i, m)], row["sum"], rtol=1e-9):
            problems.append(f"{i} {m} : territoire {terr_code} = {lvl[(i, m)]} ≠ somme des communes {row['sum']}")
    if problems:
        raise CheckError(directory, problems[:30])

    pop = val[(val["indicateur"] == "population") & val["niveau"].isin(["territoire", "departement", "region", "pays"])]
    return {
        "territoire": info.get("territory", {}).get("nom"),
        "communes": int(len(com)),
        "epci": int(len(epci_codes)),
        "indicateurs": int(ind["indicateur"].nunique()),
        "valeurs": int(len(val)),
        "valeurs_demo": int(val["demo"].sum()),
        "population": {
            f"{r.niveau} {r.code}": {int(m): float(x) for m, x in zip(r.millesime, r.valeur)}
            for r in pop.groupby(["niveau", "code"]).agg(list).reset_index().itertuples()
        },
    }
