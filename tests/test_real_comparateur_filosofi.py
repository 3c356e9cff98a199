"""The real INSEE files of ../shared/data (skipped when absent): the Filosofi
2019 zip as downloaded (22 members), the base du comparateur de territoires,
the logement 2021 extract. Expected figures are read from the files themselves
with the csv module, independently of the readers."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl import build, embed, paths
from etl.readers import comparateur, filosofi, registry


def _zip_csv(path: Path, member: str) -> list[dict]:
    with zipfile.ZipFile(path) as zf:
        text = zf.read(member).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture(scope="module")
def insee(shared_data) -> Path:
    return shared_data / "insee"


@pytest.fixture(scope="module")
def filo(insee):
    return filosofi.read(insee / "filosofi" / "base-cc-filosofi-2019_CSV.zip")


def pick(result, niveau, code, variable):
    d = result.data
    row = d[(d["niveau"] == niveau) & (d["code"] == code) & (d["variable"] == variable)]
    assert len(row) == 1
    return row.iloc[0]


def test_filosofi_zip_published_levels_equal_the_file(filo, insee):
    z = insee / "filosofi" / "base-cc-filosofi-2019_CSV.zip"
    for member, niveau, code in [("COM", "commune", "62498"), ("EPCI", "epci", "200072460"),
                                 ("EPCI", "epci", "246200364"), ("DEP", "departement", "62"),
                                 ("REG", "region", "32"), ("METRO", "pays", "1")]:
        rows = {r["CODGEO"]: r for r in _zip_csv(z, f"cc_filosofi_2019_{member}.csv")}
        want = float(rows[code]["MED19"])
        got = pick(filo, niveau, "FR" if niveau == "pays" else code, "MED")["valeur"]
        assert got == want, (member, code)
        tp = float(rows[code]["TP6019"].replace(",", ".")) if rows[code]["TP6019"] != "s" else None
        if tp is not None:
            assert pick(filo, niveau, "FR" if niveau == "pays" else code, "TP60")["valeur"] == tp
    # figures as checked by hand against the file
    assert pick(filo, "epci", "246200364", "MED")["valeur"] == 17980
    assert pick(filo, "departement", "62", "MED")["valeur"] == 19560
    assert pick(filo, "region", "32", "MED")["valeur"] == 20360
    assert pick(filo, "pays", "FR", "MED")["valeur"] == 21930


def test_filosofi_zip_na_cells_are_non_applicable(filo, insee):
    z = insee / "filosofi" / "base-cc-filosofi-2019_CSV.zip"
    na = [(r["CODGEO"], col[:-2]) for r in _zip_csv(z, "cc_filosofi_2019_DEP.csv") for col, x in r.items() if x == "NA"]
    assert ("976", "RD") in na
    d = filo.data[filo.data["niveau"] == "departement"]
    got = set(zip(d.loc[d["statut"] == "non_applicable", "code"], d.loc[d["statut"] == "non_applicable", "variable"]))
    assert got == set(na)
    secret = d[d["statut"] == "secret"]
    assert secret.empty or secret["valeur"].isna().all()
    notes = " ".join(filo.info.notes)
    for level in ("ARR", "AAV2020", "UU2020", "ZE2020", "CTCD", "EPT"):
        assert f"cc_filosofi_2019_{level}.csv" in notes
    assert "France métropolitaine" in notes


@pytest.fixture(scope="module")
def comp_rows(insee):
    return _zip_csv(insee / "comparateur" / "base_cc_comparateur_csv.zip", "base_cc_comparateur.CSV")


def test_comparateur_reader_on_the_real_file(insee, comp_rows):
    z = insee / "comparateur" / "base_cc_comparateur_csv.zip"
    assert registry.identify(z)[0] is comparateur
    r = comparateur.read(z)
    by_code = {row["CODGEO"]: row for row in comp_rows}
    lens = r.data[r.data["code"] == "62498"].set_index(["variable", "millesime"])["valeur"]
    assert lens[("P_POP", 2018)] == float(by_code["62498"]["P18_POP"]) == 31606
    assert lens[("P_LOG", 2018)] == float(by_code["62498"]["P18_LOG"])  # full precision
    assert lens[("ETTOT", 2018)] == 1098 and lens[("MED", 2019)] == 16310
    # PLM: the communes are in the file, their arrondissements are not counted twice
    assert not r.data["code"].isin([f"751{i:02d}" for i in range(1, 21)]).any()
    paris = r.data[(r.data["code"] == "75056") & (r.data["variable"] == "P_POP") & (r.data["millesime"] == 2018)]
    assert paris["valeur"].tolist() == [float(by_code["75056"]["P18_POP"])]
    empty = r.data[r.data["valeur"].isna()]
    assert set(empty["statut"]) == {"secret_ou_non_disponible"}


def _dep_sum(rows, column, dep) -> float:
    plm = {f"751{i:02d}" for i in range(1, 21)} | {f"6938{i}" for i in range(1, 10)} | {f"132{i:02d}" for i in range(1, 17)}
    return sum(float(r[column]) for r in rows if r["CODGEO"] not in plm and r[column] != ""
               and (dep is None or r["CODGEO"].startswith(dep)))


@pytest.fixture(scope="module")
def real_build(insee, tmp_path_factory):
    base = tmp_path_factory.mktemp("real-comparateur")
    raw = base / "raw"
    raw.mkdir()
    for f in [insee / "comparateur" / "base_cc_comparateur_csv.zip",
              insee / "filosofi" / "base-cc-filosofi-2019_CSV.zip",
              insee / "logement" / "base-cc-logement-2021_extract.csv"]:
        (raw / f.name).symlink_to(f)
    logs: list[str] = []
    build.build(raw_dir=raw, target=base / "warehouse", log=logs.append)
    return pd.read_parquet(base / "warehouse" / "valeurs.parquet"), logs


def test_real_build_reference_levels_add_up(real_build, comp_rows):
    v, logs = real_build
    assert not any(line.startswith("  embarqué") for line in logs)  # the national files replace the extracts
    key = v.set_index(["indicateur", "millesime", "niveau", "code"])
    # sums over département 62 = the sum of its communes in the file
    for indicateur, column in [("pop_1564", "P18_POP1564"), ("logements", "P18_LOG"), ("etablissements", "ETTOT18"),
                               ("emplois", "P18_EMPLT"), ("rp_proprietaires", "P18_RP_PROP")]:
        got = key.loc[(indicateur, 2018, "departement", "62"), "valeur"]
        assert got == pytest.approx(_dep_sum(comp_rows, column, "62"), rel=1e-12), indicateur
        reg = key.loc[(indicateur, 2018, "region", "32"), "valeur"]
        want = sum(_dep_sum(comp_rows, column, d) for d in ("02", "59", "60", "62", "80"))
        assert reg == pytest.approx(want, rel=1e-12)
    # France: every commune of the file (Mayotte, without census values in this file, left out)
    assert _dep_sum(comp_rows, "P18_POP", None) == 66_732_538  # France hors Mayotte, census 2018
    assert key.loc[("pop_1564", 2018, "pays", "FR"), "valeur"] == pytest.approx(_dep_sum(comp_rows, "P18_POP1564", None),
                                                                             rel=1e-12)
    assert key.loc[("etablissements", 2018, "pays", "FR"), "valeur"] == _dep_sum(comp_rows, "ETTOT18", None)
    assert key.loc[("naissances", 2020, "pays", "FR"), "valeur"] == _dep_sum(comp_rows, "NAISD20", None)
    sn = key.loc[("solde_naturel", 2020, "departement", "62"), "valeur"]
    assert sn == _dep_sum(comp_rows, "NAISD20", "62") - _dep_sum(comp_rows, "DECESD20", "62")
    # EPCI: the sum of its communes; medians: INSEE's published values
    communes = pd.read_csv(paths.reference_dir() / "communes.csv", sep=";", dtype=str)
    members = set(communes.loc[communes["epci"] == "246200364", "code"])
    by_code = {r["CODGEO"]: r for r in comp_rows}
    want = sum(float(by_code[c]["P18_LOG"]) for c in members)
    assert key.loc[("logements", 2018, "epci", "246200364"), "valeur"] == pytest.approx(want, rel=1e-12)
    assert key.loc[("mediane_niveau_vie", 2019, "epci", "246200364"), "valeur"] == 17980
    assert key.loc[("mediane_niveau_vie", 2019, "departement", "62"), "valeur"] == 19560
    assert key.loc[("mediane_niveau_vie", 2019, "pays", "FR"), "valeur"] == 21930
    assert key.loc[("mediane_niveau_vie", 2019, "territoire", "AULA"), "statut"] == "non_calculable"
    # real values replace demonstration for every vintage of their indicators
    for indicateur in ("logements", "pop_1564", "mediane_niveau_vie", "etablissements", "emplois"):
        assert not v.loc[v["indicateur"] == indicateur, "demo"].any(), indicateur


def test_committed_extracts_are_what_etl_embed_writes(insee, tmp_path):
    """datasets/embedded/ is rebuilt, byte for byte, by `python -m etl embed --raw DIR`."""
    out = tmp_path / "embedded"
    embed.embed(insee, out, log=lambda _: None)
    committed = paths.DATASETS / "embedded"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in committed.iterdir())
    assert {"README.md", "sources.csv", "base-cc-comparateur.csv", "filosofi-2019.csv",
            "base-cc-logement-2021.csv"} <= set(names)
    for name in names:
        assert (out / name).read_bytes() == (committed / name).read_bytes(), name
    # and they hold what the files say
    e = pd.read_csv(committed / "base-cc-comparateur.csv", sep=";", dtype=str, keep_default_na=False)
    e = e.set_index(["niveau", "code"])
    rows = _zip_csv(insee / "comparateur" / "base_cc_comparateur_csv.zip", "base_cc_comparateur.CSV")
    assert float(e.loc[("departement", "62"), "ETTOT_2018"]) == _dep_sum(rows, "ETTOT18", "62")
    assert float(e.loc[("departement", "62"), "P_LOG_2018"]) == pytest.approx(_dep_sum(rows, "P18_LOG", "62"), rel=1e-12)
    assert float(e.loc[("commune", "62498"), "P_LOG_2018"]) == float(next(r for r in rows if r["CODGEO"] == "62498")["P18_LOG"])
    size = sum(p.stat().st_size for p in committed.iterdir())
    assert size < 300_000
