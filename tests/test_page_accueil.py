"""Accueil on the real warehouse: key-figure cards and the map follow the selection and the URL."""
import json

from streamlit.testing.v1 import AppTest

from datasets import access
from pagetest import tuiles

PAGE = "../pages/accueil.py"
NB = "\u00a0"


def run(**params):
    at = AppTest.from_file(PAGE, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def features(at) -> list[dict]:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)["layers"][0]["data"]["features"]


def metrics(at) -> dict[str, str]:
    """The key-figure cards: « Libellé (millésime) » → value."""
    return {label: carte["val"] for label, carte in tuiles(at).items()}


def test_default_territory_cards_and_map_of_all_communes():
    at = run()
    assert not at.exception
    cards = metrics(at)
    pop = next(v for k, v in cards.items() if k.startswith("Population municipale"))
    assert pop.endswith(f"{NB}habitants") and int(pop.split(NB + "habitants")[0].replace(NB, "")) > 500_000
    feats = features(at)
    assert len(feats) == len(access.communes())
    assert all(f["properties"]["valeur_texte"].endswith("habitants") for f in feats[:20])
    assert all(carte["src"].startswith("Source") for carte in tuiles(at).values())  # every card says its source
    assert at.query_params["territoire"] == "AULA"


def test_bethune_cards_compare_with_references_and_map_its_epci():
    at = run(territoire="62119")
    assert not at.exception
    assert at.markdown[0].value.startswith("**Béthune**")
    pop = next(v for k, v in metrics(at).items() if k.startswith("Population municipale"))
    assert int(pop.split(NB)[0] + pop.split(NB)[1]) < 50_000
    epci = access.territoire("62119", "commune")["epci"]
    feats = features(at)
    codes = {f["properties"]["code"] for f in feats}
    assert "62119" in codes and codes == set(access.communes("epci", epci)["code"])
    refs = [carte.get("ref", "") for carte in tuiles(at).values()]
    assert refs and all("Pas-de-Calais : " in r and "France : " in r for r in refs[:3])  # compared with its references


def test_cards_give_the_change_since_the_previous_vintage_and_escape_text():
    """The cards are plain HTML: the change since the previous vintage is written out (its
    arrow is decorative), and names with markup-like characters are escaped."""
    from components import cards

    at = run(territoire="62119")
    pop = next(c for k, c in tuiles(at).items() if k.startswith("Population municipale"))
    assert "depuis" in pop.get("delta", "") or "un seul millésime" in pop.get("note", "")
    html = cards.html_tuile(cards.Tuile("x", "A <b>&", "1 234", 2022, "Évolution : un seul millésime disponible",
                                        references=("<script>",), source_id=None))
    assert "<b>" not in html and "<script>" not in html and "A &lt;b&gt;&amp;" in html
    assert "Évolution : un seul millésime disponible" in html and "Source : non renseignée" in html


def test_choosing_an_indicator_recolours_the_map_and_updates_the_url():
    at = run(territoire="62119")
    before = [f["properties"]["fill"] for f in features(at)]
    at.selectbox(key="choix_indicateur").select("densite").run()
    assert not at.exception
    feats = features(at)
    assert all("hab./km²" in f["properties"]["valeur_texte"] or "non" in f["properties"]["valeur_texte"] for f in feats)
    assert [f["properties"]["fill"] for f in feats] != before
    assert at.query_params["indicateur"] == "densite"
    assert at.query_params["territoire"] == "62119"


def test_url_round_trip_reproduces_the_view():
    millesimes = access.indicateur("part_logements_vacants")["millesimes"]
    old = str(min(millesimes))
    at = run(territoire="62119", indicateur="part_logements_vacants", millesime=old)
    assert not at.exception
    assert not [w for w in at.warning if "pas reconnu" in w.value]
    assert at.selectbox(key="choix_indicateur").value == "part_logements_vacants"
    assert str(at.selectbox(key="choix_millesime").value) == old
    assert any(s.value.startswith("Taux de vacance") and old in s.value for s in at.subheader)
    assert {k: at.query_params[k] for k in ("territoire", "indicateur", "millesime")} == {
        "territoire": "62119", "indicateur": "part_logements_vacants", "millesime": old}
    assert all(f["properties"]["valeur_texte"].endswith("%") or "non" in f["properties"]["valeur_texte"] for f in features(at))


def test_hostile_params_give_a_french_message_and_the_whole_territory():
    at = run(territoire="<img src=x onerror=alert(1)>", indicateur="1; DROP TABLE valeurs", millesime="9" * 5000)
    assert not at.exception
    textes = " ".join(w.value for w in at.warning)
    assert "n'est pas reconnu" in textes and "onerror" not in textes
    assert at.query_params["territoire"] == "AULA"
    assert at.selectbox(key="choix_indicateur").value == "population"
    assert len(features(at)) == len(access.communes())


def test_the_map_is_built_once_and_shared_by_sessions(monkeypatch):
    from components import maps, theme_charts

    theme_charts._MAPS.clear()
    calls = []
    original = maps.build_carte
    monkeypatch.setattr(maps, "build_carte", lambda *a, **k: calls.append(a[2]) or original(*a, **k))
    first = run(territoire="62119")
    second = run(territoire="62119")  # another session
    second.run()  # and a rerun
    assert not first.exception and not second.exception
    assert len(calls) == 1
    assert first.get("deck_gl_json_chart")[0].proto.json == second.get("deck_gl_json_chart")[0].proto.json


def test_folded_figures_and_presentation_are_sent_only_when_opened():
    """Issue 13: the key figures beyond the first six and the site's presentation are folded,
    and nothing of them is built before the visitor opens them (the map comes sooner)."""
    at = run(territoire="62119")
    assert not at.exception
    premiers = metrics(at)
    assert len(premiers) == 6
    assert not any("319 communes" in m.value for m in at.markdown)
    autres = next(e for e in at.expander if e.proto.label.endswith("autres chiffres clés"))
    n = int(autres.proto.label.split()[1])
    at.session_state["accueil_autres"] = True
    at.session_state["accueil_apropos"] = True
    at.run()
    assert not at.exception
    tous = metrics(at)
    assert len(tous) == 6 + n and set(premiers) < set(tous)
    assert any("319 communes" in m.value for m in at.markdown)  # the presentation of the territory
