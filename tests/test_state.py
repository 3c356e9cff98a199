"""The URL state: codes in, validated, carried over; hostile params never break the page."""
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from datasets import access

ROWS = [
    {"niveau": "territoire", "code": "AULA", "nom": "Territoire de l'AULA"},
    {"niveau": "groupement", "code": "PMA", "nom": "Pôle Métropolitain de l'Artois"},
    {"niveau": "epci", "code": "200072460", "nom": "CA Béthune-Bruay"},
    {"niveau": "commune", "code": "62119", "nom": "Béthune"},
    {"niveau": "departement", "code": "62", "nom": "Pas-de-Calais"},
]


@pytest.fixture(autouse=True)
def fake_access(monkeypatch):
    """A tiny territory instead of the warehouse: state logic only."""
    by_code = {r["code"]: r for r in ROWS}
    monkeypatch.setattr(access, "territoire", lambda code, niveau=None: by_code.get(code), raising=False)
    monkeypatch.setattr(
        access, "territoires", lambda niveau=None: pd.DataFrame([r for r in ROWS if niveau in (None, r["niveau"])]), raising=False
    )


def script():
    import streamlit as st

    from components import state

    sel = state.current()
    st.text(f"{sel.niveau}|{sel.code}|{sel.nom}")
    ind = state.param("indicateur", ["population", "densite"], "population")
    mil = state.param("millesime", [2016, 2021, 2023], 2023)
    st.text(f"{ind}|{mil}|{type(mil).__name__}")


def qp(at, key):
    value = at.query_params.get(key)
    return value if isinstance(value, list) else [value]


def run(**params):
    at = AppTest.from_function(script)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_default_is_whole_territory_and_written_to_url():
    at = run()
    assert not at.exception
    assert at.text[0].value == "territoire|AULA|Territoire de l'AULA"
    assert qp(at, "territoire") == ["AULA"]
    assert at.text[1].value == "population|2023|int"
    assert not at.warning


def test_url_reproduces_the_view():
    at = run(territoire="62119", indicateur="densite", millesime="2016")
    assert at.text[0].value == "commune|62119|Béthune"
    assert at.text[1].value == "densite|2016|int"
    assert qp(at, "millesime") == ["2016"]
    assert not at.warning


@pytest.mark.parametrize(
    "hostile",
    [
        "99999",
        "62",  # a real code, but not a selectable level
        "62119' OR 1=1 --",
        "<script>alert(1)</script>",
        "x" * 100_000,
        "",
        "62119\x00",
    ],
)
def test_unknown_or_hostile_territory_falls_back_with_french_message(hostile):
    at = run(territoire=hostile, indicateur="'; DROP TABLE valeurs; --")
    assert not at.exception
    assert at.text[0].value == "territoire|AULA|Territoire de l'AULA"
    messages = " ".join(w.value for w in at.warning)
    assert "n'est pas reconnu" in messages and "territoire entier" in messages
    assert "script" not in messages and "DROP" not in messages  # never echoed
    assert qp(at, "territoire") == ["AULA"]
    assert at.text[1].value.startswith("population|")


def test_several_values_take_the_first_valid():
    at = run(territoire=["bogus", "62119", "PMA"], millesime=["1900", "2021"])
    assert at.text[0].value == "commune|62119|Béthune"
    assert at.text[1].value == "population|2021|int"
    assert qp(at, "territoire") == ["62119"]


def test_selection_carries_over_when_url_loses_it():
    at = run(territoire="PMA", indicateur="densite")
    at.query_params.clear()  # what page navigation does
    at.run()
    assert at.text[0].value == "groupement|PMA|Pôle Métropolitain de l'Artois"
    assert at.text[1].value.startswith("densite|")
    assert qp(at, "territoire") == ["PMA"]


def test_set_territoire_ignores_unknown_codes():
    def script2():
        import streamlit as st

        from components import state

        state.current()
        state.set_territoire("62119")
        state.set_territoire("nope")
        st.text(state.current().code)

    at = AppTest.from_function(script2).run()
    assert at.text[0].value == "62119"
