"""Commune polygons for the web: repair holes, measure, label, simplify.

Pure functions on shapely geometries. Projections go through a `project`
callable (WGS84 -> metric) so that the tests can use plain planar squares."""
from __future__ import annotations

import json
from typing import Callable, Iterable, Mapping

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping
from shapely.ops import polylabel

Transform = Callable[[np.ndarray], np.ndarray]  # (n, 2) coordinates -> (n, 2)


def _polygons(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]


def union_holes(geoms: Iterable) -> list[Polygon]:
    """Interior holes of the union of the polygons: areas enclosed by the
    territory that no polygon covers."""
    union = shapely.union_all(list(geoms))
    return [Polygon(ring) for part in _polygons(union) for ring in part.interiors]


def _owner(hole: Polygon, geoms: Mapping[str, object]) -> str | None:
    """The commune a hole belongs to. A commune drawn as an island inside the
    hole (a commune nouvelle drawn with its old outline) encloses it: the largest
    island wins. Otherwise the commune sharing the longest boundary wins."""
    islands = [(-g.area, code) for code, g in geoms.items() if hole.contains(g)]
    if islands:
        return min(islands)[1]
    ring = hole.exterior
    eps = max(ring.length, 1e-12) * 1e-7
    shares = [
        (-ring.intersection(g.boundary.buffer(eps)).length, code)
        for code, g in geoms.items()
        if g.distance(ring) <= eps
    ]
    return min(shares)[1] if shares else None


def repair_holes(
    geoms: Mapping[str, object],
    others: Iterable = (),
    min_covered_share: float = 0.5,
) -> tuple[dict[str, object], list[tuple[str, float]]]:
    """Give every interior hole of the union to the commune that encloses it or
    shares the longest boundary with it (see `_owner`). A hole that is mostly covered by
    `others` (polygons outside the territory, e.g. an enclave commune) is a real
    hole and is left alone. Returns (repaired geometries, [(code, area added)])."""
    repaired = dict(geoms)
    others = [g for g in others if g is not None and not g.is_empty]
    tree = shapely.STRtree(others) if others else None
    assigned: list[tuple[str, float]] = []
    for hole in union_holes(geoms.values()):
        if tree is not None:
            covered = sum(others[i].intersection(hole).area for i in tree.query(hole, predicate="intersects"))
            if covered > min_covered_share * hole.area:
                continue
        code = _owner(hole, geoms)
        if code is None:
            continue
        added = hole.difference(repaired[code]).area
        repaired[code] = shapely.union_all([repaired[code], hole])
        assigned.append((code, added))
    return repaired, assigned


def area(geom, project: Transform | None = None) -> float:
    """Planar area after projection (square units of the projection)."""
    return shapely.transform(geom, project).area if project else geom.area


def label_point(geom, project: Transform | None = None, unproject: Transform | None = None) -> Point:
    """Pole of inaccessibility of the largest part, computed in the metric
    projection so that it is not stretched by latitude; falls back to
    `representative_point` if the pole is not inside."""
    metric = shapely.transform(geom, project) if project else geom
    largest = max(_polygons(metric), key=lambda p: p.area)
    tolerance = max(largest.length / 1000, 1e-9)
    point = polylabel(largest, tolerance=tolerance)
    if unproject:
        point = shapely.transform(point, unproject)
    if not geom.contains(point):
        point = geom.representative_point()
    return point


def simplify_coverage(
    geoms: Mapping[str, object],
    tolerance: float,
    project: Transform | None = None,
    unproject: Transform | None = None,
    decimals: int = 5,
) -> dict[str, object]:
    """Simplify neighbours together when they form a valid coverage (shared
    edges stay shared), else each polygon on its own with its topology kept;
    in the metric projection, then round the coordinates."""
    codes = list(geoms)
    metric = [shapely.transform(geoms[c], project) if project else geoms[c] for c in codes]
    metric = np.array(metric, dtype=object)
    if tolerance <= 0:
        simple = metric
    elif shapely.coverage_is_valid(metric):
        simple = shapely.coverage_simplify(metric, tolerance)
    else:  # not edge-matched: coverage simplification could break it further
        simple = shapely.simplify(metric, tolerance, preserve_topology=True)
    out = {}
    for code, geom in zip(codes, simple):
        geom = shapely.transform(geom, unproject) if unproject else geom
        geom = shapely.transform(geom, lambda xy: np.round(xy, decimals))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
            geom = shapely.union_all(_polygons(geom))
        out[code] = geom
    return out


def feature_collection(features: Iterable[tuple[object, Mapping]]) -> str:
    """A compact GeoJSON FeatureCollection from (geometry, properties)."""
    feats = [
        {"type": "Feature", "properties": dict(props), "geometry": mapping(geom)}
        for geom, props in features
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, separators=(",", ":"))
