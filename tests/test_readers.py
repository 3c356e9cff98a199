"""Readers on tiny fixtures: every quirk of INSEE files met in the wild."""
from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from etl.errors import InputError
from etl.readers import base_cc, filosofi, files, populations_legales, registry, serie_historique
from etl.readers.common import DATA_COLUMNS, FAMILIES, STATUTS

FIX = Path(__file__).resolve().parent / "fixtures" / "readers"


def value(result, code, variable, millesime=None):
    d = result.data
    sel = d[(d["code"] == code) & (d["variable"] == variable)]
    if millesime is not None:
        sel = sel[sel["millesime"] == millesime]
    assert len(sel) == 1, f"{code} {variable} {millesime}: {len(sel)} rows"
    return sel.iloc[0]


def check_contract(result):
    d = result.data
    assert list(d.columns) == DATA_COLUMNS
    assert d["valeur"].dtype == "float64"
    assert set(d["statut"].unique()) <= set(STATUTS)
    assert result.info.famille in FAMILIES
    assert not d.duplicated(["niveau", "code", "variable", "millesime"]).any()
    # a value is present exactly when statut is None
    assert (d["valeur"].isna() == d["statut"].notna()).all()
    assert len(result.info.sha256) == 64


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# --- base chiffres clés -----------------------------------------------------------------

def test_base_cc_bom_zero_plm_decimal_comma_meta():
    r = base_cc.read(FIX / "base-cc-logement-2021.CSV")
    check_contract(r)
    assert r.info.famille == "logement"
    assert r.info.source_id == "base-cc-logement-2021"
    assert r.info.millesimes == [2010, 2015, 2021]
    assert r.info.geographie == 2024
    # leading zero restored, and reported
    assert value(r, "01001", "P_LOG", 2021)["valeur"] == 372.387493855914  # full precision kept
    assert "1001" not in set(r.data["code"])
    assert any("1 codes commune" in n or "1\u202f" in n or n.startswith("1 ") for n in r.info.notes)
    # decimal comma
    assert value(r, "62119", "P_LOG", 2021)["valeur"] == 12022.5
    assert value(r, "2A004", "P_RP", 2021)["valeur"] == 90
    # empty cell -> NaN + manquant
    row = value(r, "80810", "P_LOG", 2010)
    assert math.isnan(row["valeur"]) and row["statut"] == "manquant"
    # Paris: no 75056 in the file -> arrondissements summed into it, never kept
    assert value(r, "75056", "P_LOG", 2021)["valeur"] == 3000.5
    assert value(r, "75056", "P_RSECOCC", 2021)["valeur"] == 150.125
    # Lyon: 69123 present -> arrondissements dropped, not added
    assert value(r, "69123", "P_LOG", 2021)["valeur"] == 5000
    assert not r.data["code"].isin(files.ARRONDISSEMENT_TO_COMMUNE.keys()).any()
    # labels from the meta_ file next to the data file
    assert r.info.libelles["P21_LOG"] == "Nombre de logements en 2021"
    assert "CODGEO" in r.info.libelles and "62119" not in r.info.libelles


def test_base_cc_latin1_text_columns_skipped():
    r = base_cc.read(FIX / "latin1" / "base-cc-evol-struct-pop-2021.CSV")
    check_contract(r)
    assert r.info.famille == "evol_struct_pop"
    assert value(r, "62119", "P_POP", 2015)["valeur"] == 25300.5
    assert value(r, "62119", "C_MEN", 2021)["valeur"] == 11000.25
    assert set(r.data["variable"]) == {"P_POP", "C_MEN"}  # LIBGEO is not a value


def test_base_cc_zip_with_meta(tmp_path):
    z = tmp_path / "base-cc-logement-2021_csv.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIX / "base-cc-logement-2021.CSV", "base-cc-logement-2021.CSV")
        zf.write(FIX / "meta_base-cc-logement-2021.CSV", "meta_base-cc-logement-2021.CSV")
    assert base_cc.recognise(z)
    r = base_cc.read(z, url="https://example.org/x.zip")
    check_contract(r)
    assert r.info.fichier == "base-cc-logement-2021_csv.zip!base-cc-logement-2021.CSV"
    assert r.info.url == "https://example.org/x.zip"
    assert r.info.libelles["P21_RP"] == "Nombre de résidences principales en 2021"
    assert r.info.sha256 == files.sha256_file(z)
    assert value(r, "01001", "P_RP", 2021)["valeur"] == 341.234562367113


