"""Programme page on the real warehouse: the programme charts, the highlight of the
dossiers that concern the selected territory, the agency facts and notes."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pagetest import figures, run_page

from components import programme_charts as pc
from datasets import access


def run(territoire=None):
    return run_page("programme", territoire)


def test_default_territory_shows_whole_programme():
    at = run()
    assert not at.exception
    figs = figures(at)
    tree = figs["Programme de travail 2018 : jours par axe, section et dossier"]["data"][0]
    axes = {i: v for i, v, p in zip(tree["ids"], tree["values"], tree["parents"]) if p == ""}
    assert axes == {"axe1": 1856.0, "axe2": 802.0, "axe3": 677.5}
    assert pc.GRIS not in tree["marker"]["colors"]  # nothing greyed out
    assert not at.info
    assert any(m.label == "Équipe de l’Agence" for m in at.metric)
    notes = access.programme_notes()
    assert any(m.value == notes.strip() for m in at.markdown)  # reconciliation notes shown as markdown


def test_bethune_highlights_its_dossiers():
    at = run("62119")
    assert not at.exception
    figs = figures(at)
    tree = figs["Programme de travail 2018 : jours par axe, section et dossier"]["data"][0]
    couleurs = dict(zip(tree["ids"], tree["marker"]["colors"]))
    assert couleurs["A2-19"] != pc.GRIS  # « cœur de ville » names Béthune
    assert couleurs["A1-04"] != pc.GRIS  # its EPCI's PLH
    assert couleurs["A1-02"] != pc.GRIS  # its grouping (PMA)
    assert couleurs["A2-18"] == pc.GRIS  # 7 Vallées Comm only
    assert "concernent Béthune" in at.info[0].value
    dossiers = next(t.value for t in at.dataframe if "Concerne la sélection" in t.value.columns)
    assert dossiers.set_index("Dossier n°").loc["A2-18", "Concerne la sélection"] == "non"
    corr = figs["Jours par correspondant (dossiers concernant Béthune)"]["data"][0]
    assert sum(corr["x"]) < 3335.5  # only the days of the dossiers concerning Béthune


def test_grouping_selection_highlights_grouping_and_member_dossiers():
    at = run("PMA")
    assert not at.exception
    tree = figures(at)["Programme de travail 2018 : jours par axe, section et dossier"]["data"][0]
    couleurs = dict(zip(tree["ids"], tree["marker"]["colors"]))
    assert couleurs["A1-18"] != pc.GRIS  # PMA and PETR
    assert couleurs["A1-11"] != pc.GRIS  # CAHC, a member EPCI
    assert couleurs["A1-15"] == pc.GRIS  # PETR only
    assert couleurs["A2-18"] == pc.GRIS  # 7 Vallées Comm (PETR)


def test_a_territory_without_work_programme_says_so(tmp_path, monkeypatch):
    """Another agency's territory file may have no [partenaires] section."""
    from etl import build

    root = Path(__file__).resolve().parents[1]
    toml = (root / "datasets" / "territory.toml").read_text(encoding="utf-8")
    start, end = toml.index("[partenaires]"), toml.index("# Reference levels")
    path = tmp_path / "territory.toml"
    path.write_text(toml[:start] + toml[end:], encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    build.build(raw_dir=raw, target=tmp_path / "w", territory_path=path, log=lambda _: None)
    monkeypatch.setenv("CHIFFRES_CLEFS_WAREHOUSE", str(tmp_path / "w"))
    at = AppTest.from_file("../pages/programme.py", default_timeout=120)
    at.query_params["territoire"] = "62119"
    at.run()
    assert not at.exception
    assert any("Aucun programme de travail" in i.value for i in at.info)
