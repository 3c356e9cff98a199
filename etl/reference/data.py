"""The committed reference data (datasets/reference/) restricted to the
territory of `territory.toml`, as the build reads it. The restriction itself is
`reference_select.select_territory`; this adds the full tables the build needs
(départements, régions, fusions), the build's dtypes and its error type."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl import paths
from etl.reference import france as reference_france
from etl.errors import BuildError
from etl.reference.select import select_territory
from etl.territory import Territory, TerritoryError

REFERENCE_SOURCE_ID = "populations-legales-decoupage-administratif"
#: the geography of the committed communes (COG of decoupage-administratif 6.0.0);
#: the vintage given to the areas computed from their outlines
GEOGRAPHIE = 2026
# Order matters: build.py reads files[5] (populations) and files[6] (GeoJSON).
FILES = ("communes.csv", "epci.csv", "departements.csv", "regions.csv",
         "fusions.csv", "populations.csv", "communes.geojson")


@dataclass
class Reference:
    communes: pd.DataFrame  # code, nom, epci, departement, region, codes_postaux (territory only)
    epci: pd.DataFrame  # code, nom, type, nb_communes (territory only)
    departements: pd.DataFrame  # code, nom, region, nb_communes (all France)
    regions: pd.DataFrame  # code, nom
    fusions: pd.DataFrame  # ancien_code, code
    populations: pd.DataFrame  # niveau, code, millesime (int32), population (float64)
    geojson: dict  # territory communes only
    files: list[Path]  # FILES, then superficies.csv if present
    # niveau, code, superficie_km2 (float64) of the reference levels; empty if superficies.csv is missing
    superficies: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"niveau": pd.Series(dtype=str), "code": pd.Series(dtype=str), "superficie_km2": pd.Series(dtype="float64")}))
    # every commune of France (reference_france: code, epci, departement, region,
    # pmun_AAAA), or None when communes_france.csv.gz is missing
    france: pd.DataFrame | None = None
    france_path: Path | None = None


def _csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise BuildError(
            f"{path} : fichier de référence manquant ; lancez `python -m etl reference` "
            "(seule étape qui a besoin des registres de paquets)"
        )
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


def load(territory: Territory, ref_dir: Path | None = None) -> Reference:
    ref_dir = Path(ref_dir) if ref_dir else paths.reference_dir()
    geo_path = ref_dir / "communes.geojson"
    if not geo_path.exists():
        raise BuildError(f"{geo_path} : contours des communes manquants ; lancez `python -m etl reference`")
    try:
        sel = select_territory(territory.epci, ref_dir, territory.departements, territory.regions, territory.pays)
    except TerritoryError as exc:
        raise BuildError(f"{territory.path} : {exc}") from exc
    pops = sel.populations.copy()
    pops["millesime"] = pops["millesime"].astype("int32")
    pops["population"] = pops["population"].astype("float64")
    epci = sel.epci.copy()
    epci["nb_communes"] = epci["nb_communes"].astype(str)  # as in the file
    files = [ref_dir / n for n in FILES]
    if (ref_dir / "superficies.csv").exists():
        files.append(ref_dir / "superficies.csv")
    return Reference(
        communes=sel.communes,
        epci=epci,
        departements=_csv(ref_dir / "departements.csv"),
        regions=_csv(ref_dir / "regions.csv"),
        fusions=_csv(ref_dir / "fusions.csv")[["ancien_code", "code"]],
        populations=pops,
        geojson={"type": "FeatureCollection", "features": sel.features},
        files=files,
        superficies=sel.superficies,
        france=reference_france.load(ref_dir),
        france_path=ref_dir / reference_france.FILE if (ref_dir / reference_france.FILE).exists() else None,
    )
