"""INSEE's missing-value markers, Filosofi files as INSEE publishes them (nd
cells, a zip with every level), the comparateur and Melodi layouts, odd cells
outside the territory, the embedded extracts, and real-beats-demo precedence:
small fixtures written from INSEE's files and documentation."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from components import format as fmt
from etl import build, values
from etl.errors import InputError
from etl.readers import comparateur, embedded, files, filosofi, melodi, registry
from etl.readers.common import DATA_COLUMNS, STATUTS

FILO_COLS = ("NBMENFISC{y};NBPERSMENFISC{y};MED{y};PIMP{y};TP60{y};TP60AGE1{y};TP60AGE2{y};TP60AGE3{y};TP60AGE4{y};"
             "TP60AGE5{y};TP60AGE6{y};TP60TOL1{y};TP60TOL2{y};PACT{y};PTSA{y};PCHO{y};PBEN{y};PPEN{y};PPAT{y};PPSOC{y};"
             "PPFAM{y};PPMINI{y};PPLOGT{y};PIMPOT{y};D1{y};D9{y};RD{y}")


def filo_header(yy: str) -> str:
    return "CODGEO;" + FILO_COLS.format(y=yy)


def filo_row(code: str, med: str = "20560", nb: str = "14000", other: str = "18,5") -> str:
    cells = [nb, "30500", med] + [other] * 20 + ["-14,4", "11050", "32550", "2,9"]
    return ";".join([code] + cells)


def nd_row(code: str) -> str:
    return ";".join([code] + ["nd"] * 27)


def value(result, code, variable, niveau=None, millesime=None):
    d = result.data
    sel = d[(d["code"] == code) & (d["variable"] == variable)]
    if niveau:
        sel = sel[sel["niveau"] == niveau]
    if millesime:
        sel = sel[sel["millesime"] == millesime]
    assert len(sel) == 1, (code, variable, len(sel))
    return sel.iloc[0]


# --- markers --------------------------------------------------------------------------------


def test_every_insee_marker_has_its_own_statut():
    col = pa.array(["12", "s", "nd", "NA", "N/A", "", " 3,5 "])
    v, s = files.convert_column("f.csv", col, "X")
    assert list(s) == [None, "secret", "non_disponible", "non_applicable", "non_applicable", "manquant", None]
    assert v[0] == 12 and v[6] == 3.5 and np.isnan(v[1:6]).all()
    # the same through the fast block conversion
    table = pa.table({"A": ["1", "nd", "NA"], "B": ["s", "", "2"]})
    (va, sa), (vb, sb) = files.convert_block("f.csv", table, ["A", "B"], [False, False], [0, 1])
    assert list(sa) == [None, "non_disponible", "non_applicable"] and list(sb) == ["secret", "manquant", None]
    assert set(s) - {None} <= set(STATUTS)


def test_any_other_text_is_an_error_naming_line_and_column_or_a_reported_cell():
    col = pa.array(["1", "nd", "environ 3"])
    with pytest.raises(InputError, match="ligne 4, colonne P21_LOG.*environ 3"):
        files.convert_column("f.csv", col, "P21_LOG")
    bad = []
    v, s = files.convert_column("f.csv", col, "P21_LOG", bad=bad)
    assert list(s) == [None, "non_disponible", "invalide"] and np.isnan(v[2])
    assert [(b.row + 2, b.column, b.text) for b in bad] == [(4, "P21_LOG", "environ 3")]
    # "n.d." or "secret" are not INSEE's markers: they stay errors
    for text in ("n.d.", "secret", "S", "-"):
        with pytest.raises(InputError, match="non numérique"):
            files.convert_column("f.csv", pa.array([text]), "X")


def test_french_labels_of_every_statut():
    assert fmt.statut_texte("non_disponible") == "non disponible"
    assert fmt.statut_texte("non_applicable") == "non applicable"
    assert fmt.statut_texte("secret_ou_non_disponible") == "secret ou non disponible"
    assert fmt.statut_texte("secret") == "secret statistique"
    for statut in STATUTS[1:]:
        assert statut in values._STATUT_RANK and fmt.statut_texte(statut)
    ranks = list(values._STATUT_RANK.values())
    assert len(set(ranks)) == len(ranks)  # every statut survives an aggregation under its own name


# --- Filosofi as published ------------------------------------------------------------------------


@pytest.mark.parametrize("year,line", [(2020, 3), (2021, 4)])
def test_filosofi_com_with_nd_cells_reads(tmp_path, year, line):
    """cc_filosofi_2020_COM.csv stopped at « ligne 3109, colonne NBMENFISC20 : nd »,
    2021 at line 3105: communes created or merged during the year are `nd`."""
    yy = f"{year % 100:02d}"
    rows = [filo_row("62001"), filo_row("62003", med="s", other="s")]
    rows.insert(line - 2, nd_row("62119"))
    p = tmp_path / f"cc_filosofi_{year}_COM.csv"
    p.write_text("\n".join([filo_header(yy)] + rows) + "\n", encoding="utf-8")
    r = filosofi.read(p)
    assert list(r.data.columns) == DATA_COLUMNS
    nd = value(r, "62119", "NBMENFISC")
    assert np.isnan(nd["valeur"]) and nd["statut"] == "non_disponible"
    assert value(r, "62119", "MED")["statut"] == "non_disponible"
    assert value(r, "62003", "MED")["statut"] == "secret"
    assert value(r, "62001", "MED")["valeur"] == 20560 and value(r, "62001", "PIMPOT")["valeur"] == -14.4
    assert r.info.millesimes == [year]


def zip_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def filosofi_zip(tmp_path: Path) -> Path:
    """The 2019 zip's layout: 11 levels and their meta_ files; DEP has `NA`
    (Mayotte's interdecile ratio), METRO one row coded 1."""
    h = filo_header("19")
    members = {
        "cc_filosofi_2019_COM.csv": "\n".join([h, filo_row("62498", med="16310", nb="13991"),
                                               filo_row("62119", med="s", nb="s")]),
        # (counts of the EPCI left secret here: the territory's communes come from the real extracts)
        "cc_filosofi_2019_EPCI.csv": "\n".join([h, filo_row("246200364", med="17980", nb="s")]),
        "cc_filosofi_2019_DEP.csv": "\n".join([h, filo_row("62", med="19560"),
                                               ";".join(["976"] + ["1"] * 26 + ["NA"])]),
        "cc_filosofi_2019_REG.csv": "\n".join([h, filo_row("32", med="20360")]),
        "cc_filosofi_2019_METRO.csv": "\n".join([h, filo_row("1", med="21930")]),
    }
    for level in ("ARR", "AAV2020", "UU2020", "ZE2020", "CTCD", "EPT"):
        members[f"cc_filosofi_2019_{level}.csv"] = "\n".join([h, filo_row("0051")])
    for name in list(members):
        members[f"meta_{name}"] = "COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR\n" \
                                  "MED19;Médiane du niveau vie (€);Médiane du niveau de vie (€);;;NUM;5\n"
    p = tmp_path / "base-cc-filosofi-2019_CSV.zip"
    p.write_bytes(zip_bytes(members))
    return p


def test_filosofi_zip_read_whole(tmp_path):
    r = filosofi.read(filosofi_zip(tmp_path))
    assert value(r, "62498", "MED", "commune")["valeur"] == 16310
    assert value(r, "246200364", "MED", "epci")["valeur"] == 17980
    assert value(r, "62", "MED", "departement")["valeur"] == 19560
    assert value(r, "32", "MED", "region")["valeur"] == 20360
    fr = value(r, "FR", "MED", "pays")
    assert fr["valeur"] == 21930
    na = value(r, "976", "RD", "departement")
    assert np.isnan(na["valeur"]) and na["statut"] == "non_applicable"
    notes = " ".join(r.info.notes)
    assert "France métropolitaine" in notes
    for level in ("ARR", "AAV2020", "UU2020", "ZE2020", "CTCD", "EPT"):
        assert f"cc_filosofi_2019_{level}.csv" in notes
    assert set(r.data["niveau"]) == {"commune", "epci", "departement", "region", "pays"}
    assert "0051" not in set(r.data["code"])


def test_filosofi_published_levels_reach_the_warehouse_never_rederived(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    filosofi_zip(raw)
    logs = []
    build.build(raw_dir=raw, target=tmp_path / "wh", log=logs.append)
    v = pd.read_parquet(tmp_path / "wh" / "valeurs.parquet")
    med = v[(v["indicateur"] == "mediane_niveau_vie") & (v["millesime"] == 2019)].set_index(["niveau", "code"])
    assert med.loc[("epci", "246200364"), "valeur"] == 17980
    assert med.loc[("departement", "62"), "valeur"] == 19560
    assert med.loc[("region", "32"), "valeur"] == 20360
    assert med.loc[("pays", "FR"), "valeur"] == 21930
    assert med.loc[("commune", "62498"), "valeur"] == 16310
    assert med.loc[("commune", "62498"), "source_id"] == "filosofi-2019"
    assert not med.loc[("pays", "FR"), "demo"]
    # groupings and the whole territory: never re-derived
    for key in [("groupement", "PMA"), ("territoire", "AULA")]:
        assert np.isnan(med.loc[key, "valeur"]) and med.loc[key, "statut"] == "non_calculable"
    # an EPCI absent from this small file: non calculable too (never a median of medians)
    assert med.loc[("epci", "200072460"), "statut"] == "non_calculable"
    sources = pd.read_parquet(tmp_path / "wh" / "sources.parquet").set_index("source_id")
    assert "France métropolitaine" in sources.loc["filosofi-2019", "notes"]


def test_filosofi_ignored_level_alone_is_skipped_with_reason(tmp_path):
    p = tmp_path / "cc_filosofi_2019_UU2020.csv"
    p.write_text(filo_header("19") + "\n" + filo_row("00151") + "\n", encoding="utf-8")
    reader, reason = registry.identify(p)
    assert reader is None and "unités urbaines" in reason


# --- comparateur --------------------------------------------------------------------------------

COMP_HEADER = ("CODGEO;P18_POP;P13_POP;SUPERF;NAIS1318;DECE1318;P18_MEN;NAISD20;DECESD20;P18_LOG;P18_RP;P18_RSECOCC;"
               "P18_LOGVAC;P18_RP_PROP;NBMENFISC19;PIMP19;MED19;TP6019;P18_EMPLT;P18_EMPLT_SAL;P13_EMPLT;P18_POP1564;"
               "P18_CHOM1564;P18_ACT1564;ETTOT18;ETAZ18;ETBE18;ETFZ18;ETGU18;ETGZ18;ETOQ18;ETTEF118;ETTEFP1018")


def comp_row(code: str, pop: str = "1000", med: str = "") -> str:
    return ";".join([code, pop, "990", "9.85", "93", "160", "749.13", "27", "41", "807.78", "749.13", "4.78", "53.86",
                     "638.74", "783", "", med, "", "186.76", "149.77", "195.24", "1064.3", "78.3", "828.3",
                     "31", "1", "1", "7", "16", "1", "6", "21", "3"])


def test_comparateur_recognised_by_name_and_columns(tmp_path):
    good = "\r\n".join([COMP_HEADER, comp_row("62001", med="24550"), comp_row("75056", "2175601"),
                        comp_row("75101", "16000"), comp_row("75102", "21000")]) + "\r\n"
    p = tmp_path / "base_cc_comparateur.CSV"
    p.write_text(good, encoding="utf-8")
    z = tmp_path / "base_cc_comparateur_csv.zip"
    z.write_bytes(zip_bytes({"base_cc_comparateur.CSV": good, "meta_base_cc_comparateur.CSV":
                             "COD_VAR;LIB_VAR;LIB_VAR_LONG\nP18_POP;Population en 2018;Population en 2018\n"}))
    assert registry.identify(z)[0] is comparateur and registry.identify(p)[0] is comparateur
    other = tmp_path / "autre.csv"
    other.write_text(good, encoding="utf-8")
    assert not comparateur.recognise(other)  # the columns alone are not enough
    wrong = tmp_path / "base_cc_comparateur_2.csv"
    wrong.write_text("CODGEO;P18_POP\n62001;3\n", encoding="utf-8")
    assert not comparateur.recognise(wrong)  # nor the name alone
    r = comparateur.read(z)
    assert r.info.famille == "comparateur" and r.info.libelles["P18_POP"] == "Population en 2018"
    assert value(r, "62001", "ETTEFP10")["valeur"] == 3 and value(r, "62001", "P_POP", millesime=2018)["valeur"] == 1000
    assert value(r, "62001", "NAIS")["millesime"] == 2018 and value(r, "62001", "NAISD")["millesime"] == 2020
    assert value(r, "62001", "MED")["valeur"] == 24550 and value(r, "62001", "TP60")["millesime"] == 2019
    # an empty cell: the file documents that it leaves secret cells empty
    assert value(r, "62001", "PIMP")["statut"] == "secret_ou_non_disponible"
    # Paris: its arrondissements are not added to the commune already in the file
    paris = r.data[(r.data["code"] == "75056") & (r.data["variable"] == "P_POP") & (r.data["millesime"] == 2018)]
    assert paris["valeur"].tolist() == [2175601]
    assert not r.data["code"].str.startswith("751").any()


# --- Melodi long format ------------------------------------------------------------------------------

MELODI_HEADER = "GEO;GEO_OBJECT;FILOSOFI_MEASURE;UNIT_MEASURE;UNIT_MULT;CONF_STATUS;OBS_STATUS;TIME_PERIOD;OBS_VALUE"


def melodi_zip(tmp_path: Path, extra: list[str] = ()) -> Path:
    rows = [
        "62498;COM;MED_SL;EUR;0;F;A;2021;17150",
        "62498;COM;PR_MD60;PT;0;F;A;2021;29.8",
        "62119;COM;MED_SL;EUR;0;C;A;2021;",  # confidential
        "62119;COM;PR_MD60;PT;0;F;O;2021;",  # missing observation
        "246200364;EPCI;MED_SL;EUR;0;F;A;2021;19130",
        "246200364;EPCI;D1_SL;EUR;0;F;A;2021;11560",
        "246200364;EPCI;IR_D9_D1_SL;RATIO;0;F;A;2021;2.9",
        "62;DEP;MED_SL;EUR;0;F;A;2021;20830",
        "32;REG;MED_SL;EUR;0;F;A;2021;21640",
        "FM;FRANCE;MED_SL;EUR;0;F;A;2021;23160",
        "FM;FRANCE;PR_MD60;PT;0;F;A;2021;14.9",
        "75101;ARM;MED_SL;EUR;0;F;A;2021;33000",
        "00151;UU2020;MED_SL;EUR;0;F;A;2021;21000",
        "62498;COM;S_RET_PEN_DI;PT;0;F;A;2021;30.1",
    ] + list(extra)
    meta = ("COD_VAR;LIB_VAR;COD_MOD;LIB_MOD\nFILOSOFI_MEASURE;Mesure;MED_SL;Médiane du niveau de vie\n"
            "FILOSOFI_MEASURE;Mesure;PR_MD60;Taux de pauvreté au seuil de 60 %\n")
    p = tmp_path / "base-cc-filosofi-2021-geo2025_csv.zip"
    p.write_bytes(zip_bytes({"DS_FILOSOFI_CC_data.csv": "\n".join([MELODI_HEADER] + rows) + "\n",
                             "DS_FILOSOFI_CC_metadata.csv": meta}))
    return p


def test_melodi_long_format_maps_to_the_wide_variables(tmp_path):
    z = melodi_zip(tmp_path)
    assert registry.identify(z)[0] is melodi
    r = melodi.read(z)
    assert r.info.famille == "filosofi" and r.info.source_id == "filosofi-2021" and r.info.millesimes == [2021]
    assert r.info.geographie == 2025
    assert value(r, "62498", "MED", "commune")["valeur"] == 17150
    assert value(r, "62498", "TP60", "commune")["valeur"] == 29.8
    assert value(r, "62119", "MED")["statut"] == "secret"
    assert value(r, "62119", "TP60")["statut"] == "manquant"
    assert value(r, "246200364", "D1", "epci")["valeur"] == 11560
    assert value(r, "246200364", "RD", "epci")["valeur"] == 2.9
    assert value(r, "62", "MED", "departement")["valeur"] == 20830
    assert value(r, "FR", "MED", "pays")["valeur"] == 23160
    notes = " ".join(r.info.notes)
    assert "France métropolitaine" in notes and "ARM" in notes and "UU2020" in notes and "S_RET_PEN_DI" in notes
    assert "75101" not in set(r.data["code"])
    assert r.info.libelles["MED"] == "Médiane du niveau de vie"
    # the build maps it to the same indicators as the wide files
    raw = tmp_path / "raw"
    raw.mkdir()
    z.rename(raw / z.name)
    build.build(raw_dir=raw, target=tmp_path / "wh", log=lambda _: None)
    v = pd.read_parquet(tmp_path / "wh" / "valeurs.parquet")
    med = v[(v["indicateur"] == "mediane_niveau_vie") & (v["millesime"] == 2021)].set_index(["niveau", "code"])
    assert med.loc[("epci", "246200364"), "valeur"] == 19130 and med.loc[("pays", "FR"), "valeur"] == 23160
    assert med.loc[("commune", "62498"), "valeur"] == 17150


def test_melodi_bad_value_names_the_file_line(tmp_path):
    z = melodi_zip(tmp_path, ["62001;COM;MED_SL;EUR;0;F;A;2021;beaucoup"])
    with pytest.raises(InputError, match=r"DS_FILOSOFI_CC_data.csv, ligne 16, colonne OBS_VALUE.*beaucoup"):
        melodi.read(z)
    z = melodi_zip(tmp_path, ["62498;COM;MED_SL;EUR;0;F;A;2021;17150"])
    with pytest.raises(InputError, match="en double"):
        melodi.read(z)


# --- odd cells outside the territory -----------------------------------------------------------------

LOG_HEADER = "CODGEO;LIBGEO;P21_LOG;P21_RP;P21_RSECOCC;P21_LOGVAC;P21_MAISON;P21_APPART"


def test_odd_cell_outside_the_territory_is_reported_not_fatal(tmp_path):
    from tests.test_robustness_etl import good_csv

    raw = tmp_path / "raw"
    raw.mkdir()
    text = good_csv().rstrip("\n") + "\n01001;L'Abergement;372;environ 300;13;17;360;12\n"
    (raw / "base-cc-logement-2021.CSV").write_text(text, encoding="utf-8")
    logs = []
    build.build(raw_dir=raw, target=tmp_path / "wh", log=logs.append)
    log = "\n".join(logs)
    assert "1 cellule(s) invalide(s) hors du territoire" in log and "colonne P21_RP (code 01001)" in log
    sources = pd.read_parquet(tmp_path / "wh" / "sources.parquet").set_index("source_id")
    assert "« environ 300 »" in sources.loc["base-cc-logement-2021", "notes"]
    v = pd.read_parquet(tmp_path / "wh" / "valeurs.parquet")
    rp = v[(v["indicateur"] == "residences_principales") & (v["millesime"] == 2021)].set_index(["niveau", "code"])
    assert rp.loc[("commune", "62119"), "valeur"] > 0  # the territory's figures are untouched
    # the same cell in a commune of the territory still stops the build, with file, line and column
    (raw / "base-cc-logement-2021.CSV").write_text(text.replace("01001;", "62001;"), encoding="utf-8")
    with pytest.raises(InputError, match=r"base-cc-logement-2021.CSV, ligne \d+, colonne P21_RP.*environ 300"):
        build.build(raw_dir=raw, target=tmp_path / "wh", log=lambda _: None)


def test_reference_total_with_an_odd_cell_is_incomplete_not_wrong():
    com = pd.DataFrame({"code": ["01001", "01002", "62001"], "indicateur": "logements", "millesime": 2021,
                        "valeur": [1.0, np.nan, 3.0], "statut": [None, "invalide", None]})
    deps = pd.DataFrame({"code": ["01", "62"], "region": ["84", "32"], "nb_communes": ["2", "1"]})
    ref = pd.DataFrame({"niveau": ["departement", "departement", "pays"], "code": ["01", "62", "FR"]})
    out = values._reference_levels(com, ref, deps, com[["indicateur", "millesime"]].drop_duplicates())
    out = out.set_index("code")
    assert out.loc["62", "valeur"] == 3 and out.loc["62", "statut"] is None
    assert np.isnan(out.loc["01", "valeur"]) and out.loc["01", "statut"] == "incomplet"
    assert np.isnan(out.loc["FR", "valeur"]) and out.loc["FR", "statut"] == "incomplet"


def test_departement_left_empty_is_not_in_the_file_for_that_indicator():
    """Mayotte in the comparateur: listed, births given, census cells empty."""
    com = pd.DataFrame({"code": ["01001", "01002", "97601", "97602"], "indicateur": "pop_recensement",
                        "millesime": 2018, "valeur": [1.0, 2.0, np.nan, np.nan],
                        "statut": [None, None, "secret_ou_non_disponible", "secret_ou_non_disponible"]})
    deps = pd.DataFrame({"code": ["01", "976"], "region": ["84", "06"], "nb_communes": ["2", "2"]})
    ref = pd.DataFrame({"niveau": ["departement", "pays"], "code": ["976", "FR"]})
    out = values._reference_levels(com, ref, deps, com[["indicateur", "millesime"]].drop_duplicates())
    out = out.set_index("code")
    assert out.loc["FR", "valeur"] == 3 and out.loc["FR", "statut"] is None
    assert out.loc["976", "statut"] == "hors_source"


# --- precedence and the `ecart` aggregation --------------------------------------------------------


def test_real_beats_demonstration_for_every_vintage_of_an_indicator():
    v = pd.DataFrame({
        "indicateur": ["logements", "logements", "logements", "rp_hlm"],
        "niveau": "commune", "code": "62001", "millesime": [2018, 2021, 2015, 2021],
        "valeur": [10.0, 11.0, 9.0, 2.0], "statut": None, "demo": [False, True, True, True], "source_id": "x",
    })
    out = values.prefer_real(v)
    assert sorted(zip(out["indicateur"], out["millesime"])) == [("logements", 2018), ("rp_hlm", 2021)]
    # a real indicator whose only real rows are missing values keeps its demonstration rows
    v.loc[0, ["valeur", "statut"]] = [np.nan, "secret"]
    assert len(values.prefer_real(v)) == 4


def test_solde_naturel_is_births_minus_deaths_at_every_level():
    cat = pd.DataFrame({"indicateur": ["solde_naturel"], "agregation": ["ecart"], "numerateur": ["naissances"],
                        "denominateur": ["deces"], "facteur": [1.0]})
    base = pd.DataFrame({
        "indicateur": ["naissances", "deces", "naissances", "deces"], "niveau": ["commune", "commune", "pays", "pays"],
        "code": ["62001", "62001", "FR", "FR"], "millesime": 2020, "valeur": [27.0, 41.0, 733857.0, 667257.0],
        "statut": None, "demo": False, "source_id": "c", "geographie": 2021,
    })
    out = values.ratios(base, cat)
    s = out[out["indicateur"] == "solde_naturel"].set_index("code")["valeur"]
    assert s.to_dict() == {"62001": -14.0, "FR": 66600.0}


# --- embedded extracts ---------------------------------------------------------------------------------


def test_embedded_extract_cells(tmp_path):
    (tmp_path / "x.csv").write_text("niveau;code;P_LOG_2021;MED_2019\ncommune;62001;846.5;secret\n"
                                    "departement;62;727951.48;\npays;FR;incomplet;21930\n", encoding="utf-8")
    row = dict(source_id="x", famille="logement", titre="T", fichier_origine="orig.zip", sha256_origine="ab" * 32,
               geographie="2024", millesimes="2019,2021", url="", licence="", producteur="", territoire="AULA",
               extrait="x.csv", notes="")
    r = embedded.read(tmp_path / "x.csv", row)
    d = r.data.set_index(["niveau", "code", "variable"])
    assert d.loc[("commune", "62001", "P_LOG"), "valeur"] == 846.5
    assert d.loc[("commune", "62001", "MED"), "statut"] == "secret"
    assert d.loc[("pays", "FR", "P_LOG"), "statut"] == "incomplet"
    assert ("departement", "62", "MED") not in d.index  # empty: no such row in the source
    assert r.info.geographie == 2024 and "orig.zip" in r.info.fichier
    (tmp_path / "x.csv").write_text("niveau;code;P_LOG_2021\ncommune;62001;beaucoup\n", encoding="utf-8")
    with pytest.raises(InputError, match="ligne 2, colonne P_LOG_2021"):
        embedded.read(tmp_path / "x.csv", row)


def test_embedded_extract_for_another_territory_is_skipped(tmp_path):
    from etl import paths
    import shutil

    shutil.copytree(paths.embedded_dir(), tmp_path / "e")
    logs = []
    assert embedded.read_folder(tmp_path / "e", "AUTRE", {"62001"}, logs.append) == []
    assert any("fait pour le territoire AULA" in line for line in logs)
