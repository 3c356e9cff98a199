"""Commune merger table and population harmonisation, derived from the
successive versions of decoupage-administratif (pure functions, no I/O).

A version's `communes.json` says which old communes were absorbed in two ways:
delegated / associated / absorbed communes carry the `chefLieu` (or
`communeAbsorbante`, `nouveauCode`) that took them over, and
current communes list their `anciensCodes`. Chaining these across versions maps
every code that ever was a commune to the commune it belongs to today."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

ACTUELLE = "commune-actuelle"
# Row types of absorbed or renumbered communes, with the field naming their
# successor (the oldest versions also list "commune-absorbee" and "ancien-code").
SUCCESSOR_FIELDS = ("chefLieu", "communeAbsorbante", "nouveauCode")


@dataclass(frozen=True)
class Version:
    """One package version: its label (e.g. "6.0.0") and its communes.json rows."""

    label: str
    communes: Sequence[Mapping]


def current_codes(communes: Iterable[Mapping]) -> set[str]:
    return {c["code"] for c in communes if c.get("type") == ACTUELLE}


def merger_edges(version: Version) -> dict[str, tuple[str, str]]:
    """old code -> (absorbing code, source) as stated by one version."""
    edges: dict[str, tuple[str, str]] = {}
    for c in version.communes:
        kind = c.get("type")
        if kind in (ACTUELLE, "arrondissement-municipal"):
            continue
        target = next((c[f] for f in SUCCESSOR_FIELDS if c.get(f)), None)
        if target and target != c["code"]:
            edges[c["code"]] = (target, f"decoupage-administratif {version.label} {kind}")
    for c in version.communes:
        if c.get("type") != ACTUELLE:
            continue
        for old in c.get("anciensCodes") or ():
            if old != c["code"] and old not in edges:
                edges[old] = (c["code"], f"decoupage-administratif {version.label} anciensCodes")
    return edges


def build_fusions(versions: Sequence[Version]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Map every old commune code of all versions to a current commune (the last
    version is the current geography). Returns ({ancien: (code, source)}, unmapped),
    where unmapped lists old codes no version explains."""
    current = current_codes(versions[-1].communes)
    # Newer versions win: they describe the latest state of a code.
    edges: dict[str, tuple[str, str]] = {}
    for version in versions:
        for old, edge in merger_edges(version).items():
            if old not in current:
                edges[old] = edge
    candidates = set(edges)
    for version in versions:
        candidates |= current_codes(version.communes)
    candidates -= current
    result: dict[str, tuple[str, str]] = {}
    unmapped: list[str] = []
    for old in sorted(candidates):
        code, seen, source = old, {old}, None
        while code not in current and code in edges:
            code, step_source = edges[code]
            source = source or step_source
            if code in seen:  # a cycle: the data contradict themselves
                break
            seen.add(code)
        if code in current and source:
            result[old] = (code, source)
        else:
            unmapped.append(old)
    return result, unmapped


def to_current(code: str, current: set[str], fusions: Mapping[str, tuple[str, str]]) -> str | None:
    if code in current:
        return code
    hit = fusions.get(code)
    return hit[0] if hit else None


def harmonise_populations(
    communes: Iterable[Mapping],
    current: set[str],
    fusions: Mapping[str, tuple[str, str]],
) -> tuple[dict[str, int], list[str]]:
    """Population municipale of one version summed onto current communes (absorbed
    communes added to their current commune). Only `commune-actuelle` rows count,
    so municipal arrondissements are never double counted. Returns (populations,
    codes that could not be placed)."""
    totals: dict[str, int] = defaultdict(int)
    lost: list[str] = []
    for c in communes:
        if c.get("type") != ACTUELLE or c.get("population") is None:
            continue
        target = to_current(c["code"], current, fusions)
        if target is None:
            lost.append(c["code"])
            continue
        totals[target] += int(c["population"])
    return dict(totals), lost
