"""The first screen first (components/premier_ecran.py): a session's first run sends the page
alone and asks the browser for the next run; that run and every later one bring the sidebar's
tools and the phone's search. AppTest draws nothing, so the browser's request is a run here."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components import premier_ecran
from pagetest import APP, asks_follow_up, figures, goto

OUTILS = ("picker_territoire", "picker_recherche", "recherche_page")


def keys(at: AppTest) -> set:
    return {e.key for e in [*at.selectbox, *at.text_input, *at.sidebar.selectbox, *at.sidebar.text_input]}


def first_run(url: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    if url != "accueil":
        goto(at, url)
    return at.run()


@pytest.mark.parametrize("url", ["demographie", "accueil", "sources"])
def test_the_first_run_sends_the_page_alone_and_the_next_one_the_tools(url):
    at = first_run(url, territoire="62119")
    assert not at.exception
    assert asks_follow_up(at)
    assert not keys(at) & set(OUTILS), keys(at)
    assert not [b for b in at.sidebar.button if str(b.key).startswith("dl_")]
    assert at.title and at.title[0].value  # the page itself is all there
    if url == "demographie":
        assert any("Béthune" in str(t.get("name")) for f in figures(at).values() for t in f["data"])
    titre = at.title[0].value
    at.run()  # what the browser asks for once the page is drawn
    assert not at.exception
    assert not asks_follow_up(at)
    assert set(OUTILS) <= keys(at)
    assert at.sidebar.selectbox(key="picker_territoire").value == "62119"
    assert at.title[0].value == titre
    at.run()  # and every later run of the session
    assert not asks_follow_up(at) and set(OUTILS) <= keys(at)


def test_accueil_first_run_names_the_maps_choices_and_the_next_one_brings_their_boxes():
    at = first_run("accueil", territoire="62119", indicateur="densite")
    assert not at.exception and asks_follow_up(at)
    assert not {"choix_indicateur", "choix_millesime"} & keys(at)  # their script is not fetched before the map's
    assert at.get("deck_gl_json_chart")
    texte = [m.value for m in at.markdown if m.value.startswith("Indicateur :")]
    assert texte and "Densité de population" in texte[0], texte
    at.run()
    assert at.selectbox(key="choix_indicateur").value == "densite"
    assert at.selectbox(key="choix_millesime").value
    assert not [m for m in at.markdown if m.value.startswith("Indicateur :")]


def test_a_first_run_that_warns_about_its_address_sends_everything_at_once():
    # the address is corrected at once, so the next run would not repeat the warning
    at = first_run("demographie", territoire="99999")
    assert not at.exception
    assert any("n'est pas reconnu" in w.value for w in at.warning)
    assert not asks_follow_up(at)
    assert set(OUTILS) <= keys(at)


def test_the_browser_script_asks_once_for_the_announced_event():
    js = premier_ecran._JS
    assert f'setTriggerValue("{premier_ecran.EVENEMENT}", true)' in js
    assert f"> {premier_ecran.LIMITE_MS})" in js
    assert js.count("setTriggerValue(") == 1 and "if (!fini) { fini = true;" in js
