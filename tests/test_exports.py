"""Exports: every format is checked for its content (numbers, text, sizes), not only its existence.

Image and PDF tests need Debian's chromium and skip with a reason without it; the data
exports and the "no Chromium" fallback are tested everywhere. Territory-level exports run
on a small fake of `datasets.access` (tests/fixtures/exports/fake_access.py)."""
from __future__ import annotations

import csv
import importlib.util
import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pypdf import PdfReader

from components.chart_meta import ChartMeta, IndicatorFacts
from components.exports import image, tables
from datasets import access

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
_spec = importlib.util.spec_from_file_location("fake_access", FIXTURES / "fake_access.py")
fake_access = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake_access)

needs_chromium = pytest.mark.skipif(not image.images_disponibles(), reason="chromium absent: image/PDF exports untestable")

META = ChartMeta(
    titre="Taux de vacance des logements", territoire_code="62119", territoire_nom="Béthune",
    indicateur="part_logements_vacants", millesime=2021, source="Source : Insee, RP 2021 (géographie 2024)",
    demo=True, agence="Agence d'Urbanisme de l'Artois",
    indicateurs=(IndicatorFacts("part_logements_vacants", "Taux de vacance", "%", "Logements vacants / logements.",
                                "Insee, RP 2021", 2021, demo=True),),
)
DATA = pd.DataFrame({
    "code": ["62119", "62119", "2A004"], "nom": ["Béthune", "Béthune", "Ajaccio"],
    "millesime": [2015, 2021, 2021], "valeur": [10.25, 1234.5, None],
    "statut": [None, None, "secret"], "demo": [False, True, True],
})


def _fig() -> go.Figure:
    return go.Figure([go.Bar(x=["2015", "2021"], y=[10.25, 11.5], name="Béthune"),
                      go.Bar(x=["2015", "2021"], y=[9.0, 9.5], name="CABBALR")])


@pytest.fixture
def fake(monkeypatch):
    fake_access.install(monkeypatch, access)
    return fake_access


# ---------------------------------------------------------------- names and tables

def test_file_names_are_ascii_slugs():
    assert tables.slug("Béthune-Bruay, Artois Lys Romane") == "bethune-bruay-artois-lys-romane"
    assert tables.slug("Saint-Omer (Pas-de-Calais)") == "saint-omer-pas-de-calais"
    assert tables.file_name(META, "png") == "chiffres-clefs_bethune_part-logements-vacants_2021.png"


def test_csv_opens_in_french_excel_and_rereads_same_numbers():
    raw = tables.csv_bytes(DATA, META)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    blank = rows.index([])  # description block, one empty line, then the table
    assert rows[0] == ["Taux de vacance des logements"]
    block = dict(r for r in rows[1:blank])
    assert block["Territoire"] == "Béthune (62119)" and block["Millésime"] == "2021"
    assert block["Source"] == "Insee, RP 2021 (géographie 2024)" and block["Valeurs"] == "Taux de vacance (%)"
    assert block["Données de démonstration"].startswith("oui")
    rows = rows[blank + 1:]
    assert rows[0] == ["Code", "Territoire", "Millésime", "Taux de vacance (%)", "Statut", "Données de démonstration"]
    assert rows[1] == ["62119", "Béthune", "2015", "10,25", "", "non"]
    assert rows[3] == ["2A004", "Ajaccio", "2021", "", "secret statistique", "oui"]
    back = tables.read_csv(raw, dtype={"Code": str})
    assert back["Taux de vacance (%)"].tolist()[:2] == [10.25, 1234.5]
    assert back["Code"].tolist() == ["62119", "62119", "2A004"]


