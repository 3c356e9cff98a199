"""Demonstration files: INSEE's exact format, consistent, deterministic, and
accepted by the same readers as real files."""
from __future__ import annotations

import math
import random
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl import demo
from etl.readers import registry

ROOT = Path(__file__).resolve().parents[1]

COMMUNES = pd.DataFrame({
    "code": ["62119", "80810", "62001", "62447", "62498", "62999"],
    "nom": ["Béthune", "Vitz-sur-Authie", "Ablain-Saint-Nazaire", "Hesdin-la-Forêt", "Lens", "Sans population"],
    "epci": ["200072460", "200069672", "246200364", "200044030", "246200364", "200072460"],
    "departement": ["62", "80", "62", "62", "62", "62"],
    "region": ["32"] * 6,
})
POPULATIONS = pd.DataFrame({
    "code": ["62119"] * 3 + ["80810"] * 2 + ["62001", "62447", "62498", "62498"],
    "millesime": [2016, 2021, 2023, 2016, 2023, 2021, 2021, 2016, 2022],
    "population": [25186, 24992, 25224, 80, 86, 900, 2900, 31000, 30500],
})


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    paths = demo.generate(out, POPULATIONS, COMMUNES)
    results = {}
    for p in paths:
        reader, reason = registry.identify(p)
        assert reader is not None, reason
        r = reader.read(p)
        results[r.info.famille] = r
    return out, paths, results


def wide(result, year):
    d = result.data[result.data["millesime"] == year]
    return d.pivot(index="code", columns="variable", values="valeur")


FILOSOFI_MEMBERS = [f"cc_filosofi_2021_{level}.csv" for level in ("COM", "DEP", "EPCI", "METRO", "REG")]


def test_files_and_members(generated):
    out, paths, _ = generated
    assert [p.name for p in paths] == [
        "base-cc-evol-struct-pop-2021_csv.zip",
        "base-cc-logement-2021_csv.zip",
        "base-cc-emploi-pop-active-2021_csv.zip",
        "base-cc-filosofi-2021_CSV.zip",
    ]
    for p, stem in zip(paths[:3], ["base-cc-evol-struct-pop-2021", "base-cc-logement-2021", "base-cc-emploi-pop-active-2021"]):
        with zipfile.ZipFile(p) as zf:
            assert zf.namelist() == [f"{stem}.CSV", f"meta_{stem}.CSV"]
            header = zf.read(f"{stem}.CSV").decode("utf-8").split("\r\n")[0].split(";")
            assert header[0] == "CODGEO" and all(c[0] in "PC" and c[1:3] in ("21", "15", "10") for c in header[1:])
    with zipfile.ZipFile(paths[3]) as zf:
        # INSEE's layout: one table per level and its dictionary, alphabetical
        assert zf.namelist() == FILOSOFI_MEMBERS + [f"meta_{m}" for m in FILOSOFI_MEMBERS]


def test_readers_accept_them_and_families(generated):
    _, _, results = generated
    assert set(results) == set(demo.DEMO_FAMILIES)
    metro = ("niveau France : valeurs publiées par l'Insee pour la France métropolitaine (fichier METRO), "
             "le fichier ne publie pas de valeur France entière")
    for r in results.values():
        # nothing to repair in our own files; demo Filosofi, like INSEE's, publishes France métropolitaine only
        assert r.info.notes == ([metro] if r.info.famille == "filosofi" else [])
    assert results["logement"].info.millesimes == [2010, 2015, 2021]
    assert results["filosofi"].info.millesimes == [2021]
    assert results["logement"].info.libelles["P21_LOG"] == "Nombre de logements en 2021"
    assert results["filosofi"].info.libelles["MED21"] == "Médiane du niveau de vie (€)"


def test_every_mapped_variable_is_generated(generated):
    _, _, results = generated
    mapping = pd.read_csv(ROOT / "datasets" / "variables.csv", sep=";", dtype=str)
    for famille in demo.DEMO_FAMILIES:
        wanted = set(mapping.loc[mapping["famille"] == famille, "variable"])
        assert wanted, famille
        have = set(results[famille].data["variable"])
        assert wanted <= have, (famille, wanted - have)
        # plus a few realistic others
        assert len(have - wanted) >= 2 or famille == "filosofi"


