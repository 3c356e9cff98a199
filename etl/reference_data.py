"""Read the committed reference files (written by `python -m etl reference`)
and restrict them to the territory named in `territory.toml`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import paths
from etl.errors import BuildError
from etl.territory import Territory

REFERENCE_SOURCE_ID = "populations-legales-decoupage-administratif"


@dataclass
class Reference:
    communes: pd.DataFrame  # code, nom, epci, departement, region, codes_postaux (territory only)
    epci: pd.DataFrame  # code, nom, type, nb_communes (territory only)
    departements: pd.DataFrame  # code, nom, region, nb_communes (all France)
    regions: pd.DataFrame  # code, nom
    fusions: pd.DataFrame  # ancien_code, code
    populations: pd.DataFrame  # niveau, code, millesime, population
    geojson: dict  # territory communes only
    files: list[Path]


def _csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise BuildError(
            f"{path} : fichier de référence manquant ; lancez `python -m etl reference` "
            "(seule étape qui a besoin des registres de paquets)"
        )
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


def load(territory: Territory, ref_dir: Path | None = None) -> Reference:
    ref_dir = Path(ref_dir) if ref_dir else paths.reference_dir()
    communes = _csv(ref_dir / "communes.csv")
    epci = _csv(ref_dir / "epci.csv")
    missing = [c for c in territory.epci if c not in set(communes["epci"])]
    if missing:
        raise BuildError(
            f"{territory.path} : EPCI absent(s) des fichiers de référence ({', '.join(missing)}) ; "
            "lancez `python -m etl reference` pour régénérer datasets/reference/ pour ce territoire"
        )
    communes = communes[communes["epci"].isin(territory.epci)].reset_index(drop=True)
    epci = epci[epci["code"].isin(territory.epci)].reset_index(drop=True)
    departements = _csv(ref_dir / "departements.csv")
    regions = _csv(ref_dir / "regions.csv")
    fusions = _csv(ref_dir / "fusions.csv")[["ancien_code", "code"]]
    pops = _csv(ref_dir / "populations.csv")
    pops["millesime"] = pops["millesime"].astype("int32")
    pops["population"] = pd.to_numeric(pops["population"]).astype("float64")
    keep = (pops["niveau"] != "commune") | pops["code"].isin(set(communes["code"]))
    pops = pops[keep].reset_index(drop=True)
    geo_path = ref_dir / "communes.geojson"
    if not geo_path.exists():
        raise BuildError(f"{geo_path} : contours des communes manquants ; lancez `python -m etl reference`")
    geojson = json.loads(geo_path.read_text(encoding="utf-8"))
    codes = set(communes["code"])
    geojson = {
        "type": "FeatureCollection",
        "features": [f for f in geojson["features"] if f["properties"]["code"] in codes],
    }
    files = [ref_dir / n for n in ("communes.csv", "epci.csv", "departements.csv", "regions.csv",
                                   "fusions.csv", "populations.csv", "communes.geojson")]
    return Reference(communes, epci, departements, regions, fusions, pops, geojson, files)
