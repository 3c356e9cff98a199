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
    logements = charts["occupation"]
    assert logements.meta.demo == bool(access.valeurs(("logements",), (("commune", "62119"),))["demo"].any())


def test_images_render_once_per_figure_and_meta(monkeypatch):
    import plotly.graph_objects as go

    from components import downloads
    from components.chart_meta import ChartMeta

    calls = []
    monkeypatch.setattr(downloads.image, "png", lambda fig, meta: calls.append(meta.titre) or b"png-bytes")
    from datasets import cache

    monkeypatch.setattr(downloads, "_IMAGES", cache.Store("test-images", 64))
    meta = ChartMeta("Titre", "62119", "Béthune", "population", 2023, "Source : Insee")
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    assert downloads._image_bytes(fig, meta, "png") == b"png-bytes"
    assert downloads._image_bytes(go.Figure(fig), meta, "png") == b"png-bytes"  # same content: cached
    assert calls == ["Titre"]
    downloads._image_bytes(go.Figure(go.Bar(x=[1], y=[3])), meta, "png")  # another figure: rendered
    assert calls == ["Titre", "Titre"]


def _territory_script():
    from types import SimpleNamespace

    from components.downloads import territory_downloads

    territory_downloads(SimpleNamespace(code="62119", nom="Béthune", niveau="commune", build_id="test"))


def test_territory_files_are_built_with_progress_then_downloaded(monkeypatch):
    """First click: a status with a progress bar while the file is built, then the download
    button; the archive reuses the fiche already built; next runs offer the files at once."""
    from components import downloads

    monkeypatch.setattr(downloads.image, "images_disponibles", lambda: True)
    monkeypatch.setattr(downloads, "_FICHIERS", downloads.cache.Store("fiches-test", 12))
    steps, reused = [], []

    def fake_pdf(code, progress=None):
        for x in (0.2, 0.6, 1.0):
            progress(x, f"étape {x}")
            steps.append(x)
        return b"%PDF-fake"

    def fake_bundle(code, progress=None, pdf=None):
        reused.append(pdf)
        progress(0.5, "Graphique 1/2")
        return "chiffres-clefs_bethune_tout.zip", b"PK-fake"

    monkeypatch.setattr(downloads.fiche, "fiche_pdf", fake_pdf)
    monkeypatch.setattr(downloads.bundle, "bundle", fake_bundle)
    at = AppTest.from_function(_territory_script).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Fiche territoire (PDF)", "Tout télécharger (ZIP)"]
    assert _labels(at) == []  # nothing built while the page runs
    at.button(key="dlt_62119_pdf_go").click().run()
    assert not at.exception and steps == [0.2, 0.6, 1.0]
    assert at.get("progress") and at.get("progress")[0].proto.value == 100  # the bar reached the end
    assert "Télécharger la fiche (PDF)" in _labels(at)
    at.button(key="dlt_62119_zip_go").click().run()
    assert reused == [b"%PDF-fake"]  # the fiche is not printed twice
    assert "Télécharger l'archive (ZIP)" in _labels(at)
    at.run()
    assert _labels(at) == ["Télécharger la fiche (PDF)", "Télécharger l'archive (ZIP)"]  # cached: at once
