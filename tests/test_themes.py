"""The theme pages as data (datasets/themes.toml): the file is consistent with the catalogue,
and a theme page shows only what the warehouse holds, without error."""
from __future__ import annotations

import csv
import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from components import navigation, themes

ROOT = themes.FILE.parents[1]


def catalogue_ids() -> set[str]:
    with open(ROOT / "datasets" / "catalogue.csv", encoding="utf-8") as f:
        return {r["indicateur"] for r in csv.DictReader(f, delimiter=";")}


def test_every_theme_is_a_page_with_a_unique_url():
    urls = [p.url for p in navigation.PAGES]
    assert len(urls) == len(set(urls))
    assert [p.theme.id for p in navigation.PAGES if p.theme] == [t.id for t in themes.THEMES]
    assert {"demographie", "logement", "economie", "revenus", "naissances_etablissements"} <= {t.id for t in themes.THEMES}


@pytest.mark.parametrize("theme", themes.THEMES, ids=lambda t: t.id)
def test_ids_are_all_in_the_catalogue_or_none_yet(theme):
    """A typo in an id would silently hide a chart: a theme's ids are all known to the
    catalogue, or none is (its data is not added yet)."""
    known = catalogue_ids()
    absent = [i for i in theme.indicateurs if i not in known]
    assert absent == [] or len(absent) == len(theme.indicateurs), absent


def test_a_duplicated_chart_is_refused(tmp_path):
    f = tmp_path / "themes.toml"
    f.write_text(textwrap.dedent("""
        [[theme]]
        id = "t"
        titre = "T"
        url = "t"
          [[theme.section]]
          titre = "S"
          evolution = ["population"]
            [[theme.section.structure]]
            id = "population"
            titre = "x"
            categories = ["a"]
            total = "b"
    """), encoding="utf-8")
    with pytest.raises(ValueError, match="graphique en double"):
        themes.load(f)


def _page_of_a_partly_built_theme():
    from components import context, sections, themes as th

    theme = th.Theme("essai", "Essai", "essai", "", sections=(
        th.Section("Présente", comparaison=("densite", "pas_encore_charge"), evolution=("pas_non_plus",)),
        th.Section("Absente", chiffres=("inconnu_1", "inconnu_2")),
    ))
    sections.theme_page(context.build("62119"), theme)


def test_indicators_not_in_the_warehouse_are_skipped_without_error():
    at = AppTest.from_function(_page_of_a_partly_built_theme, default_timeout=60).run()
    assert not at.exception
    assert [h.value for h in at.header] == ["Présente"]  # a section with nothing to show is left out
    assert len(at.get("plotly_chart")) == 1
