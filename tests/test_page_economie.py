"""Économie page on the real warehouse: the figures follow the selection, statuts are text.
(Filosofi incomes moved to their own theme page: tests/test_page_revenus.py.)"""
from pagetest import STATUTS, by_prefix, all_figures, every_section, run_page


def run(territoire=None):
    return run_page("economie", territoire)


def test_bethune_renders_and_differs():
    aula = all_figures(run())
    at = run("62119")
    assert not at.exception
    figs = all_figures(at)
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