def test_identities(generated):
    _, _, results = generated
    for year in demo.CENSUS_VINTAGES:
        lg = wide(results["logement"], year).dropna()
        assert (lg["P_LOG"] == lg["P_RP"] + lg["P_RSECOCC"] + lg["P_LOGVAC"]).all()  # exactly
        assert (lg["P_MAISON"] + lg["P_APPART"] <= lg["P_LOG"]).all()
        assert ((lg["P_RP_PROP"] + lg["P_RP_LOC"] + lg["P_RP_GRAT"]) - lg["P_RP"]).abs().max() < 1e-6
        assert (lg["P_RP_LOCHLMV"] <= lg["P_RP_LOC"]).all()
        ev = wide(results["evol_struct_pop"], year).dropna()
        bands = ["P_POP0014", "P_POP1529", "P_POP3044", "P_POP4559", "P_POP6074", "P_POP7589", "P_POP90P"]
        assert (ev[bands].sum(axis=1) - ev["P_POP"]).abs().max() < 1e-6
        cs = [f"C_POP15P_CS{i}" for i in range(1, 9)]
        assert (ev[cs].sum(axis=1) - ev["C_POP15P"]).abs().max() < 1e-6
        assert (ev["P_POPH"] + ev["P_POPF"] - ev["P_POP"]).abs().max() < 1e-6
        assert ((ev["C_PMEN"] / ev["C_MEN"]).between(2.0, 2.6)).all()
        em = wide(results["emploi_pop_active"], year).dropna()
        assert (em["P_ACT1564"] == em["P_ACTOCC1564"] + em["P_CHOM1564"]).all()  # exactly
        assert ((em["P_POP1524"] + em["P_POP2554"] + em["P_POP5564"]) - em["P_POP1564"]).abs().max() < 1e-6
        assert ((em["P_ACT1564"] + em["P_INACT1564"]) - em["P_POP1564"]).abs().max() < 1e-6
        assert (em["P_ACTOCC"] >= em["P_ACTOCC1564"]).all()
        assert ((em["P_CHOM1564"] / em["P_ACT1564"]).between(0.05, 0.2)).all()


def test_values_follow_the_real_populations(generated):
    _, _, results = generated
    ev21 = wide(results["evol_struct_pop"], 2021)
    assert math.isclose(ev21.loc["62119", "P_POP"], 24992, rel_tol=1e-9)
    assert math.isclose(ev21.loc["62001", "P_POP"], 900, rel_tol=1e-9)
    # 62498 has 2016 and 2022: 2021 is interpolated
    assert math.isclose(ev21.loc["62498", "P_POP"], 31000 + (30500 - 31000) * 5 / 6, rel_tol=1e-9)
    ev10 = wide(results["evol_struct_pop"], 2010)
    assert 0.8 * 25186 < ev10.loc["62119", "P_POP"] < 1.2 * 25186
    assert ev10.loc["62119", "P_POP"] != ev21.loc["62119", "P_POP"]
    # weighted-estimate-looking floats
    lg = wide(results["logement"], 2021)
    assert (lg["P_RP"].dropna() % 1 != 0).all()


def test_commune_without_population_is_missing(generated):
    _, _, results = generated
    for r in results.values():
        d = r.data[r.data["code"] == "62999"]
        assert len(d) > 0 and d["valeur"].isna().all() and (d["statut"] == "manquant").all()


def _filosofi_member(out: Path, level: str) -> str:
    with zipfile.ZipFile(out / "base-cc-filosofi-2021_CSV.zip") as zf:
        return zf.read(f"cc_filosofi_2021_{level}.csv").decode("utf-8")


def test_filosofi_secret_and_decimal_commas(generated):
    out, _, results = generated
    text = _filosofi_member(out, "COM")
    assert text.startswith("CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;")
    lines = {line.split(";")[0]: line for line in text.splitlines()[1:]}
    assert set(lines["80810"].split(";")[1:]) == {"s"}  # ~35 fiscal households: secret
    assert "," in lines["62119"]
    f = wide(results["filosofi"], 2021)
    d = results["filosofi"].data
    assert (d.loc[d["code"] == "80810", "statut"] == "secret").all()
    row = f.loc["62119"]
    assert 15000 < row["MED"] < 30000 and row["D1"] < row["MED"] < row["D9"]
    assert 5 <= row["TP60"] < 40 and row["PIMPOT"] < 0
    assert math.isclose(row["RD"], round(row["D9"] / row["D1"], 1), abs_tol=0.051)


