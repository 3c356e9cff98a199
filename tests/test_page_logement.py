"""Logement page on the real warehouse: shares per territory, statut texts, selection."""
import json

from streamlit.testing.v1 import AppTest

PAGE = "../pages/logement.py"
STATUTS = {"secret statistique", "non disponible", "non calculable",
           "non disponible (données incomplètes)", "non disponible pour ce niveau"}


def run(territoire=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    if territoire:
        at.query_params["territoire"] = territoire
    return at.run()


def figures(at) -> dict[str, dict]:
    return {json.loads(e.proto.spec)["layout"]["title"]["text"]: json.loads(e.proto.spec)
            for e in at.get("plotly_chart")}


def by_prefix(figs: dict, prefix: str) -> dict:
    return next(f for t, f in figs.items() if t.startswith(prefix))


def test_default_territory_renders():
    at = run()
    assert not at.exception
    figs = figures(at)
    occupation = by_prefix(figs, "Catégories de logements")
    assert [t["name"] for t in occupation["data"]] == [
        "Résidences principales", "Résidences secondaires et logements occasionnels", "Logements vacants"]
    assert occupation["data"][0]["y"][0] == "Territoire de l'AULA"
    assert occupation["layout"]["barmode"] == "stack"


def test_bethune_differs_and_statuts_are_text_not_zero():
    aula = by_prefix(figures(run()), "Taux de vacance")["data"][0]
    at = run("62119")
    assert not at.exception
    figs = figures(at)
    vacance = by_prefix(figs, "Taux de vacance")["data"][0]
    assert vacance["y"][0] == "Béthune" and vacance["x"][0] != aula["x"][0]
    for fig in figs.values():
        for trace in fig["data"]:
            if trace.get("type") != "bar":
                continue
            for x, text in zip(trace["x"], trace["text"]):
                if text in STATUTS:
                    assert x is None, (fig["layout"]["title"]["text"], text)
