"""Revenus page (a theme of datasets/themes.toml) on the real warehouse: medians that
cannot be aggregated say so, secret cells are text, never zero."""
from pagetest import STATUTS, by_prefix, figures, run_page


def run(territoire=None):
    return run_page("revenus", territoire)


def test_default_territory_median_is_non_calculable_not_zero():
    at = run()
    assert not at.exception
    mediane = by_prefix(figures(at), "Médiane du niveau de vie")["data"][0]
    assert mediane["y"][0] == "Territoire de l'AULA"
    assert mediane["text"][0] == "non calculable" and mediane["x"][0] is None
    assert mediane["y"][-1] == "France"  # present, or says why it is not
    assert mediane["x"][-1] is None and mediane["text"][-1] in STATUTS or mediane["x"][-1] > 10_000


def test_secret_commune_shows_secret_statistique_not_zero():
    at = run("62137")  # Filosofi cells of this small commune are secret
    assert not at.exception
    figs = figures(at)
    for prefix in ("Médiane du niveau de vie", "Taux de pauvreté"):
        trace = by_prefix(figs, prefix)["data"][0]
        assert trace["text"][0] == "secret statistique" and trace["x"][0] is None
        assert "secret statistique" in [a["text"] for a in by_prefix(figs, prefix)["layout"]["annotations"]]
    tables = [t.value for t in at.dataframe]
    assert any("secret statistique" in df.to_string() for df in tables)


def test_page_has_its_sections_and_the_map_of_its_communes():
    at = run("62119")
    assert not at.exception
    assert [h.value for h in at.header] == ["Ménages fiscaux", "Niveau de vie et pauvreté", "Carte du niveau de vie"]
    assert len(at.get("deck_gl_json_chart")) == 1