@pytest.mark.parametrize("bad", ["../evil.CSV", "/abs/base-cc-logement-2021.CSV", "a/../../b.CSV"])
def test_zip_member_escaping_is_refused(tmp_path, bad):
    z = tmp_path / "base-cc-logement-2021_csv.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("base-cc-logement-2021.CSV", "CODGEO;P21_LOG\n62119;1\n")
        zf.writestr(bad, "x")
    with pytest.raises(InputError, match="chemin dangereux"):
        base_cc.read(z)


def test_comma_separator_is_a_clear_error(tmp_path):
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO,P21_LOG\n62119,12.5\n")
    with pytest.raises(InputError) as exc:
        base_cc.read(p)
    assert "base-cc-logement-2021.CSV" in str(exc.value)
    assert "virgule" in str(exc.value) and "« ; »" in str(exc.value)


def test_non_numeric_text_names_line_and_column(tmp_path):
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO;P21_LOG;P21_RP\n62119;12;10\n62001;n/a;4\n")
    with pytest.raises(InputError) as exc:
        base_cc.read(p)
    e = exc.value
    assert (e.line, e.column) == (3, "P21_LOG")
    assert "ligne 3, colonne P21_LOG" in str(e) and "n/a" in str(e) and e.file.endswith("base-cc-logement-2021.CSV")


def test_nan_text_is_not_a_number(tmp_path):
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO;P21_LOG\n62119;nan\n")
    with pytest.raises(InputError, match="ligne 2, colonne P21_LOG"):
        base_cc.read(p)


def test_negative_count_is_refused(tmp_path):
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO;P21_LOG\n62119;12\n62001;-3\n")
    with pytest.raises(InputError, match="ligne 3, colonne P21_LOG.*négative"):
        base_cc.read(p)


def test_duplicated_code_is_refused(tmp_path):
    # 1001 and 01001 are the same commune once repaired
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO;P21_LOG\n01001;12\n62119;3\n1001;4\n")
    with pytest.raises(InputError) as exc:
        base_cc.read(p)
    assert exc.value.line == 4 and "01001" in str(exc.value)


def test_inconsistent_prefixes_are_refused(tmp_path):
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO;P21_LOG;P15_LOG;P19_LOG\n62119;1;2;3\n")
    with pytest.raises(InputError, match="2019"):
        base_cc.read(p)
    q = tmp_path / "renamed"
    q.mkdir()
    p = write(q, "mon_extraction.csv", "CODGEO;P21_LOG;P18_LOG;P15_LOG;P10_LOG\n62119;1;2;3;4\n")
    assert base_cc.recognise(p)  # by its header
    with pytest.raises(InputError, match="plus de trois millésimes"):
        base_cc.read(p)


def test_renamed_file_recognised_by_header(tmp_path):
    p = write(tmp_path, "export.csv", "CODGEO;P20_ACT1564;P14_ACT1564\n62119;100.5;99\n")
    r = base_cc.read(p)
    assert r.info.famille == "emploi_pop_active"
    assert r.info.source_id == "base-cc-emploi-pop-active-2020"
    assert value(r, "62119", "P_ACT1564", 2014)["valeur"] == 99


def test_arrondissement_missing_value_gives_nan(tmp_path):
    p = write(tmp_path, "base-cc-logement-2021.CSV", "CODGEO;P21_LOG;P21_RP\n13201;10;5\n13202;;6\n62119;1;1\n")
    r = base_cc.read(p)
    row = value(r, "13055", "P_LOG", 2021)
    assert math.isnan(row["valeur"]) and row["statut"] == "manquant"  # never a partial sum
    assert value(r, "13055", "P_RP", 2021)["valeur"] == 11


