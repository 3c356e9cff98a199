"""Commune page: the table of every indicator at every level, ranks, and the comparison chart."""
import json

from streamlit.testing.v1 import AppTest

from datasets import access
from pagetest import as_the_browser

PAGE = "../pages/commune.py"
NB = "\u00a0"


def run(**params):
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def tables(at):
    return [d.value for d in at.dataframe]


def test_without_a_commune_asks_for_one_and_choosing_opens_it():
    at = run()
    assert not at.exception
    assert "Choisissez une commune" in at.info[0].value
    picker = at.selectbox[0]
    assert len(picker.options) == len(access.communes()) + 1
    picker.select("62119").run()
    assert not at.exception
    assert at.title[0].value == "Commune : Béthune"
    assert at.query_params["territoire"] == "62119"


def test_bethune_table_has_every_indicator_and_its_levels():
    at = run(territoire="62119")
    assert not at.exception
    assert at.title[0].value == "Commune : Béthune"
    ts = tables(at)
    allrows = sum(len(t) for t in ts[: len(at.tabs)])
    assert allrows == len(access.catalogue())
    demo = ts[0]
    refs = [r["nom"] for r in access.references("commune", "62119") if r["niveau"] in ("epci", "groupement", "territoire", "departement")]
    for col in ["Indicateur", "Unité", "Béthune", *refs, "Millésime", "Rang"]:
        assert col in demo.columns
    pop = demo[demo["Indicateur"] == "Population municipale"].iloc[0]
    assert pop["Béthune"].endswith(f"{NB}habitants")
    n = len(access.communes())
    rang = access.classement("population").set_index("code").loc["62119", "rang"]
    assert pop["Rang"] == f"{rang} / {n}"


def test_statut_texts_and_comparison_chart_follow_the_indicator():
    at = run(territoire="62119", indicateur="mediane_niveau_vie")
    assert not at.exception
    revenus = next(t for t in tables(at) if "Médiane du niveau de vie" in set(t["Indicateur"]))
    textes = set(revenus.drop(columns=["Indicateur", "Unité", "Millésime", "Rang"]).to_numpy().ravel())
    assert textes & {"non calculable", "non disponible pour ce niveau", "secret statistique"}
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["title"]["text"].startswith("Médiane du niveau de vie")
    assert fig["data"][0]["y"][0] == "Béthune"
    at.selectbox(key="choix_indicateur").select("population").run()
    fig2 = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig2["layout"]["title"]["text"].startswith("Population municipale")
    assert at.query_params["indicateur"] == "population"


def test_another_commune_shows_other_values():
    a = run(territoire="62119")
    autre = access.communes().query("code != '62119'").iloc[0]
    b = run(territoire=autre["code"])
    assert not b.exception
    assert b.title[0].value == f"Commune : {autre['nom']}"
    assert tables(a)[0].iloc[0, 2] != tables(b)[0].iloc[0, 2]


def test_selection_carries_over_from_page_to_page_through_the_app():
    lens = access.territoire("62498", "commune")["nom"]
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["territoire"] = "62119"
    at.session_state["picker_recherche"] = "lens"  # typed before the first run (see search())
    as_the_browser(at.run())
    assert not at.exception
    assert at.sidebar.selectbox(key="picker_territoire").value == "62119"
    # the picker holds the EPCI and groupings, and the selected commune: other communes
    # are reached through the search, whose suggestion selects the commune
    assert "62498" not in at.sidebar.selectbox(key="picker_territoire").options
    at.sidebar.button(key="recherche_62498").click().run()
    assert at.query_params["territoire"] == "62498"
    at.query_params.clear()  # the navigation menu drops query parameters
    at.switch_page("pages/commune.py").run()
    assert not at.exception
    assert at.title[0].value == f"Commune : {lens}"
    assert at.query_params["territoire"] == "62498"


def search(texte):
    """The app with the sidebar search already typed.

    AppTest resets Streamlit's legacy `pages/` flag on every run, so its reruns execute the
    page file alone, without app.py and its sidebar: only the first run shows the sidebar."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["picker_recherche"] = texte
    return as_the_browser(at.run())


def test_search_box_finds_without_accents_and_opens_the_commune():
    labels = [b.label for b in search("henin").sidebar.button]
    assert labels and labels[0].startswith("Hénin-Beaumont")
    assert any(b.label.startswith("Béthune") for b in search("62400").sidebar.button)
    assert [b.key for b in search("BETHUNE").sidebar.button][0] == "recherche_62119"
    # clicking a result opens the Commune page: tests/browser (AppTest reruns skip app.py, see search())


def test_search_text_is_never_interpreted():
    at = search("' OR 1=1 --")
    assert not at.exception
    assert not [b for b in at.sidebar.button if b.key and b.key.startswith("recherche_")]  # no result, no suggestion
    assert any("Aucune commune" in c.value for c in at.sidebar.caption)