def test_xlsx_values_formats_and_sources_sheet():
    wb = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(DATA, META)))
    assert wb.sheetnames == ["Données", "Sources"]
    ws = wb["Données"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Territoire", "Millésime", "Taux de vacance (%)", "Statut", "Données de démonstration")
    assert rows[1:] == [("62119", "Béthune", 2015, 10.25, None, "non"), ("62119", "Béthune", 2021, 1234.5, None, "oui"),
                        ("2A004", "Ajaccio", 2021, None, "secret statistique", "oui")]
    assert ws["C2"].number_format == "0"  # a year, not "2 015"
    assert ws["D2"].number_format == '#,##0.0##" %"'  # a percentage (12.3 means 12,3 %), decimals unknown
    src = [r for r in wb["Sources"].iter_rows(values_only=True)]
    flat = [str(v) for r in src for v in r if v is not None]
    assert "Insee, RP 2021 (géographie 2024)" in flat
    assert "Données de démonstration" in flat  # the demo flag is visible
    facts = src[src.index(next(r for r in src if r[0] == "Indicateur")) + 1]
    assert facts[:7] == ("part_logements_vacants", "Taux de vacance", "%", "Logements vacants / logements.",
                         "Insee, RP 2021", 2021, "Licence Ouverte / Open Licence 2.0 (Etalab)")


# ---------------------------------------------------------------- images

def test_annotate_works_on_a_copy_and_carries_everything():
    fig = _fig()
    before = fig.to_json()
    out = image.annotate(fig, META)
    assert fig.to_json() == before
    texts = " ".join(a.text for a in out.layout.annotations)
    assert "Source : Insee, RP 2021" in texts and "Réalisation : Agence d'Urbanisme de l'Artois" in texts
    assert image.DEMO_TEXTE in texts
    assert "Taux de vacance des logements" in out.layout.title.text and "Béthune" in out.layout.title.text
    no_demo = image.annotate(fig, ChartMeta(**{**META.__dict__, "demo": False}))
    assert image.DEMO_TEXTE not in " ".join(a.text for a in no_demo.layout.annotations)


def _svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))


@needs_chromium
def test_png_decodes_at_twice_the_size():
    png = image.png(_fig(), META)
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.format == "PNG" and img.size == (image.WIDTH * 2, image.HEIGHT * 2)


@needs_chromium
def test_svg_parses_and_contains_title_source_territory_legend_badge():
    text = _svg_text(image.svg(_fig(), META))
    for expected in ("Taux de vacance des logements", "Béthune", "millésime 2021", "Source : Insee, RP 2021",
                     "Réalisation : Agence d'Urbanisme de l'Artois", "Données de démonstration", "CABBALR"):
        assert expected in text


@needs_chromium
def test_static_choropleth_exports_offline():
    """A plotly geo map renders without fetching plotly's world base map from the CDN."""
    from components import maps

    df = pd.DataFrame({"code": ["62119", "62160"], "nom": ["Béthune", "Bruay"], "valeur": [11.9, 9.0], "statut": [None, None]})
    fig = maps.static_choropleth(fake_access.geojson(), df, "Taux de vacance", "%", 1)
    meta = ChartMeta("Taux de vacance", "AULA", "Territoire de l'AULA", "part_logements_vacants", 2021,
                     "Source : Insee", agence="AULA")
    text = _svg_text(image.svg(fig, meta))
    assert "Territoire de l'AULA" in text and "11,9" in text  # class legend in French
    assert Image.open(io.BytesIO(image.png(fig, meta))).size == (2000, 1200)


def test_without_chromium_images_refuse_with_a_french_reason(monkeypatch):
    monkeypatch.setattr(image, "chromium_path", lambda: None)
    assert not image.images_disponibles()
    with pytest.raises(image.ImagesIndisponibles, match="Chromium"):
        image.png(_fig(), META)
    assert tables.csv_bytes(DATA, META)  # data exports still work


# ---------------------------------------------------------------- territory: charts, fiche, bundle, CLI

def test_territory_charts_from_access(fake):
    from components.exports.territory_charts import territory_charts

    charts = territory_charts("62119")
    assert [c.meta.indicateur for c in charts] == ["population", "ages", "occupation", "csp", "carte-localisation"]
    pop = charts[0]
    assert pop.data["valeur"].tolist() == [25400.0, 25600.0, 25650.0]
    assert pop.meta.millesime == 2022 and pop.meta.agence == "Agence d'Urbanisme de l'Artois"
    csp = charts[3]
    assert csp.meta.demo and not charts[1].meta.demo  # demo follows the data
    cadres = csp.data[(csp.data["code"] == "62119") & (csp.data["categorie"] == "Cadres")]["valeur"].item()
    assert cadres == pytest.approx(1500 / 21000 * 100)
    assert set(charts[4].data.loc[charts[4].data["selection"] == "oui", "code"]) == {"62119"}


