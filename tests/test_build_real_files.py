"""The build on the real INSEE files of ../shared/data: real files replace the
demonstration data of their theme, national files give the reference levels,
old geographies are harmonised."""
from __future__ import annotations

import pandas as pd
import pytest

from etl import build

TOTALS = {2016: 713_810, 2019: 712_062, 2020: 712_447, 2021: 711_667, 2022: 711_035, 2023: 709_273}


@pytest.fixture(scope="module")
def real_build(shared_data, tmp_path_factory):
    base = tmp_path_factory.mktemp("real-build")
    raw = base / "raw"
    raw.mkdir()
    insee = shared_data / "insee"
    for f in [insee / "logement" / "base-cc-logement-2021_extract.csv",
              insee / "meta" / "meta_base-cc-logement-2021.CSV",
              *sorted((insee / "populations_legales").iterdir())]:
        (raw / f.name).symlink_to(f)
    logs: list[str] = []
    target = base / "warehouse"
    build.build(raw_dir=raw, target=target, log=logs.append)
    tables = {n: pd.read_parquet(target / f"{n}.parquet") for n in ("valeurs", "sources", "indicateurs")}
    return tables, logs


def test_every_file_is_reported(real_build):
    _, logs = real_build
    text = "\n".join(logs)
    assert "reconnu  base-cc-logement-2021_extract.csv" in text
    for vintage in (2016, 2019, 2020, 2021, 2022, 2023):
        assert f"PL{vintage}" in text
    assert "ignoré   meta_base-cc-logement-2021.CSV" in text
    assert "démo     logement" not in text and "démo     evol_struct_pop" in text


def test_real_logement_replaces_demo_and_reaches_every_level(real_build):
    tables, _ = real_build
    v = tables["valeurs"]
    log = v[(v["indicateur"] == "logements") & (v["millesime"] == 2021)].set_index(["niveau", "code"])
    assert not log["demo"].any()
    # LOG = RP + RSECOCC + LOGVAC holds at every level, as in the file
    parts = v[v["indicateur"].isin(["residences_principales", "residences_secondaires", "logements_vacants"])
              & (v["millesime"] == 2021)].groupby(["niveau", "code"])["valeur"].sum()
    for key in [("commune", "62119"), ("epci", "246200364"), ("territoire", "AULA"), ("departement", "62"), ("pays", "FR")]:
        assert log.loc[key, "valeur"] == pytest.approx(parts[key], rel=1e-9)
    # full precision kept: weighted counts are not rounded
    assert log.loc[("commune", "62119"), "valeur"] % 1 != 0
    assert 36_000_000 < log.loc[("pays", "FR"), "valeur"] < 38_500_000
    assert 700_000 < log.loc[("departement", "62"), "valeur"] < 760_000
    s = tables["sources"].set_index("source_id")
    assert not s.loc["base-cc-logement-2021", "demo"] and s.loc["base-cc-logement-2021", "geographie"] == 2024
    ind = tables["indicateurs"].set_index("indicateur")
    assert "logements en 2021" in ind.loc["logements", "libelle_insee"].lower()


def test_insee_populations_harmonised_to_current_geography(real_build):
    tables, _ = real_build
    v = tables["valeurs"]
    pop = v[(v["indicateur"] == "population") & (v["niveau"] == "territoire")].set_index("millesime")["valeur"]
    assert pop.to_dict() == {m: float(x) for m, x in TOTALS.items()}
    hesdin = v[(v["indicateur"] == "population") & (v["niveau"] == "commune") & (v["code"] == "62447")]
    assert set(hesdin["millesime"]) == set(TOTALS)  # absorbed communes added before 2025
    assert hesdin["valeur"].notna().all()
