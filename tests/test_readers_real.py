"""Readers on the real INSEE files of ../shared/data (skipped when absent)."""
from __future__ import annotations

import pytest

from etl.readers import base_cc, files, populations_legales, registry

PL_FILES = {
    2016: "ensemble_PL2016_geo2018_population2019.xls",
    2019: "donnees_communes_PL2019_geo2021.csv",
    2020: "donnees_communes_PL2020_geo2022.csv",
    2021: "donnees_communes_PL2021_geo2023.csv",
    2022: "donnees_communes_PL2022_geo2024.csv",
    2023: "donnees_communes_PL2023_geo2025.csv",
}
# PMUN of Béthune and Vitz-sur-Authie, as printed in each file
KNOWN = {
    2016: {"62119": 25186, "80810": 127},
    2019: {"62119": 25039, "80810": 135},
    2020: {"62119": 24983, "80810": 135},
    2021: {"62119": 24992, "80810": 135},
    2022: {"62119": 25342, "80810": 135},
    2023: {"62119": 25224, "80810": 136},
}


@pytest.fixture(scope="module")
def pl(shared_data):
    folder = shared_data / "insee" / "populations_legales"
    return {year: populations_legales.read(folder / name) for year, name in PL_FILES.items()}


@pytest.mark.parametrize("year", sorted(PL_FILES))
def test_populations_legales_every_layout(pl, year):
    r = pl[year]
    d = r.data.set_index("code")["valeur"]
    assert r.info.millesimes == [year]
    assert r.info.geographie == int(PL_FILES[year].split("geo")[1][:4])
    for code, pmun in KNOWN[year].items():
        assert d[code] == pmun
    assert r.data["code"].str.fullmatch(r"\d{5}|2[AB]\d{3}").all()
    assert not r.data["code"].duplicated().any()
    # arrondissements folded into Paris, Lyon, Marseille: never both
    assert not r.data["code"].isin(files.ARRONDISSEMENT_TO_COMMUNE.keys()).any()
    assert 2_050_000 < d["75056"] < 2_250_000 and 500_000 < d["69123"] < 540_000
    # France (with the overseas départements): 66 to 69 million
    assert 66e6 < populations_legales.national_total(r) < 69e6
    assert r.data["statut"].isna().all()


def test_populations_legales_totals_rise(pl):
    totals = [populations_legales.national_total(pl[y]) for y in sorted(pl)]
    assert totals == sorted(totals)


def test_registry_on_real_folder(shared_data):
    found = {p.name: r for p, r, _ in registry.scan(shared_data / "insee")}
    assert all(found[name] is populations_legales for name in PL_FILES.values())
    assert found["base-cc-logement-2021_extract.csv"] is base_cc
    assert found["meta_base-cc-logement-2021.CSV"] is None


@pytest.fixture(scope="module")
def logement(shared_data, tmp_path_factory):
    # link the extract and its dictionary side by side, as they are downloaded
    tmp = tmp_path_factory.mktemp("logement")
    src = shared_data / "insee"
    (tmp / "base-cc-logement-2021_extract.csv").symlink_to(src / "logement" / "base-cc-logement-2021_extract.csv")
    (tmp / "meta_base-cc-logement-2021.CSV").symlink_to(src / "meta" / "meta_base-cc-logement-2021.CSV")
    return base_cc.read(tmp / "base-cc-logement-2021_extract.csv")


def test_logement_extract(logement):
    r = logement
    assert r.info.famille == "logement" and r.info.geographie == 2024
    codes = r.data["code"].drop_duplicates()
    # 34 963 rows = communes + 45 arrondissements dropped (their communes are in the file)
    assert len(codes) == 34963 - 45
    assert (codes.str.len() == 5).all()
    assert "01001" in set(codes) and "1001" not in set(codes)
    assert any("codes commune sans leur zéro initial réparés" in n for n in r.info.notes)
    w = r.data[r.data["millesime"] == 2021].pivot(index="code", columns="variable", values="valeur")
    assert w["P_LOG"].isna().sum() == 3  # 3 communes published empty (60694, 85165, 85212)
    w = w.dropna(subset=["P_LOG", "P_RP", "P_RSECOCC", "P_LOGVAC", "P_MAISON", "P_APPART"])
    assert len(w) == 34918 - 3
    diff = (w["P_LOG"] - (w["P_RP"] + w["P_RSECOCC"] + w["P_LOGVAC"])).abs()
    assert diff.max() < 1e-6
    assert (w["P_MAISON"] + w["P_APPART"] <= w["P_LOG"] + 1e-6).all()
    assert w.loc["01001", "P_LOG"] == 372.387493855914
    assert w.loc["62119", "P_LOG"] > 10000
    assert r.info.libelles["P21_LOG"] == "Nombre de logements en 2021"
    assert r.info.libelles["P21_RSECOCC"].startswith("Nombre de résidences secondaires")
    # empty cells (P10_RP_HABFOR…) are missing, never zero
    assert (r.data.loc[r.data["statut"] == "manquant", "valeur"].isna()).all()
    assert (r.data["statut"] == "manquant").sum() > 0


def test_real_meta_dictionaries(shared_data):
    meta = shared_data / "insee" / "meta"
    emploi = files.libelles_from_meta((meta / "meta_base-cc-emploi-pop-active-2020_v2.CSV").read_bytes())
    assert emploi["P20_POP1564"] == "Nombre de personnes de 15 à 64 ans en 2020"
    assert "P20_EMPLT" in emploi
    dossier = files.libelles_from_meta((meta / "meta_dossier_complet_RP2021_geo2024.csv").read_bytes())
    assert dossier["P21_POP0014"] == "Nombre de personnes de 0 à 14 ans en 2021"