@needs_chromium
def test_fiche_pdf_two_pages_with_name_and_key_figures(fake):
    from components.exports import fiche

    reader = PdfReader(io.BytesIO(fiche.fiche_pdf("62119")))
    assert len(reader.pages) == 2
    text = " ".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ").replace("\u202f", " ")
    text = " ".join(text.split())  # cells of the narrower columns wrap: « +1,0 % depuis / 2016 »
    # the unit of counts is written once after the label: « Population municipale (habitants) … 25 650 »
    for expected in ("Béthune", "Population municipale (habitants)", "25 650", "11,9 %", "17,4 %", "+1,0 % depuis 2016",
                     "Réalisation : Agence d'Urbanisme de l'Artois", "Données de démonstration"):
        assert expected in text
    assert reader.pages[0].mediabox.width == pytest.approx(595.92, abs=1)  # A4


# the fiche PDF and the locator map at the root, then one folder per theme page with every
# chart of that page (datasets/themes.toml; the fake knows only some of their indicators)
THEME_CHARTS = {
    "demographie": (("population", 2022), ("croissance-population", 2022), ("croissance-comparee-population", 2022),
                    ("ages", 2021)),
    "logement": (("occupation", 2021), ("comparaison-part-logements-vacants", 2021)),
    "economie": (("comparaison-taux-chomage", 2021), ("csp", 2021)),
}
EXPECTED_ZIP = {
    f"{folder}chiffres-clefs_bethune_{chart}_{year}.{ext}"
    for folder, charts in [("", (("carte-localisation", "tous-millesimes"),)),
                           *((f"{theme}/", charts) for theme, charts in THEME_CHARTS.items())]
    for chart, year in charts
    for ext in ("png", "svg", "csv", "xlsx")
} | {"chiffres-clefs_bethune_fiche-territoire.pdf", "LISEZMOI.txt"}


@needs_chromium
def test_bundle_lists_every_file_and_files_are_real(fake):
    from components.exports import bundle

    name, data = bundle.bundle("62119")
    assert name == "chiffres-clefs_bethune_tout.zip"
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert set(zf.namelist()) == EXPECTED_ZIP
    assert zf.read("demographie/chiffres-clefs_bethune_ages_2021.png").startswith(b"\x89PNG")
    assert "Population par tranche d'âge" in _svg_text(zf.read("demographie/chiffres-clefs_bethune_ages_2021.svg"))
    wb = openpyxl.load_workbook(io.BytesIO(zf.read("demographie/chiffres-clefs_bethune_population_2022.xlsx")))
    assert [r[3] for r in wb["Données"].iter_rows(min_row=2, values_only=True)] == [25400, 25600, 25650]
    assert zf.read("chiffres-clefs_bethune_fiche-territoire.pdf").startswith(b"%PDF")


def test_bundle_without_chromium_keeps_the_tables(fake, monkeypatch):
    from components.exports import bundle

    monkeypatch.setattr(image, "chromium_path", lambda: None)
    zf = zipfile.ZipFile(io.BytesIO(bundle.bundle("62119")[1]))
    assert set(zf.namelist()) == {n for n in EXPECTED_ZIP if n.endswith((".csv", ".xlsx"))} | {"LISEZMOI.txt"}
    assert "Chromium" in zf.read("LISEZMOI.txt").decode("utf-8")


@needs_chromium
def test_cli_writes_the_archive(fake, tmp_path, capsys):
    from components.exports.__main__ import main

    assert main(["--territoire", "62119", "--out", str(tmp_path), "--extraire"]) == 0
    assert (tmp_path / "chiffres-clefs_bethune_tout.zip").exists()
    out = tmp_path / "chiffres-clefs_bethune_tout"
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == EXPECTED_ZIP
    assert main(["--territoire", "99999", "--out", str(tmp_path)]) == 2
    assert "Territoire inconnu : 99999" in capsys.readouterr().err
