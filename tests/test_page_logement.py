"""Logement page on the real warehouse: shares per territory, statut texts, selection."""
from pagetest import STATUTS, by_prefix, all_figures, every_section, run_page


def run(territoire=None):
    return run_page("logement", territoire)


def test_default_territory_renders():
    at = run()
    assert not at.exception
    figs = all_figures(at)
    occupation = by_prefix(figs, "Catégories de logements")
    assert [t["name"].replace("<br>", " ") for t in occupation["data"]] == [  # legend names wrap for phones
        "Résidences principales", "Résidences secondaires et logements occasionnels", "Logements vacants"]
    assert occupation["data"][0]["y"][0] == "Territoire de l'AULA"
    assert occupation["layout"]["barmode"] == "stack"


def test_bethune_differs_and_statuts_are_text_not_zero():
    aula = by_prefix(all_figures(run()), "Taux de vacance")["data"][0]
    at = run("62119")
    assert not at.exception
    figs = all_figures(at)
    vacance = by_prefix(figs, "Taux de vacance")["data"][0]
    assert vacance["y"][0] == "Béthune" and vacance["x"][0] != aula["x"][0]
    for fig in figs.values():
        for trace in fig["data"]:
            if trace.get("type") != "bar":
                continue
            for x, text in zip(trace["x"], trace["text"]):
                if text in STATUTS:
                    assert x is None, (fig["layout"]["title"]["text"], text)
