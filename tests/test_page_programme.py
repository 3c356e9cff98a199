"""Programme page on the real warehouse: the programme charts, the highlight of the
dossiers that concern the selected territory, the agency facts and notes."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pagetest import figures, run_page

from components import programme_charts as pc
from datasets import access


TITLE = "Programme de travail 2018 : jours par section"


def run(territoire=None):
    return run_page("programme", territoire)


def sections_jours(fig) -> dict[str, float]:
    """Days of each section shown (all traces of a bar), keyed by the unwrapped label."""
    out: dict[str, float] = {}
    for tr in fig["data"]:
        for y, x in zip(tr["y"], tr["x"]):
            if x is not None:
                out[y.replace("<br>", " ")] = out.get(y.replace("<br>", " "), 0.0) + float(x)
    return out


def colorees(fig) -> dict[str, float]:
    """Days of each section in the axis colours (the dossiers concerning the selection)."""
    out: dict[str, float] = {}
    for tr in fig["data"]:
        if tr["marker"]["color"] == pc.GRIS:
            continue
        for y, x in zip(tr["y"], tr["x"]):
            if x:
                out[y.replace("<br>", " ")] = out.get(y.replace("<br>", " "), 0.0) + float(x)
    return out


def test_default_territory_shows_whole_programme():
    at = run()
    assert not at.exception
    figs = figures(at)
    fig = figs[TITLE]
    par_section = sections_jours(fig)
    assert sum(par_section.values()) == 3335.5
    assert par_section["1.3 Planification territoriale"] == 1060.5
    assert list(par_section)[0] == "1.3 Planification territoriale"  # ranked, largest first
    assert all(tr["marker"]["color"] != pc.GRIS for tr in fig["data"])  # nothing greyed out
    assert not at.info
    assert any(m.label == "Équipe de l’Agence" for m in at.metric)
    notes = access.programme_notes()
    assert any(m.value == notes.strip() for m in at.markdown)  # reconciliation notes shown as markdown
    # the three main dossiers of each axis in words, with their contact; no per-person ranking
    axes = [m.value for m in at.markdown if m.value.startswith("**Axe ")]
    assert len(axes) == 3 and all(a.count("contact :") == 3 and a.count("\n- ") == 3 for a in axes)
    assert not any("correspondant" in t.lower() for t in figs)


def test_bethune_highlights_its_dossiers():
    at = run("62119")
    assert not at.exception
    fig = figures(at)[TITLE]
    prog = access.programme()
    oui = prog[pc.concerne(prog, {"62119", "200072460", "PMA", "AULA"})]
    attendu = oui.groupby("section")["jours"].sum()
    assert colorees(fig) == {s: float(v) for s, v in attendu.items() if v}
    assert any(tr["marker"]["color"] == pc.GRIS for tr in fig["data"])  # the other dossiers, greyed
    assert sum(sections_jours(fig).values()) == 3335.5
    assert "concernent Béthune" in at.info[0].value
    dossiers = next(t.value for t in at.dataframe if "Concerne la sélection" in t.value.columns)
    assert dossiers.set_index("Dossier n°").loc["A2-18", "Concerne la sélection"] == "non"
    assert dossiers.set_index("Dossier n°").loc["A2-19", "Concerne la sélection"] == "oui"  # « cœur de ville »


def test_grouping_selection_highlights_grouping_and_member_dossiers():
    at = run("PMA")
    assert not at.exception
    fig = figures(at)[TITLE]
    prog = access.programme().set_index("id")
    colour = colorees(fig)
    # A1-15 (PETR only) is greyed: its section's coloured days exclude it
    section = prog.loc["A1-15", "section"]
    assert colour.get(section, 0.0) <= sections_jours(fig)[section] - prog.loc["A1-15", "jours"]
    assert colour[prog.loc["A1-11", "section"]] >= prog.loc["A1-11", "jours"]  # CAHC, a member EPCI


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
