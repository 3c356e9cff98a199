"""Comparer page: chosen territories side by side, and the ranking of all communes."""
import json

from streamlit.testing.v1 import AppTest

from datasets import access

PAGE = "../pages/comparer.py"


def run(**params):
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def figures(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def test_default_compares_the_epci():
    at = run()
    assert not at.exception
    epci = access.territoires("epci")
    assert at.multiselect(key="comparer_territoires").value == list(epci["code"])
    figs = figures(at)
    assert figs and {y.replace("<br>", " ") for y in figs[0]["data"][0]["y"]} == set(epci["nom"])
    classement = at.dataframe[-1].value
    assert len(classement) == len(access.communes())
    assert list(classement["Rang"][:3]) == [1, 2, 3]


def test_bethune_with_its_epci_and_url_choices():
    at = run(territoire="62119", comparer=["62119", "62498"], indicateurs=["densite", "part_hlm"])
    assert not at.exception
    assert at.multiselect(key="comparer_territoires").value == ["62119", "62498"]
    figs = figures(at)
    assert [f["layout"]["title"]["text"].split(" (")[0] for f in figs] == ["Densité de population", "Part des locataires HLM"]
    noms = access.territoires("commune").set_index("code")["nom"]
    assert [y.replace("<br>", " ") for y in figs[0]["data"][0]["y"]] == [noms["62119"], noms["62498"]]
    couleurs = figs[0]["data"][0]["marker"]["color"]
    assert couleurs[0] != couleurs[1]  # the first territory stands out
    tableau = at.dataframe[0].value
    assert list(tableau["Territoire"]) == [noms["62119"], noms["62498"]]


def test_changing_territories_changes_the_figures_and_the_url():
    """A territory is added through the search (typo and missing accent tolerated)."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["comparer"] = ["62119"]
    at.query_params["indicateurs"] = ["population"]
    at.session_state["comparer_recherche"] = "lense"
    at.run()
    at.button(key="comparer_ajout_62498").click().run()
    assert not at.exception
    assert at.query_params["comparer"] == ["62119", "62498"]
    assert len(figures(at)[0]["data"][0]["y"]) == 2


def test_every_level_can_be_added_through_the_search():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["comparer"] = ["62119"]
    at.session_state["comparer_recherche"] = "somme"
    at.run()
    somme = access.territoires("departement").query("nom == 'Somme'")["code"].iloc[0]
    at.button(key=f"comparer_ajout_{somme}").click().run()
    at.text_input(key="comparer_recherche").input("france").run()
    at.button(key="comparer_ajout_FR").click().run()
    at.text_input(key="comparer_recherche").input("PMA").run()
    at.button(key="comparer_ajout_PMA").click().run()
    assert not at.exception
    assert at.query_params["comparer"] == ["62119", somme, "FR", "PMA"]
    noms = [y.replace("<br>", " ") for y in figures(at)[0]["data"][0]["y"]]
    assert "Somme" in noms and "France" in noms and "Pôle Métropolitain de l'Artois" in noms


def test_clearing_every_territory_leaves_an_empty_selection_with_a_hint():
    at = run(comparer=["62119", "62498"])
    at.multiselect(key="comparer_territoires").set_value([]).run()
    assert not at.exception
    assert at.multiselect(key="comparer_territoires").value == []
    assert "comparer" not in at.query_params
    assert any("Ajouter un territoire" in i.value for i in at.info)
    assert figures(at) == []  # no comparison chart without territories
    at.run()  # a rerun does not bring the default EPCI back
    assert at.multiselect(key="comparer_territoires").value == []


def test_highlighted_bar_is_the_territory_of_the_sidebar():
    at = run(territoire="62498", comparer=["62119", "62498"], indicateurs=["population"])
    assert not at.exception
    fig = figures(at)[0]["data"][0]
    couleurs = dict(zip([y.replace("<br>", " ") for y in fig["y"]], fig["marker"]["color"]))
    assert couleurs["Lens"] != couleurs["Béthune"]
    from components.charts import COULEUR_SELECTION
    assert couleurs["Lens"] == COULEUR_SELECTION


def test_ranking_sorts_and_follows_the_indicator():
    at = run(indicateur="population")
    top = at.dataframe[-1].value
    assert top.iloc[0]["Commune"] == access.classement("population").iloc[0]["nom"]
    at.selectbox(key="choix_tri").select("croissant").run()
    bas = at.dataframe[-1].value
    assert bas.iloc[0]["Commune"] != top.iloc[0]["Commune"]
    at.selectbox(key="choix_indicateur").select("densite").run()
    plus_faible = access.classement("densite").dropna(subset=["valeur"]).iloc[-1]["nom"]
    assert at.dataframe[-1].value.iloc[0]["Commune"] == plus_faible
    assert at.query_params["indicateur"] == "densite"


def test_unknown_compared_codes_are_ignored_with_a_message():
    at = run(comparer=["62119", "DROP TABLE", "<b>x</b>"])
    assert not at.exception
    assert any("ne sont pas reconnues" in w.value for w in at.warning)
    assert at.multiselect(key="comparer_territoires").value == ["62119"]