# --- séries historiques -----------------------------------------------------------------

def test_serie_historique_vintages():
    r = serie_historique.read(FIX / "base-cc-serie-historique-2021.CSV")
    check_contract(r)
    assert r.info.famille == "serie_historique"
    assert value(r, "62119", "D_POP", 1999)["valeur"] == 27808
    assert value(r, "62119", "D_POP", 1968)["valeur"] == 27400
    assert value(r, "62119", "P_POP", 2010)["valeur"] == 25500
    assert value(r, "62119", "D_LOG", 1968)["valeur"] == 8200
    assert value(r, "62119", "SUPERF", 2021)["valeur"] == 9.46
    assert value(r, "62119", "NAIS", 2021)["valeur"] == 2100
    assert value(r, "62119", "NAIS", 1975)["valeur"] == 3500
    assert r.info.millesimes == [1968, 1975, 1982, 1990, 1999, 2010, 2015, 2021]


# --- Filosofi ---------------------------------------------------------------------------

def test_filosofi_secret_decimal_comma_negative_share_meta():
    r = filosofi.read(FIX / "cc_filosofi_2021_COM.csv")
    check_contract(r)
    assert r.info.famille == "filosofi" and r.info.millesimes == [2021]
    assert r.info.source_id == "filosofi-2021-com"
    assert set(r.data["variable"]) == {"NBMENFISC", "MED", "TP60", "PIMPOT", "D1", "D9", "RD"}
    assert value(r, "62119", "TP60")["valeur"] == 24.6
    assert value(r, "62119", "PIMPOT")["valeur"] == -12.4  # taxes are a negative share
    assert value(r, "62447", "MED")["valeur"] == 20110.5
    row = value(r, "80810", "MED")
    assert math.isnan(row["valeur"]) and row["statut"] == "secret"
    assert value(r, "62001", "TP60")["statut"] == "secret"
    assert value(r, "62447", "TP60")["statut"] == "manquant"
    assert r.info.libelles["MED21"] == "Médiane du niveau de vie (€)"


def test_filosofi_zip_with_all_levels(tmp_path):
    z = tmp_path / "base-cc-filosofi-2021-geo2024_csv.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIX / "cc_filosofi_2021_COM.csv", "cc_filosofi_2021_COM.csv")
        zf.write(FIX / "cc_filosofi_2021_EPCI.csv", "cc_filosofi_2021_EPCI.csv")
        zf.writestr("cc_filosofi_2021_DEP.csv", "CODGEO;MED21;TP6021\n62;20260;19,8\n2A;22000;18\n")
        zf.writestr("cc_filosofi_2021_REG.csv", "CODGEO;MED21;TP6021\n32;20960;18,2\n")
        zf.write(FIX / "meta_cc_filosofi_2021_COM.csv", "meta_cc_filosofi_2021_COM.csv")
    r = filosofi.read(z)
    check_contract(r)
    assert r.info.source_id == "filosofi-2021" and r.info.geographie == 2024
    lv = r.data.groupby("niveau")["code"].nunique().to_dict()
    assert lv == {"commune": 4, "epci": 2, "departement": 2, "region": 1}
    assert value(r, "200072460", "MED")["niveau"] == "epci"
    assert value(r, "62", "TP60")["valeur"] == 19.8
    assert value(r, "32", "MED")["niveau"] == "region"


def test_filosofi_column_without_year_suffix(tmp_path):
    p = write(tmp_path, "cc_filosofi_2021_COM.csv", "CODGEO;MED21;TP6020\n62119;1;2\n")
    with pytest.raises(InputError, match="TP6020"):
        filosofi.read(p)
    p = write(tmp_path, "cc_filosofi_2021_COM.csv", "CODGEO;NOM;MED21\n62119;Béthune;20150\n")
    r = filosofi.read(p)
    assert set(r.data["variable"]) == {"MED"} and any("NOM" in n for n in r.info.notes)


# --- populations légales ----------------------------------------------------------------

