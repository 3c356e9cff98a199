"""The agency's own data: extraction of the 2018 programme from the activity
report, its reconciliation with the stated totals, and the validating readers."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl import territory
from etl.errors import InputError
from etl.partners import extract_programme as ep
from etl.partners.reader import read_agence, read_programme

ROOT = Path(__file__).resolve().parents[1]
PARTNERS = ROOT / "datasets" / "partners"
FIXTURES = ROOT / "tests" / "fixtures" / "partners"
REPORT = ROOT.parent / "shared" / "seeds" / "000_11d23a0d63dd44c0.txt"
COMMUNES = ROOT / "datasets" / "reference" / "communes.csv"

needs_report = pytest.mark.skipif(not REPORT.exists(), reason=f"rapport d’activité absent : {REPORT}")


def known_codes() -> set[str]:
    """Codes the product knows: territory.toml, plus the reference communes."""
    terr = territory.load(ROOT / "datasets" / "territory.toml")
    codes = {terr.code, *terr.epci, *(g.code for g in terr.groupements)}
    if COMMUNES.exists():
        with COMMUNES.open(encoding="utf-8") as f:
            codes |= {row["code"] for row in csv.DictReader(f, delimiter=";")}
    return codes


@pytest.fixture(scope="module")
def programme():
    return read_programme(PARTNERS / "programme_2018.csv", known_codes() if COMMUNES.exists() else None)


# --- extraction -------------------------------------------------------------

@needs_report
def test_extraction_reproduces_committed_files(tmp_path):
    assert ep.main([str(REPORT), "--out", str(tmp_path)]) == 0
    for name in ("programme_2018.csv", "agence_2018.csv", "programme_2018_notes.md"):
        assert (tmp_path / name).read_bytes() == (PARTNERS / name).read_bytes(), name


@needs_report
def test_extraction_fails_when_a_block_no_longer_matches_the_manual_table():
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    i = next(i for i, t in enumerate(lines) if "TEMPS CONSACRÉ : 33 jours" in t)
    lines[i] = lines[i].replace("33 jours", "34 jours")
    with pytest.raises(ep.ExtractionError, match=f"ligne {i + 1}"):
        ep.extract(lines)


@needs_report
def test_report_has_61_blocks_all_kept():
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    df, facts = ep.extract(lines)
    assert facts["blocs"] == 61 == len(df)
    assert [facts["par_axe"][a]["sommaire"] for a in (1, 2, 3)] == [25, 21, 15]


# --- the committed table ----------------------------------------------------

def test_programme_shape(programme):
    assert len(programme) == 61
    assert programme["id"].is_unique
    assert programme.groupby("axe").size().to_dict() == {1: 25, 2: 21, 3: 15}
    assert programme["dossier"].str.len().min() > 10
    assert not programme["dossier"].str.contains("fi nition|\\.\\.\\.\\.").any()


def test_sums_against_stated_totals(programme):
    by_axe = programme.groupby("axe")["jours"].sum().to_dict()
    assert by_axe == {1: 1856, 2: 802, 3: 677.5}  # axis 3 stated 624: see the notes
    assert programme["jours"].sum() == 3335.5


def test_whole_agency_dossiers_have_no_staff_count(programme):
    whole = programme[programme["toute_agence"] == "oui"]
    assert sorted(whole["jours"].tolist()) == [345, 384.5]
    assert whole["effectif"].isna().all()
    assert programme.loc[programme["toute_agence"] == "non", "effectif"].notna().all()


def test_partner_splits(programme):
    splits = programme[programme["repartition"] != ""].set_index("id")
    assert splits["repartition"].to_dict() == {
        "A1-05": "PMA:71|PETR:86",
        "A2-19": "200072460:79|246200364:15",
    }
    assert splits.loc["A1-05", "jours"] == 157 and splits.loc["A2-19", "jours"] == 94


def test_titles_paired_with_their_blocks(programme):
    by_title = programme.set_index("dossier")
    assert by_title.loc["Observatoire partenarial dynamique de l’eau", "jours"] == 104
    assert by_title.loc["Mise en place d’un Observatoire Foncier Agricole (OFA) sur la totalité du "
                        "territoire d’action de l’Agence", "correspondant"] == "Élodie KYDTS"
    coeur = programme[programme["dossier"].str.contains("cœur de ville")]
    assert coeur["jours"].tolist() == [94]


def test_notes_state_the_disagreements():
    text = (PARTNERS / "programme_2018_notes.md").read_text(encoding="utf-8")
    assert "| Axe 1 | 1 856 | 1 856 | concorde |" in text
    assert "| Axe 3 | 677,5 | 624 | **écart de 53,5 jours en plus** |" in text
    assert "4 683,5 | 4 630" in text
    assert "811,5 jours" in text  # SCoT: 833 stated


def test_agence_facts():
    df = read_agence(PARTNERS / "agence_2018.csv")
    facts = {(r.indicateur, r.annee): r.valeur for r in df.itertuples()}
    assert facts[("subventions_fonctionnement", 2017)] == 2443590
    assert facts[("subventions_fonctionnement", 2018)] == 2809534
    assert facts[("effectif", 2018)] == 27
    days = [facts[(f"jours_axe_{a}", 2018)] for a in (1, 2, 3)]
    assert sum(days) == facts[("jours_etudes", 2018)] == 3282
    assert 3282 + facts[("jours_administration", 2018)] + facts[("jours_informatique", 2018)] == facts[("jours_total", 2018)] == 4630


# --- reader validation ------------------------------------------------------

KNOWN = {"AULA", "PMA", "PETR", "200072460", "246200364", "246200299", "200069672", "200044030", "62119"}


def test_reader_accepts_a_good_file():
    df = read_programme(FIXTURES / "programme_ok.csv", KNOWN)
    assert df["jours"].tolist() == [33, 157]
    assert df["effectif"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    "name, line, column, words",
    [
        ("programme_colonne_manquante.csv", 1, None, "colonne(s) manquante(s) : jours"),
        ("programme_jours_non_numerique.csv", 3, "jours", "« trente » n’est pas un nombre"),
        ("programme_code_inconnu.csv", 3, "territoires", "code de territoire inconnu : « 99999 »"),
        ("programme_id_double.csv", 4, "id", "« A1-01 » en double (déjà ligne 2)"),
        ("programme_repartition_fausse.csv", 2, "repartition", "la répartition fait 151 jours"),
    ],
)
def test_reader_errors_name_line_and_column(name, line, column, words):
    with pytest.raises(InputError) as err:
        read_programme(FIXTURES / name, KNOWN)
    assert err.value.line == line
    assert err.value.column == column
    assert words in err.value.message
    assert name in str(err.value)


def test_agence_reader_rejects_non_numeric_value():
    with pytest.raises(InputError) as err:
        read_agence(FIXTURES / "agence_valeur_non_numerique.csv")
    assert (err.value.line, err.value.column) == (3, "valeur")
    assert "« vingt-sept » n’est pas un nombre" in err.value.message


# --- charts -----------------------------------------------------------------

@pytest.fixture
def tiny():
    import pandas as pd

    return pd.DataFrame({
        "id": ["A1-01", "A1-02", "A2-01"],
        "axe": [1, 1, 2],
        "axe_libelle": ["Axe un", "Axe un", "Axe deux"],
        "section": ["1.1 S", "1.2 T", "2.1 U"],
        "dossier": ["Dossier SCoT", "Dossier OPAH", "Assistance à Souchez"],
        "jours": [1200.0, 37.5, 9.0],
        "correspondant": ["Robin DECODTS", "Cylia MESSARA", "Robin DECODTS"],
        "territoires": ["200072460|PMA", "PMA|PETR", "62801"],
    })


def test_sections_ranked_bars_and_highlight(tiny):
    from components.format import COLORWAY
    from components.programme_charts import GRIS, barres_sections, dossiers_principaux

    fig = barres_sections(tiny)
    assert [t.marker.color for t in fig.data] == [COLORWAY[0], COLORWAY[1]]  # one colour per axis
    assert list(fig.data[0].y) == ["1.1 S", "1.2 T", "2.1 U"]  # ranked by days
    assert list(fig.data[0].x) == [1200.0, 37.5, None] and list(fig.data[1].x) == [None, None, 9.0]
    assert fig.layout.separators == ", "
    fig = barres_sections(tiny, surligner={"62801"})
    assert list(fig.data[0].x) == [0.0, 0.0, None] and list(fig.data[1].x) == [None, None, 9.0]
    assert fig.data[-1].marker.color == GRIS and list(fig.data[-1].x) == [1200.0, 37.5, 0.0]
    assert "1 200 jours" in fig.data[-1].text[0].replace("\u00a0", " ").replace("\u202f", " ")
    axes = dossiers_principaux(tiny, n=1)
    assert [(a.split(" — ")[0], j, [d["dossier"] for d in ds]) for a, j, ds in axes] == [
        ("Axe 1", 1237.5, ["Dossier SCoT"]), ("Axe 2", 9.0, ["Assistance à Souchez"])]


def test_bars_by_territory(tiny):
    from components.programme_charts import GRIS, barres_territoires

    fig = barres_territoires(tiny, noms={"PMA": "Pôle métropolitain"}, surligner={"PMA"})
    assert list(fig.data[0].y) == ["Pôle métropolitain", "200072460", "PETR", "62801"]
    assert list(fig.data[0].x) == [1237.5, 1200.0, 37.5, 9.0]
    assert list(fig.data[0].marker.color)[1:] == [GRIS, GRIS, GRIS]