def test_deterministic_bytes_whatever_the_global_random_state(tmp_path):
    np.random.seed(1)
    random.seed(1)
    a = demo.generate(tmp_path / "a", POPULATIONS, COMMUNES)
    np.random.seed(2)
    random.seed(2)
    shuffled = COMMUNES.sample(frac=1, random_state=3)
    b = demo.generate(tmp_path / "b", POPULATIONS.iloc[::-1], shuffled)
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert [p.name for p in a] == [p.name for p in b]


def test_values_depend_on_the_commune(generated):
    _, _, results = generated
    lg = wide(results["logement"], 2021)
    share = lg["P_LOGVAC"] / lg["P_LOG"]
    assert share.dropna().nunique() == len(share.dropna())


# --- every commune of France ---------------------------------------------------

from etl.reference import france as reference_france  # noqa: E402

REF = ROOT / "datasets" / "reference"


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The demonstration files of every commune of the committed national table."""
    table = reference_france.load(REF)
    out = tmp_path_factory.mktemp("demo-france")
    paths = demo.generate(out, reference_france.long_populations(table), table)
    results = {}
    for p in paths:
        reader, reason = registry.identify(p)
        assert reader is not None, reason
        r = reader.read(p)
        results[r.info.famille] = r
    return table, out, paths, results


def test_national_files_cover_every_commune_of_the_table(national):
    table, _, _, results = national
    expected = set(table.loc[table["departement"] != "976", "code"])  # Mayotte: not in INSEE's census bases
    assert len(expected) > 34_800
    for famille, r in results.items():
        com = r.data[r.data["niveau"] == "commune"]
        assert set(com["code"]) == expected, famille
    # a value for every commune that has a legal population (the others are empty, `manquant`)
    with_pop = set(reference_france.long_populations(table)["code"]) & expected
    lg = results["logement"].data
    present = set(lg.loc[lg["valeur"].notna() & (lg["millesime"] == 2021), "code"])
    assert present == with_pop


def test_consistency_rules_hold_for_every_commune(national):
    _, _, _, results = national
    for year in demo.CENSUS_VINTAGES:
        lg = wide(results["logement"], year).dropna()
        assert len(lg) > 34_000
        assert (lg["P_LOG"] == lg["P_RP"] + lg["P_RSECOCC"] + lg["P_LOGVAC"]).all()  # exactly
        assert (lg["P_MAISON"] + lg["P_APPART"] <= lg["P_LOG"]).all()
        assert (lg["P_RP_LOCHLMV"] <= lg["P_RP_LOC"]).all() and (lg >= 0).all().all()
        ev = wide(results["evol_struct_pop"], year).dropna()
        assert len(ev) > 34_000
        assert (ev[demo.AGE_BANDS].sum(axis=1) - ev["P_POP"]).abs().max() < 1e-6 * max(1, ev["P_POP"].max() / 1e3)
        assert np.allclose(ev[demo.CS].sum(axis=1), ev["C_POP15P"], rtol=1e-12, atol=1e-6)
        assert np.allclose(ev["P_POPH"] + ev["P_POPF"], ev["P_POP"], rtol=1e-12, atol=1e-6)
        em = wide(results["emploi_pop_active"], year).dropna()
        assert (em["P_ACT1564"] == em["P_ACTOCC1564"] + em["P_CHOM1564"]).all()  # exactly
        assert np.allclose(em["P_POP1524"] + em["P_POP2554"] + em["P_POP5564"], em["P_POP1564"], rtol=1e-12, atol=1e-6)
        assert ((em["P_CHOM1564"] / em["P_ACT1564"]).dropna().between(0.05, 0.2)).all()


def test_census_2021_population_is_the_legal_population(national):
    table, _, _, results = national
    ev = wide(results["evol_struct_pop"], 2021)["P_POP"]
    legal = table.set_index("code")["pmun_2021"].reindex(ev.index)
    both = legal.notna()
    assert both.sum() > 34_000
    assert np.allclose(ev[both], legal[both], rtol=1e-9)


def test_filosofi_publishes_its_levels_as_insee(national):
    """EPCI, DEP, REG members for every level of the table, METRO for France
    métropolitaine; counts are the communes' sums (secret ones included), medians
    are published values, plausible against the communes'."""
    table, out, _, results = national
    d = results["filosofi"].data
    levels = d.groupby("niveau")["code"].unique()
    france = table[table["departement"] != "976"]
    assert set(levels["epci"]) == set(france["epci"]) - {""}
    assert set(levels["departement"]) == set(france["departement"])
    assert set(levels["region"]) == set(france["region"])
    metro = _filosofi_member(out, "METRO").split("\n")
    assert metro[0].startswith("CODGEO;NBMENFISC21;") and metro[1].startswith(f"{demo.METRO_CODE};") and metro[2] == ""
    med = d[d["variable"] == "MED"].set_index(["niveau", "code"])["valeur"]
    men = d[d["variable"] == "NBMENFISC"].set_index(["niveau", "code"])
    com = d[(d["niveau"] == "commune") & (d["variable"] == "MED")].assign(dep=lambda x: x["code"].str[:2])
    for dep in ("62", "80", "59", "2A"):  # départements of many communes
        visible = com.loc[com["dep"] == dep, "valeur"].dropna()
        assert visible.quantile(0.05) < med[("departement", dep)] < visible.quantile(0.95), dep
    com_men = d[(d["niveau"] == "commune") & (d["variable"] == "NBMENFISC")]
    in62 = com_men[com_men["code"].str.startswith("62")]
    secret = int(in62["valeur"].isna().sum())
    published = men.loc[("departement", "62"), "valeur"]
    assert in62["valeur"].sum() <= published < in62["valeur"].sum() + demo.SECRET_MENAGES * secret
    assert (men["statut"].isna() | (men.index.get_level_values("niveau") == "commune")).all()
    # départements differ (a standing of living per département), France is in between
    deps = med.loc["departement"]
    assert deps.max() - deps.min() > 2000
    assert deps.min() < med[("region", "32")] < deps.max()