def test_populations_legales_layouts():
    r21 = populations_legales.read(FIX / "donnees_communes_PL2021.csv")
    check_contract(r21)
    assert r21.info.source_id == "populations-legales-2021" and r21.info.millesimes == [2021]
    assert r21.info.geographie == 2023
    assert set(r21.data["variable"]) == {"PMUN"}
    assert value(r21, "80810", "PMUN", 2021)["valeur"] == 135
    assert value(r21, "75056", "PMUN")["valeur"] == 15917 + 21000
    r20 = populations_legales.read(FIX / "donnees_communes_PL2020.csv")
    assert value(r20, "62119", "PMUN", 2020)["valeur"] == 24983
    assert value(r20, "2A004", "PMUN", 2020)["valeur"] == 71361  # CODDEP + CODCOM


def test_populations_legales_without_vintage_asks_for_it(tmp_path):
    p = tmp_path / "donnees_communes.csv"
    shutil.copy(FIX / "donnees_communes_PL2021.csv", p)
    assert populations_legales.recognise(p)
    with pytest.raises(InputError, match="millésime"):
        populations_legales.read(p)
    z = tmp_path / "populations-legales-2022_ensemble.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(p, "donnees_communes.csv")
        zf.writestr("donnees_departements.csv", "x")
    r = populations_legales.read(z)
    assert r.info.millesimes == [2022] and r.info.fichier.endswith("!donnees_communes.csv")


# --- registry ---------------------------------------------------------------------------

def test_registry_scan():
    found = {p.name: (r, why) for p, r, why in registry.scan(FIX)}
    assert found["base-cc-logement-2021.CSV"][0] is base_cc
    assert found["base-cc-evol-struct-pop-2021.CSV"][0] is base_cc
    assert found["base-cc-serie-historique-2021.CSV"][0] is serie_historique
    assert found["cc_filosofi_2021_COM.csv"][0] is filosofi
    assert found["cc_filosofi_2021_EPCI.csv"][0] is filosofi
    assert found["donnees_communes_PL2020.csv"][0] is populations_legales
    assert found["meta_base-cc-logement-2021.CSV"] == (None, found["meta_base-cc-logement-2021.CSV"][1])
    assert "dictionnaire" in found["meta_base-cc-logement-2021.CSV"][1]
    assert found["inconnu.csv"][0] is None and "non reconnu" in found["inconnu.csv"][1]
    assert found["notes.txt"][0] is None and "ignoré" in found["notes.txt"][1]
    # every recognised fixture reads
    for name, (reader, _) in found.items():
        if reader is not None:
            assert not reader.read(next(FIX.rglob(name))).data.empty


def test_registry_missing_folder(tmp_path):
    assert registry.scan(tmp_path / "absent") == []
    assert registry.identify(tmp_path)[0] is None


def test_libelles_from_meta_latin1_and_bom():
    raw = "\ufeffCOD_VAR;LIB_VAR;LIB_VAR_LONG\nP21_LOG;Logements;Nombre de logements en 2021 à été\n".encode("utf-8")
    assert files.libelles_from_meta(raw) == {"P21_LOG": "Nombre de logements en 2021 à été"}
    raw = "COD_VAR;LIB_VAR\nMED21;Médiane\n".encode("latin-1")
    assert files.libelles_from_meta(raw) == {"MED21": "Médiane"}


def test_long_frame_types():
    r = base_cc.read(FIX / "base-cc-logement-2021.CSV")
    assert pd.api.types.is_string_dtype(r.data["code"])
    assert r.data["millesime"].dtype == "int64"


@pytest.mark.parametrize("raw", [
    "CODGEO;LIBGEO\n62119;Béthune\n".encode("latin-1"),
    "\ufeffCODGEO;LIBGEO\r\n62119;Béthune\r\n".encode("utf-8"),
    "CODGEO;LIBGEO\r\n62119;Béthune\r\n".encode("utf-8"),
])
def test_encodings_are_detected(raw):
    assert files.parse_table("x.csv", raw).to_pylist() == [{"CODGEO": "62119", "LIBGEO": "Béthune"}]
