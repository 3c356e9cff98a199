"""Démographie page on the real warehouse: renders for the territory and for Béthune,
and the figures follow the selection."""
from streamlit.testing.v1 import AppTest

from pagetest import all_figures, by_prefix, every_section, figures, goto, run_page


def run(territoire=None):
    return run_page("demographie", territoire)


def test_default_territory_renders_every_section():
    at = run()
    assert not at.exception
    assert every_section(at)[0] == ["Population légale", "Densité", "Structure par âge", "Ménages"]
    figs = all_figures(at)
    serie = by_prefix(figs, "Population municipale")["data"][0]
    assert serie["x"][:2] == [2016, 2019] and len(serie["x"]) >= 5
    assert all(isinstance(v, (int, float)) and v > 100_000 for v in serie["y"])
    assert figs[next(iter(figs))]["layout"]["separators"] == ", "
    assert any(c.value.startswith("Source") for c in at.caption)


def test_bethune_series_differs_from_territory():
    territoire = by_prefix(all_figures(run()), "Population municipale")["data"][0]
    at = run("62119")
    assert not at.exception
    figs = all_figures(at)
    bethune = by_prefix(figs, "Population municipale")["data"][0]
    assert bethune["name"] == "Béthune"
    assert bethune["y"] != territoire["y"] and max(bethune["y"]) < 50_000
    # compared with its EPCI, grouping, territory, département, région and France
    densite = by_prefix(figs, "Densité de population")["data"][0]
    assert densite["y"][0] == "Béthune" and len(densite["y"]) >= 6
    croissance = by_prefix(figs, "Croissance annuelle moyenne")["data"][0]
    assert croissance["y"][0] == "Béthune"


def test_age_bands_are_shares_for_each_territory():
    figs = all_figures(run("62119"))
    ages = by_prefix(figs, "Population par tranche d'âge")
    assert ages["data"][0]["name"] == "Béthune"
    assert ages["data"][0]["y"][0] == "0 à 14 ans"
    parts = [v for v in ages["data"][0]["x"] if v is not None]
    assert len(parts) == 6 and abs(sum(parts) - 100) < 0.5


def test_through_app_navigation_keeps_the_territory():
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["territoire"] = "62119"
    at.run()
    goto(at, "demographie")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Démographie"
    assert by_prefix(all_figures(at), "Population municipale")["data"][0]["name"] == "Béthune"


def test_data_and_downloads_are_sent_only_when_opened():
    """One closed « Données et téléchargements » control per chart: no data grid and no
    download button with the page (issue 13); opening one shows its table and four files."""
    from components.sections import DETAILS

    at = run("62119")
    assert not at.exception
    controles = [e for e in at.expander if e.proto.label == DETAILS]
    assert len(controles) == len(at.get("plotly_chart")) + len(at.get("deck_gl_json_chart"))
    assert not at.get("download_button")
    assert not at.dataframe or all("Territoire" in d.value.columns for d in at.dataframe)  # only the count tables
    avant = len(at.dataframe)
    at.session_state["det_population"] = True
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[-2:] == ["Données CSV", "Données XLSX"] and len(labels) in (2, 4)
    assert len(at.dataframe) == avant + 1
    assert [list(d.value.columns) for d in at.dataframe].count(["Millésime", "Population municipale"]) == 1


def test_only_the_open_section_is_built_and_it_stays_open_when_the_territory_changes():
    """Issue 13: the sections are tabs and only the open one is sent (the first with the
    page); the open tab is kept when the visitor picks another territory."""
    from components import navigation, sections

    theme = navigation.page("demographie").theme
    at = run("62119")
    assert [t.label for t in at.tabs] == ["Population légale", "Densité", "Structure par âge", "Ménages"]
    assert not at.header  # the tab names its section
    premiers = set(figures(at))
    assert premiers and all(not t.startswith("Population par tranche") for t in premiers)
    at.session_state[sections.onglets_key(theme)] = "Structure par âge"
    at.run()
    assert not at.exception
    ages = figures(at)
    assert not premiers & set(ages) and by_prefix(ages, "Population par tranche d'âge")["data"][0]["name"] == "Béthune"
    at.sidebar.selectbox(key="picker_territoire").select("200072460").run()  # the CA de Béthune-Bruay
    assert not at.exception
    assert by_prefix(figures(at), "Population par tranche d'âge")["data"][0]["name"].startswith("CA de Béthune")


def test_a_section_draws_its_first_chart_and_the_rest_when_asked():
    """Issue 13: the first screen and a change of commune draw one chart. The switch under it
    names the two others; turned on, they are drawn, and it stays on for another commune, after
    another tab and after another page."""
    from components import navigation, sections

    interrupteurs = lambda: [t for t in at.toggle if t.key.startswith(sections.suite_key(""))]  # noqa: E731
    at = run("62119")
    assert list(figures(at)) == ["Population municipale (2016–2023)"]
    (switch,) = interrupteurs()
    assert "« Taux de croissance annuel moyen entre millésimes" in switch.label
    assert "« Croissance annuelle moyenne, 2016–2023" in switch.label and not switch.value
    switch.set_value(True).run()
    assert not at.exception
    assert len(figures(at)) == 3 and by_prefix(figures(at), "Croissance annuelle moyenne")["data"][0]["y"][0] == "Béthune"
    at.sidebar.selectbox(key="picker_territoire").select("200072460").run()
    assert not at.exception and len(figures(at)) == 3
    assert by_prefix(figures(at), "Croissance annuelle moyenne")["data"][0]["y"][0].startswith("CA de Béthune")
    theme = navigation.page("demographie").theme
    at.session_state[sections.onglets_key(theme)] = "Densité"
    at.run()
    at.session_state[sections.onglets_key(theme)] = "Population légale"
    at.run()
    assert not at.exception and len(figures(at)) == 3
    goto(at, "logement").run()
    goto(at, "demographie").run()
    assert not at.exception and len(figures(at)) == 3
    interrupteurs()[0].set_value(False).run()
    assert list(figures(at)) == ["Population municipale (2016–2023)"]
