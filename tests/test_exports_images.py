"""Images ready for a note (issue 12): horizontal value labels on stacked bars, rows without a
value named in a note instead of drawn, the selected commune outlined and named on exported
maps. SVG text is checked for position and rotation."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from components import charts, maps
from components.chart_meta import ChartMeta
from components.exports import image

needs_chromium = pytest.mark.skipif(not image.images_disponibles(), reason="chromium absent: image exports untestable")
META = ChartMeta("Catégories de logements", "62498", "Lens", "logements", 2021, "Source : Insee, RP 2021", agence="AULA")


def _texts(svg: bytes) -> list[tuple[str, str]]:
    """(text, transform of the element and its parents) of every SVG text."""
    root = ET.fromstring(svg)
    out = []

    def walk(el, transforms):
        t = transforms + [el.get("transform") or ""]
        if el.tag.endswith("text"):
            out.append(("".join(el.itertext()), " ".join(t)))
        for child in el:
            walk(child, t)

    walk(root, [])
    return out


def _shares() -> pd.DataFrame:
    rows = []
    for nom, vals in (("Lens", (94.6, 0.9, 4.5)), ("CA de Lens - Liévin", (91.1, 2.3, 6.6)),
                      ("Somme", (None, None, None))):
        for cat, v in zip(("Résidences principales", "Résidences secondaires", "Logements vacants"), vals):
            rows.append({"code": nom, "nom": nom, "categorie": cat, "valeur": v,
                         "statut": "hors_source" if v is None else None})
    return pd.DataFrame(rows)


def test_stacked_bars_label_thin_segments_beside_the_bar_and_skip_empty_rows():
    fig = charts.parts_empilees(_shares(), titre="Catégories de logements")
    assert all(t.textangle == 0 for t in fig.data)
    assert [list(t.y) for t in fig.data][0] == ["Lens", "CA de Lens - Liévin"]  # no Somme row
    assert list(fig.data[1].text) == ["", ""]  # 0,9 % and 2,3 %: too thin to hold their label...
    beside = " ".join(a.text for a in fig.layout.annotations)
    assert "0,9\u00a0%" in beside and "4,5\u00a0%" in beside and "6,6\u00a0%" in beside  # ... written beside
    assert fig.layout.meta["non_disponible"] == "Non disponible : Somme (non disponible pour ce niveau)"


@needs_chromium
def test_stacked_bar_svg_has_horizontal_labels_and_the_note():
    svg = image.svg(charts.parts_empilees(_shares(), titre="Catégories de logements"), META)
    texts = _texts(svg)
    for text, transform in texts:
        angles = [float(a) for a in re.findall(r"rotate\(\s*(-?[\d.]+)", transform)]
        assert all(a % 360 == 0 for a in angles), (text, transform)  # nothing turned
    joined = " ".join(t for t, _ in texts).replace("\u00a0", " ")
    for expected in ("94,6 %", "0,9 %", "4,5 %", "Non disponible : Somme", "Source : Insee, RP 2021"):
        assert expected in joined
    assert "Somme" not in [t for t, _ in texts if t == "Somme"]  # not an axis label: no empty row


@needs_chromium
def test_comparison_svg_names_missing_rows_under_the_chart():
    df = pd.DataFrame({"nom": ["Lens", "CA de Lens - Liévin", "France"], "valeur": [21.5, None, 14.5],
                       "statut": [None, "secret", None]})
    svg = image.svg(charts.barres_comparaison(df, "%", 1, titre="Taux de pauvreté"), META)
    texts = [t for t, _ in _texts(svg)]
    assert "CA de Lens - Liévin" not in texts  # no bar label for it
    assert any("Non disponible : CA de Lens - Liévin (secret statistique)" in t for t in texts)


def _geo():
    def sq(x, y, d=0.05):
        return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}

    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c, "nom": n}, "geometry": sq(2.7 + 0.05 * i, 50.4)}
        for i, (c, n) in enumerate((("62498", "Lens"), ("62510", "Liévin"), ("62413", "Harnes")))]}


def test_static_map_outlines_and_names_the_selected_commune():
    df = pd.DataFrame({"code": ["62498", "62510", "62413"], "nom": ["Lens", "Liévin", "Harnes"],
                       "valeur": [32920.0, 30000.0, 12000.0], "statut": [None] * 3})
    fig = maps.static_choropleth(_geo(), df, "Population", "habitants", 0)
    before = fig.to_json()
    out = image.annotate(fig, META)
    assert fig.to_json() == before  # the shared figure is untouched
    outline = [t for t in out.data if t.type == "choropleth" and list(t.locations) == ["62498"] and t.marker.line.width >= 2]
    assert outline and outline[-1].marker.line.color == maps.SELECTION_COLOUR
    label = [t for t in out.data if t.type == "scattergeo"]
    assert label and "Lens" in label[0].text[0]
    other = image.annotate(fig, ChartMeta("Population", "246200364", "CA de Lens - Liévin", "population", 2022, "Source"))
    assert len(other.data) == len(fig.data)  # an EPCI: the whole map is the selection, nothing added


@needs_chromium
def test_static_map_svg_names_the_commune():
    df = pd.DataFrame({"code": ["62498", "62510", "62413"], "nom": ["Lens", "Liévin", "Harnes"],
                       "valeur": [32920.0, 30000.0, 12000.0], "statut": [None] * 3})
    svg = image.svg(maps.static_choropleth(_geo(), df, "Population", "habitants", 0), META).decode()
    assert re.search(r">Lens<", svg)  # the label on the map
    assert "Lens (contour noir)" in svg  # and in the legend


@needs_chromium
@pytest.mark.parametrize("code", ["62498", "200072460"])
def test_exported_images_keep_every_text_inside_and_apart(code):
    """Each chart of the archive, rendered as the renderer draws the PNG/SVG (here to PDF, for
    poppler): no text past the image, no text over another (the unit over the tick labels,
    a note over the source), no word of the source or the note cut off."""
    import unicodedata
    from collections import Counter

    import pdf_layout as L
    from components.exports.territory_charts import territory_charts

    if not L.POPPLER:
        pytest.skip("poppler-utils absent")
    for c in territory_charts(code):
        pdf = image.render(image.annotate(c.fig, c.meta), "pdf", image.WIDTH, image.HEIGHT)
        pages, words = L.words(pdf)
        assert not L.outside(pages, words, 1), (c.meta.indicateur, [w.text for w in L.outside(pages, words, 1)])
        assert not L.overlaps(words), (c.meta.indicateur, [(a.text, b.text) for a, b in L.overlaps(words)])
        printed = Counter(unicodedata.normalize("NFKC", w.text.replace("&apos;", "'").replace("&amp;", "&"))
                          for w in words)  # NFKC: ligatures (« oﬃciel ») back to letters
        note = (c.fig.layout.meta or {}).get("non_disponible") if isinstance(c.fig.layout.meta, dict) else ""
        expected = Counter(f"{c.meta.source} {note or ''} {c.meta.territoire_nom}".replace("\u00a0", " ").split())
        missing = {w for w, n in expected.items() if printed[w] < n}
        assert not missing, (c.meta.indicateur, missing)
