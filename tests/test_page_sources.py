"""Sources et définitions: the whole catalogue with its facts, the files loaded, the notes."""
from streamlit.testing.v1 import AppTest

from datasets import access

PAGE = "../pages/sources.py"


def run(**params):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_catalogue_lists_every_indicator_with_its_facts():
    at = run()
    assert not at.exception
    catalogue = at.dataframe[0].value
    assert len(catalogue) == len(access.catalogue())
    assert {"Définition", "Unité", "Source", "Millésimes", "Géographie", "Licence", "Démonstration"} <= set(catalogue.columns)
    pop = catalogue[catalogue["Identifiant"] == "population"].iloc[0]
    assert pop["Démonstration"] == "non" and "2023" in pop["Millésimes"] and pop["Source"]
    demo_ids = set(access.catalogue().query("demo")["indicateur"])
    assert set(catalogue[catalogue["Démonstration"] == "oui"]["Identifiant"]) == demo_ids


def test_theme_filter_and_files_and_notes():
    at = run(territoire="62119")
    assert not at.exception
    at.selectbox[0].select("Logement").run()
    catalogue = at.dataframe[0].value
    assert set(catalogue["Thème"]) == {"Logement"} and len(catalogue) == len(access.catalogue("logement"))
    fichiers = at.dataframe[1].value
    assert len(fichiers) == len(access.sources())
    notes = access.programme_notes().strip().splitlines()[0].lstrip("# ").strip()
    assert any(notes in m.value for m in at.markdown)
