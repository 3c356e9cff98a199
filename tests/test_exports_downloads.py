"""The download buttons (components/downloads.py) in a running Streamlit script, and the
data exports checked against the real warehouse."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest


def _chart_script():
    import pandas as pd
    import plotly.graph_objects as go

    from components.chart_meta import ChartMeta
    from components.downloads import chart_downloads

    meta = ChartMeta("Population municipale", "62119", "Béthune", "population", 2023, "Source : Insee", agence="AULA")
    data = pd.DataFrame({"millesime": [2022, 2023], "valeur": [25300.0, 25224.0]})
    chart_downloads(go.Figure(go.Bar(x=[2022, 2023], y=data["valeur"])), data, meta, key="pop")


def _labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_chart_buttons_for_every_format(monkeypatch):
    monkeypatch.setenv("CHIFFRES_CLEFS_CHROMIUM", "/usr/bin/chromium")
    from components.exports import image

    if not image.images_disponibles():
        pytest.skip("chromium absent")
    at = AppTest.from_function(_chart_script).run()
    assert not at.exception
    assert _labels(at) == ["Image PNG", "Image SVG", "Données CSV", "Données XLSX"]


def test_without_chromium_the_image_buttons_give_way_to_an_explanation(monkeypatch, tmp_path):
    monkeypatch.setenv("CHIFFRES_CLEFS_CHROMIUM", str(tmp_path / "pas-de-chromium"))
    at = AppTest.from_function(_chart_script).run()
    assert not at.exception
    assert _labels(at) == ["Données CSV", "Données XLSX"]
    assert any("Chromium" in c.value and "CSV et XLSX" in c.value for c in at.caption)


def test_exported_table_equals_the_warehouse():
    """XLSX of a real chart's data: the numbers are the warehouse's, unchanged."""
    from components.exports import tables
    from components.exports.territory_charts import territory_charts
    from datasets import access

    charts = {c.meta.indicateur: c for c in territory_charts("62119")}
    pop = charts["population"]
    wb = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(pop.data, pop.meta)))
    exported = pd.DataFrame(list(wb["Données"].iter_rows(min_row=2, values_only=True))).iloc[:, [2, 3]]
    serie = access.serie("population", "commune", "62119")
    assert exported[2].tolist() == serie["millesime"].astype(int).tolist()
    assert exported[3].tolist() == pytest.approx(serie["valeur"].round(6).tolist())
    back = tables.read_csv(tables.csv_bytes(pop.data, pop.meta))
    assert back["Population municipale (habitants)"].tolist() == pytest.approx(serie["valeur"].round(0).tolist())
    logements = charts["logements"]
    assert logements.meta.demo == bool(access.valeurs(("logements",), (("commune", "62119"),))["demo"].any())


def test_images_render_once_per_figure_and_meta(monkeypatch):
    import plotly.graph_objects as go

    from components import downloads
    from components.chart_meta import ChartMeta

    calls = []
    monkeypatch.setattr(downloads.image, "png", lambda fig, meta: calls.append(meta.titre) or b"png-bytes")
    monkeypatch.setattr(downloads, "_images", type(downloads._images)())
    meta = ChartMeta("Titre", "62119", "Béthune", "population", 2023, "Source : Insee")
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    assert downloads._image_bytes(fig, meta, "png") == b"png-bytes"
    assert downloads._image_bytes(go.Figure(fig), meta, "png") == b"png-bytes"  # same content: cached
    assert calls == ["Titre"]
    downloads._image_bytes(go.Figure(go.Bar(x=[1], y=[3])), meta, "png")  # another figure: rendered
    assert calls == ["Titre", "Titre"]
