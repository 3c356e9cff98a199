"""Restrict the committed reference files to a territory, without the network:
the one place that does it (`reference_data.load` calls it for the build). A
territory file may name a subset of the EPCI `python -m etl reference` was run for."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from etl import paths
from etl.territory import TerritoryError

SUPERFICIES_COLUMNS = ["niveau", "code", "superficie_km2"]


@dataclass(frozen=True)
class ReferenceSelection:
    communes: pd.DataFrame  # code, nom, epci, departement, region, codes_postaux
    epci: pd.DataFrame  # code, nom, type, nb_communes (int)
    populations: pd.DataFrame  # niveau, code, millesime (int), population (int)
    superficies: pd.DataFrame  # niveau, code, superficie_km2 (float); empty if the file is missing
    features: list[dict]  # GeoJSON features of the selected communes; [] if the file is missing


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise TerritoryError(
            f"{path} : fichier de référence manquant ; lancez `python -m etl reference` "
            "(seule étape qui a besoin des registres de paquets)")
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


def _levels(table: pd.DataFrame, communes: set[str], deps: set[str], regs: set[str], pays: bool) -> pd.Series:
    niveau, code = table["niveau"], table["code"]
    return (((niveau == "commune") & code.isin(communes))
            | ((niveau == "departement") & code.isin(deps))
            | ((niveau == "region") & code.isin(regs))
            | ((niveau == "pays") & pays))



def select_territory(
    epci_codes: Iterable[str],
    ref_dir: Path | None = None,
    departements: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    pays: bool = True,
) -> ReferenceSelection:
    """Communes, EPCI, populations, areas and polygons of the given EPCI.
    Département and région rows are kept for `departements` / `regions`, or
    when None ("auto" in territory.toml) for those of the selected communes;
    France rows when `pays`."""
    ref_dir = Path(ref_dir) if ref_dir else paths.reference_dir()
    wanted = [str(c) for c in epci_codes]
    epci = _read(ref_dir / "epci.csv")
    unknown = [c for c in wanted if c not in set(epci["code"])]
    if unknown:
        raise TerritoryError(
            f"EPCI absents des données de référence ({ref_dir / 'epci.csv'}) : {', '.join(unknown)} ; "
            "relancer `python -m etl reference` pour ce territoire")
    epci = epci[epci["code"].isin(wanted)].reset_index(drop=True)
    epci["nb_communes"] = epci["nb_communes"].astype(int)
    communes = _read(ref_dir / "communes.csv")
    communes = communes[communes["epci"].isin(wanted)].reset_index(drop=True)
    codes = set(communes["code"])
    deps = set(communes["departement"]) if departements is None else {str(d) for d in departements}
    regs = set(communes["region"]) if regions is None else {str(r) for r in regions}

    pops = _read(ref_dir / "populations.csv")
    pops = pops[_levels(pops, codes, deps, regs, pays)].reset_index(drop=True)
    pops["millesime"] = pops["millesime"].astype(int)
    pops["population"] = pops["population"].astype(int)

    areas_path = ref_dir / "superficies.csv"
    if areas_path.exists():
        areas = _read(areas_path)
        areas = areas[_levels(areas, codes, deps, regs, pays)].reset_index(drop=True)
    else:
        areas = pd.DataFrame({c: pd.Series(dtype=str) for c in SUPERFICIES_COLUMNS})
    areas["superficie_km2"] = pd.to_numeric(areas["superficie_km2"]).astype("float64")

    features = []
    geojson = ref_dir / "communes.geojson"
    if geojson.exists():
        data = json.loads(geojson.read_text(encoding="utf-8"))
        features = [f for f in data["features"] if f["properties"]["code"] in codes]
    return ReferenceSelection(communes, epci, pops, areas, features)
