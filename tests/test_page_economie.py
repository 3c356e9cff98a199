"""Économie page on the real warehouse: medians that cannot be aggregated say so,
secret cells are text, and the figures follow the selection."""
from pagetest import STATUTS, by_prefix, figures, run_page


def run(territoire=None):
    return run_page("economie", territoire)


def test_default_territory_median_is_non_calculable_not_zero():
    at = run()
    assert not at.exception
    mediane = by_prefix(figures(at), "Médiane du niveau de vie")["data"][0]
    assert mediane["y"][0] == "Territoire de l'AULA"
    assert mediane["text"][0] == "non calculable" and mediane["x"][0] is None
    assert mediane["y"][-1] == "France"  # present, or says why it is not
    assert mediane["x"][-1] is None and mediane["text"][-1] in STATUTS or mediane["x"][-1] > 10_000


def test_secret_commune_shows_secret_statistique_not_zero():
    at = run("62143")  # every Filosofi 2019 cell of this small commune is secret (real data, datasets/embedded)
    assert not at.exception
    figs = figures(at)
    for prefix in ("Médiane du niveau de vie", "Taux de pauvreté"):
        trace = by_prefix(figs, prefix)["data"][0]
        assert trace["text"][0] == "secret statistique" and trace["x"][0] is None
        assert "secret statistique" in [a["text"] for a in by_prefix(figs, prefix)["layout"]["annotations"]]
    tables = [t.value for t in at.dataframe]
    assert any("secret statistique" in df.to_string() for df in tables)


def test_bethune_renders_and_differs():
    aula = figures(run())
    at = run("62119")
    assert not at.exception
    figs = figures(at)
    chomage = by_prefix(figs, "Taux de chômage")["data"][0]
    assert chomage["y"][0] == "Béthune"
    assert chomage["x"][0] != by_prefix(aula, "Taux de chômage")["data"][0]["x"][0]
    csp = by_prefix(figs, "Population de 15 ans ou plus par catégorie")
    assert csp["data"][0]["name"] == "Béthune" and len(csp["data"][0]["y"]) == 8
    for fig in figs.values():
        for trace in fig["data"]:
            for x, text in zip(trace.get("x") or [], trace.get("text") or []):
                if text in STATUTS:
                    assert x is None, (fig["layout"]["title"]["text"], text)