def test_filosofi_zip_laid_out_as_insee_real_zip(national, shared_data):
    real = shared_data / "insee" / "filosofi" / "base-cc-filosofi-2019_CSV.zip"
    _, out, _, _ = national
    with zipfile.ZipFile(real) as zf:
        real_names = zf.namelist()
        real_header = zf.read("cc_filosofi_2019_DEP.csv").decode("utf-8").split("\n")[0].split(";")
        real_meta = zf.read("meta_cc_filosofi_2019_DEP.csv").decode("utf-8").split("\n")[0]
        real_eol = zf.read("cc_filosofi_2019_METRO.csv")[-1:]
    with zipfile.ZipFile(out / "base-cc-filosofi-2021_CSV.zip") as zf:
        ours = zf.namelist()
        header = zf.read("cc_filosofi_2021_DEP.csv").decode("utf-8").split("\n")[0].split(";")
        meta = zf.read("meta_cc_filosofi_2021_DEP.csv").decode("utf-8").split("\n")[0]
        eol = zf.read("cc_filosofi_2021_METRO.csv")[-1:]
    assert {n.replace("2021", "2019") for n in ours} <= set(real_names)
    assert [c.removesuffix("21") for c in header] == [c.removesuffix("19") for c in real_header if c.removesuffix("19") in
                                                      [h.removesuffix("21") for h in header]]
    assert meta == real_meta and eol == real_eol == b"\n"


def test_national_generation_is_deterministic_and_order_free(national, tmp_path):
    table, out, paths, _ = national
    shuffled = table.sample(frac=1, random_state=7)
    again = demo.generate(tmp_path, reference_france.long_populations(table).iloc[::-1], shuffled)
    for a, b in zip(paths, again):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_only_the_families_asked_for(tmp_path):
    paths = demo.generate(tmp_path, POPULATIONS, COMMUNES, families=["filosofi", "logement"])
    assert [p.name for p in paths] == ["base-cc-logement-2021_csv.zip", "base-cc-filosofi-2021_CSV.zip"]
    with pytest.raises(ValueError):
        demo.generate(tmp_path, POPULATIONS, COMMUNES, families=["serie_historique"])


