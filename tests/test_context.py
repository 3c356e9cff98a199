"""One context per rerun: from `?territoire=62119` to every chart, the territory, its parents
and references are looked up once (components/context.py, state.context)."""
import pytest

from components import context, navigation
from pagetest import APP, goto

from streamlit.testing.v1 import AppTest


def test_context_of_a_commune_carries_parents_references_and_build():
    ctx = context.build("62119")
    assert (ctx.niveau, ctx.nom) == ("commune", "Béthune")
    assert [(p.niveau, p.code) for p in ctx.parents] == [("epci", "200072460"), ("groupement", "PMA"),
                                                         ("departement", "62"), ("region", "32")]
    assert [r.niveau for r in ctx.references] == ["epci", "groupement", "territoire", "departement", "region", "pays"]
    assert [r.code for r in ctx.references_courtes] == ["200072460", "62", "FR"]  # the one short rule
    assert ctx.perimetre == ("epci", "200072460") and ctx.build_id and ctx.agence
    with pytest.raises(ValueError, match="Territoire inconnu"):
        context.build("99999")


def test_short_references_of_every_level_follow_one_rule():
    assert [r.code for r in context.build("AULA").references_courtes] == ["62", "80", "FR"]
    assert [r.code for r in context.build("200072460").references_courtes] == ["PMA", "62", "FR"]
    assert [r.code for r in context.build("PETR").references_courtes] == ["AULA", "62", "FR"]


@pytest.mark.parametrize("url", ["demographie", "commune", "accueil", "comparer", "programme", "revenus"])
def test_built_once_per_rerun(monkeypatch, url):
    calls = []
    original = context.build
    monkeypatch.setattr(context, "build", lambda code: calls.append(code) or original(code))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["territoire"] = "62119"
    if url != navigation.PAGES[0].url:
        goto(at, url)
    at.run()
    assert not at.exception
    assert calls == ["62119"]
    at.run()  # a rerun (here the one the browser asks for after the first screen) builds its own, once
    assert calls == ["62119", "62119"]
    at.run()
    assert calls == ["62119", "62119", "62119"]
