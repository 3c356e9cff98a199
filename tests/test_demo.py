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


def test_files_and_members(generated):
    out, paths, _ = generated
    assert [p.name for p in paths] == [
        "base-cc-evol-struct-pop-2021_csv.zip",
        "base-cc-logement-2021_csv.zip",
        "base-cc-emploi-pop-active-2021_csv.zip",
        "cc_filosofi_2021_COM.csv",
    ]
    for p, stem in zip(paths[:3], ["base-cc-evol-struct-pop-2021", "base-cc-logement-2021", "base-cc-emploi-pop-active-2021"]):
        with zipfile.ZipFile(p) as zf:
            assert zf.namelist() == [f"{stem}.CSV", f"meta_{stem}.CSV"]
            header = zf.read(f"{stem}.CSV").decode("utf-8").split("\r\n")[0].split(";")
            assert header[0] == "CODGEO" and all(c[0] in "PC" and c[1:3] in ("21", "15", "10") for c in header[1:])
    assert (out / "meta_cc_filosofi_2021_COM.csv").exists()


def test_readers_accept_them_and_families(generated):
    _, _, results = generated
    assert set(results) == set(demo.DEMO_FAMILIES)
    for r in results.values():
        assert r.info.notes == []  # nothing to repair in our own files
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


def test_filosofi_secret_and_decimal_commas(generated):
    out, _, results = generated
    text = (out / "cc_filosofi_2021_COM.csv").read_text(encoding="utf-8")
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
