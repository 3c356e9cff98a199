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


def un_theme(tmp_path, sections: str):
    """A themes file of one theme whose sections are given (TOML, indented as in the tests)."""
    f = tmp_path / "themes.toml"
    f.write_text(textwrap.dedent("""
        [[theme]]
        id = "t"
        titre = "T"
        url = "t"
    """) + textwrap.dedent(sections), encoding="utf-8")
    return f


def test_a_duplicated_chart_is_refused(tmp_path):
    f = un_theme(tmp_path, """
          [[theme.section]]
          titre = "S"
          evolution = ["population"]
            [[theme.section.structure]]
            id = "population"
            titre = "x"
            categories = ["a"]
            total = "b"
    """)
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


@pytest.mark.parametrize("valeur", ["0", "-1", "true", '"2"', "1.5"])
def test_a_first_screen_that_is_not_a_positive_count_is_refused(tmp_path, valeur):
    f = un_theme(tmp_path, f"""
          [[theme.section]]
          titre = "S"
          premier_ecran = {valeur}
          evolution = ["population"]
    """)
    with pytest.raises(ValueError, match="premier_ecran doit être un entier"):
        themes.load(f)


def test_the_first_screen_count_is_read_and_defaults_to_one(tmp_path):
    f = un_theme(tmp_path, """
          [[theme.section]]
          titre = "Deux"
          premier_ecran = 2
          comparaison = ["densite", "part_moins_15"]
          [[theme.section]]
          titre = "Un"
          comparaison = ["densite"]
    """)
    assert [s.premier_ecran for s in themes.load(f)[0].sections] == [2, 1]


def _chart(i, titre=None):
    from components.chart_meta import ChartMeta
    from components.theme_charts import Chart

    return Chart(id=f"c{i}", fig=None, data=None, table=None, source_ids=(),
                 meta=ChartMeta(titre=titre or f"Graphique {i}", territoire_code="62119", territoire_nom="Béthune",
                                indicateur=f"c{i}", millesime=None, source="Source : essai"))


def test_the_first_screen_ends_with_its_last_chart_and_the_rest_follows():
    from components.sections import premier_ecran, suite_label
    from components.theme_charts import Message, Table

    table, message = Table(table=None, source_ids=(), demo=False), Message("rien")
    c1, c2, c3 = _chart(1), _chart(2), _chart(3)
    assert premier_ecran([table, c1, c2, message, c3], 1) == ([table, c1], [c2, message, c3])
    assert premier_ecran([table, c1, c2, message, c3], 2) == ([table, c1, c2], [message, c3])
    assert premier_ecran([c1, c2], 2) == ([c1, c2], [])
    assert premier_ecran([c1, table, message], 1) == ([c1, table, message], [])  # no chart follows: all shown
    assert premier_ecran([message], 1) == ([message], [])
    assert suite_label([c2]) == "Afficher le graphique suivant : « Graphique 2 »"
    assert suite_label([c2, message, c3]) == "Afficher les 2 graphiques suivants : « Graphique 2 », « Graphique 3 »"
    # a label is markdown: a title's characters are escaped, not read as formatting
    assert suite_label([_chart(4, "Part des *moins* de 15_ans ($)")]) == r"Afficher le graphique suivant : « Part des \*moins\* de 15\_ans (\$) »"
