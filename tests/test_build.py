"""The whole warehouse built from the embedded default, the atomic-build
guarantee and the territory switch."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from etl import build, check
from etl.errors import BuildError, InputError

ROOT = Path(__file__).resolve().parents[1]
TOTALS = {2016: 713_810, 2019: 712_062, 2020: 712_447, 2021: 711_667, 2022: 711_035, 2023: 709_273}


def _tables(target: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(target / f"{n}.parquet") for n in check.TABLES}


def test_default_warehouse_has_the_territory(default_build):
    target, _ = default_build
    t = _tables(target)["territoires"]
    counts = t.groupby("niveau").size().to_dict()
    assert counts["commune"] == 319 and counts["epci"] == 5 and counts["groupement"] == 2
    assert counts["territoire"] == 1 and counts["pays"] == 1
    assert set(t.loc[t["niveau"] == "departement", "code"]) == {"62", "80"}
    com = t[t["niveau"] == "commune"].set_index("code")
    assert com.loc["80810", "epci"] == "200069672"  # Vitz-sur-Authie, Somme, CC du Ternois
    assert com.groupby("epci").size().to_dict() == {
        "200072460": 100, "246200364": 36, "246200299": 14, "200069672": 103, "200044030": 66}


def test_population_totals_per_vintage_and_level(default_build):
    target, _ = default_build
    v = _tables(target)["valeurs"]
    pop = v[v["indicateur"] == "population"]
    terr = pop[pop["niveau"] == "territoire"].set_index("millesime")["valeur"].to_dict()
    assert terr == {m: float(x) for m, x in TOTALS.items()}
    for m in TOTALS:
        year = pop[pop["millesime"] == m]
        assert year.loc[year["niveau"] == "commune", "valeur"].sum() == TOTALS[m]
        assert year.loc[year["niveau"] == "epci", "valeur"].sum() == TOTALS[m]
        pma = year.loc[(year["niveau"] == "groupement") & (year["code"] == "PMA"), "valeur"].iloc[0]
        epci = year[(year["niveau"] == "epci") & year["code"].isin(["200072460", "246200364", "246200299"])]
        assert pma == epci["valeur"].sum()
        fr = year.loc[year["niveau"] == "pays", "valeur"].iloc[0]
        dep62 = year.loc[(year["niveau"] == "departement") & (year["code"] == "62"), "valeur"].iloc[0]
        assert 1_400_000 < dep62 < 1_500_000 and 64_000_000 < fr < 70_000_000
    assert not pop["demo"].any()


def test_ratios_are_recomputed_from_summed_parts(default_build):
    target, _ = default_build
    v = _tables(target)["valeurs"].set_index(["indicateur", "niveau", "code", "millesime"])["valeur"]
    for niveau, code in (("epci", "246200364"), ("territoire", "AULA"), ("commune", "62119")):
        vac, log = v[("logements_vacants", niveau, code, 2021)], v[("logements", niveau, code, 2021)]
        assert v[("part_logements_vacants", niveau, code, 2021)] == pytest.approx(100 * vac / log)
    # a territory's density is its population over its area, not the mean of its communes' densities
    area = v.xs(("superficie", "territoire", "AULA"), level=[0, 1, 2]).iloc[0]
    assert v[("densite", "territoire", "AULA", 2023)] == pytest.approx(v[("population", "territoire", "AULA", 2023)] / area)
    com_dens = v.xs(("densite", "commune"), level=[0, 1]).xs(2023, level="millesime")
    assert v[("densite", "territoire", "AULA", 2023)] != pytest.approx(com_dens.mean())


def test_demo_values_are_flagged_and_real_ones_are_not(default_build):
    target, logs = default_build
    t = _tables(target)
    v, s = t["valeurs"], t["sources"]
    # the embedded real extracts (datasets/embedded/) give housing counts, medians…; demonstration
    # data only fills the indicators no real source covers (HLM tenants, age groups…)
    assert not v.loc[v["indicateur"].isin(["logements", "mediane_niveau_vie", "etablissements"]), "demo"].any()
    assert v.loc[v["indicateur"] == "rp_hlm", "demo"].all() and v.loc[v["indicateur"] == "pop_0014", "demo"].all()
    assert not v.loc[v["indicateur"].isin(["population", "superficie"]), "demo"].any()
    assert set(s.loc[s["demo"], "famille"]) >= {"evol_struct_pop", "logement", "emploi_pop_active"}
    assert "filosofi" not in set(s.loc[s["demo"], "famille"])  # every Filosofi indicator is real: no demo source listed
    assert set(s.loc[~s["demo"], "source_id"]) >= {"base-cc-comparateur", "filosofi-2019", "base-cc-logement-2021"}
    ind = t["indicateurs"].set_index("indicateur")
    assert ind.loc["rp_hlm", "demo"] and not ind.loc["logements", "demo"] and not ind.loc["population", "demo"]
    assert any("démo" in line for line in logs) and any("embarqué" in line for line in logs)


def test_medians_are_never_aggregated(default_build):
    target, _ = default_build
    v = _tables(target)["valeurs"]
    med = v[(v["indicateur"] == "mediane_niveau_vie") & (v["niveau"].isin(["groupement", "territoire"]))]
    assert len(med) and med["valeur"].isna().all()
    assert set(med["statut"]) == {"non_calculable"}


def test_check_passes_and_reports(default_build):
    target, _ = default_build
    summary = check.check(target)
    assert summary["communes"] == 319 and summary["epci"] == 5
    assert summary["population"]["territoire AULA"][2023] == TOTALS[2023]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_failed_build_leaves_previous_warehouse_untouched(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    target = tmp_path / "warehouse"
    build.build(raw_dir=raw, target=target, log=lambda _: None)
    before = _digest(target)
    resolved = target.resolve()
    (raw / "base-cc-logement-2021.CSV").write_text("CODGEO;P21_LOG;P21_RP\n62119;abc;1\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        build.build(raw_dir=raw, target=target, log=lambda _: None)
    assert "ligne 2" in str(exc.value) and "P21_LOG" in str(exc.value)
    assert target.resolve() == resolved and _digest(target) == before
    leftovers = [p.name for p in (tmp_path / ".warehouse-builds").iterdir() if p.name.startswith("tmp-")]
    assert leftovers == []


def test_cli_build_failure_exits_non_zero_with_message(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "base-cc-logement-2021.CSV").write_text("CODGEO,P21_LOG\n62119,1\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "etl", "build", "--raw", str(raw), "--out", str(tmp_path / "w")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "base-cc-logement-2021.CSV" in proc.stderr and "inchangé" in proc.stderr
    assert not (tmp_path / "w").exists()


def test_territory_switch_within_committed_data(tmp_path):
    toml = (ROOT / "datasets" / "territory.toml").read_text(encoding="utf-8")
    head = toml.split("[[epci]]")[0].replace('nom = "Territoire de l\'AULA"', 'nom = "Lens-Liévin et Hénin-Carvin"')
    switched = head + """
[[epci]]
code = "246200364"
court = "CALL"

[[epci]]
code = "246200299"
court = "CAHC"

[[groupement]]
code = "PMA-EST"
nom = "Est du PMA"
epci = ["246200364", "246200299"]

[references]
departements = "auto"
regions = "auto"
pays = true
"""
    path = tmp_path / "territory.toml"
    path.write_text(switched, encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    target = tmp_path / "warehouse"
    build.build(raw_dir=raw, target=target, territory_path=path, log=lambda _: None)
    t = _tables(target)
    terr = t["territoires"]
    assert (terr["niveau"] == "commune").sum() == 50
    assert set(terr.loc[terr["niveau"] == "departement", "code"]) == {"62"}
    v = t["valeurs"]
    pop = v[(v["indicateur"] == "population") & (v["niveau"] == "territoire") & (v["millesime"] == 2023)]
    epci = v[(v["indicateur"] == "population") & (v["niveau"] == "epci") & (v["millesime"] == 2023)]
    assert pop["valeur"].iloc[0] == epci["valeur"].sum() == 242_013 + 125_793
    assert json.loads((target / "build.json").read_text())["territory"]["nom"] == "Lens-Liévin et Hénin-Carvin"
