"""Revenus page (a theme of datasets/themes.toml) on the real warehouse: medians that
cannot be aggregated say so, secret cells are text, never zero."""
from pagetest import by_prefix, all_figures, every_section, run_page


def run(territoire=None):
    return run_page("revenus", territoire)


def test_default_territory_median_is_non_calculable_not_zero():
    at = run()
    assert not at.exception
    fig = by_prefix(all_figures(at), "Médiane du niveau de vie")
    mediane, note = fig["data"][0], fig["layout"]["meta"]["non_disponible"]
    # a value that cannot be computed gets no bar (never a zero): the note under the chart says why
    assert "Territoire de l'AULA" not in mediane["y"]
    assert note.startswith("Non disponible : ") and "Territoire de l'AULA" in note and "non calculable" in note
    assert note in fig["layout"]["xaxis"]["title"]["text"].replace("<br>", " ").replace("<i>", "").replace("</i>", "") \
        or "Territoire de l'AULA" in fig["layout"]["xaxis"]["title"]["text"]
    assert (mediane["y"] and mediane["y"][-1] == "France" and mediane["x"][-1] > 10_000) or "France" in note  # or says why


def test_secret_commune_shows_secret_statistique_not_zero():
    at = run("62143")  # real Filosofi 2019 (embedded): the cells of this small commune are secret
    assert not at.exception
    tables = " ".join(str(h.proto.body) for h in at.get("html"))  # the first section: the households table
    assert "<td>secret statistique</td>" in tables
    figs = all_figures(at)
    for prefix in ("Médiane du niveau de vie", "Taux de pauvreté"):
        fig = by_prefix(figs, prefix)
        assert all(x is not None for x in fig["data"][0]["x"])  # no empty or zero bar for the secret cell
        assert "secret statistique" in fig["layout"]["meta"]["non_disponible"]


def test_page_has_its_sections_and_the_map_of_its_communes():
    at = run("62119")
    assert not at.exception
    assert every_section(at)[0] == ["Ménages fiscaux", "Niveau de vie et pauvreté", "Carte du niveau de vie"]
    assert len(at.get("deck_gl_json_chart")) == 1