# --- the embedded default build --------------------------------------------------

def _indicator_sources(valeurs: pd.DataFrame) -> pd.Series:
    com = valeurs[(valeurs["niveau"] == "commune") & valeurs["valeur"].notna()]
    return com.groupby("indicateur")["source_id"].first()


def test_default_build_has_reference_levels_for_every_demo_indicator(default_build):
    target, _ = default_build
    v = pd.read_parquet(target / "valeurs.parquet")
    sources = _indicator_sources(v)
    demo_ind = sources[sources.str.startswith("demo-")]
    assert len(demo_ind) >= 30
    present = v[v["valeur"].notna()].set_index(["indicateur", "niveau", "code", "millesime"]).index
    com = v[(v["niveau"] == "commune") & v["valeur"].notna() & v["indicateur"].isin(demo_ind.index)]
    missing = []
    for ind, year in com[["indicateur", "millesime"]].drop_duplicates().itertuples(index=False):
        levels = [("departement", "62"), ("departement", "80"), ("region", "32")]
        if not demo_ind[ind].startswith("demo-filosofi"):
            # France: every census indicator (Filosofi publishes France métropolitaine,
            # not France; its communes hold secret cells)
            levels.append(("pays", "FR"))
        missing += [(ind, year, n, c) for n, c in levels if (ind, n, c, year) not in present]
    assert missing == []
    # published medians at every level INSEE publishes
    med = v[(v["indicateur"] == "mediane_niveau_vie")].set_index(["niveau", "code"])["valeur"]
    for level in [("departement", "62"), ("departement", "80"), ("region", "32")] + [("epci", c) for c in med.loc["epci"].index]:
        assert 12_000 < med[level] < 35_000, level
    assert len(med.loc["epci"].dropna()) == 5


def test_default_build_sums_over_the_whole_departement(default_build):
    """Département 62 is the sum of all its communes, not of the territory's."""
    target, _ = default_build
    v = pd.read_parquet(target / "valeurs.parquet").set_index(["indicateur", "niveau", "code", "millesime"])["valeur"]
    terr = v[("logements", "territoire", "AULA", 2021)]
    dep = v[("logements", "departement", "62", 2021)]
    pop = v[("population", "departement", "62", 2021)]
    assert dep > 1.5 * terr  # the territory is 319 of the 890 communes of 62
    assert 0.4 < dep / pop < 0.6  # about 2.2 persons a dwelling
    assert v[("logements", "pays", "FR", 2021)] > 20 * dep


def test_default_build_is_deterministic(default_build, tmp_path):
    from etl import build

    target, _ = default_build
    raw = tmp_path / "raw"
    raw.mkdir()
    build.build(raw_dir=raw, target=tmp_path / "warehouse", log=lambda _: None)
    for table in ("valeurs", "indicateurs", "territoires", "sources"):
        a = pd.read_parquet(target / f"{table}.parquet")
        b = pd.read_parquet(tmp_path / "warehouse" / f"{table}.parquet")
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=table)


def test_without_the_national_table_demo_covers_the_territory_only(tmp_path):
    """A reference folder from before communes_france.csv.gz still builds: the
    demonstration then covers the territory's communes, and says so."""
    import shutil

    from etl import build

    ref = tmp_path / "reference"
    shutil.copytree(REF, ref)
    (ref / reference_france.FILE).unlink()
    raw = tmp_path / "raw"
    raw.mkdir()
    logs: list[str] = []
    build.build(raw_dir=raw, target=tmp_path / "warehouse", ref_dir=ref, log=logs.append)
    assert any("démonstration limitée aux communes du territoire" in line for line in logs)
    v = pd.read_parquet(tmp_path / "warehouse" / "valeurs.parquet").set_index(["indicateur", "niveau", "code", "millesime"])
    # (dwellings are real in the default, from datasets/embedded/: an age band is still demonstration)
    assert pd.notna(v.loc[("pop_0014", "territoire", "AULA", 2021), "valeur"])
    assert v.loc[("pop_0014", "departement", "62", 2021), "statut"] == "hors_source"
