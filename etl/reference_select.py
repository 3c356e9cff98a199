"""Restrict the committed reference files to some of their EPCI, without the
network: a territory file may name a subset of the EPCI that
`python -m etl reference` was run for."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from etl import paths
from etl.territory import TerritoryError


@dataclass(frozen=True)
class ReferenceSelection:
    communes: pd.DataFrame  # code, nom, epci, departement, region, codes_postaux
    epci: pd.DataFrame  # code, nom, type, nb_communes
    populations: pd.DataFrame  # niveau, code, millesime, population
    features: list[dict]  # GeoJSON features of the selected communes


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


def select_territory(epci_codes: Iterable[str], ref_dir: Path | None = None) -> ReferenceSelection:
    """Communes, EPCI, populations and polygons of the given EPCI; département,
    région and France rows are kept for the départements and régions of the
    selected communes only."""
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
    pops = _read(ref_dir / "populations.csv")
    keep = (
        ((pops["niveau"] == "commune") & pops["code"].isin(set(communes["code"])))
        | ((pops["niveau"] == "departement") & pops["code"].isin(set(communes["departement"])))
        | ((pops["niveau"] == "region") & pops["code"].isin(set(communes["region"])))
        | (pops["niveau"] == "pays")
    )
    pops = pops[keep].reset_index(drop=True)
    pops["millesime"] = pops["millesime"].astype(int)
    pops["population"] = pops["population"].astype(int)
    features = []
    geojson = ref_dir / "communes.geojson"
    if geojson.exists():
        codes = set(communes["code"])
        data = json.loads(geojson.read_text(encoding="utf-8"))
        features = [f for f in data["features"] if f["properties"]["code"] in codes]
    return ReferenceSelection(communes, epci, pops, features)
