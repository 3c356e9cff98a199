"""Économie page on the real warehouse: medians that cannot be aggregated say so,
secret cells are text, and the figures follow the selection."""
from pagetest import STATUTS, by_prefix, figures, run_page


def run(territoire=None):
    return run_page("economie", territoire)


def test_default_territory_median_is_non_calculable_not_zero():
    at = run()
    assert not at.exception
    fig = by_prefix(figures(at), "Médiane du niveau de vie")
    mediane, note = fig["data"][0], fig["layout"]["meta"]["non_disponible"]
    # a value that cannot be computed gets no bar (never a zero): the note under the chart says why
    assert "Territoire de l'AULA" not in mediane["y"]
    assert note.startswith("Non disponible : ") and "Territoire de l'AULA" in note and "non calculable" in note
    assert note in fig["layout"]["xaxis"]["title"]["text"].replace("<br>", " ").replace("<i>", "").replace("</i>", "") \
        or "Territoire de l'AULA" in fig["layout"]["xaxis"]["title"]["text"]
    assert (mediane["y"] and mediane["y"][-1] == "France" and mediane["x"][-1] > 10_000) or "France" in note  # or says why


def test_secret_commune_shows_secret_statistique_not_zero():
    at = run("62137")  # Filosofi cells of this small commune are secret
    assert not at.exception
    figs = figures(at)
    for prefix in ("Médiane du niveau de vie", "Taux de pauvreté"):
        fig = by_prefix(figs, prefix)
        assert all(x is not None for x in fig["data"][0]["x"])  # no empty or zero bar for the secret cell
        assert "secret statistique" in fig["layout"]["meta"]["non_disponible"]
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
