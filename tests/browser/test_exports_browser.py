"""Clicking the download buttons of one page in a real browser: each file arrives with its
name and real content (PNG decodes, SVG parses, CSV for a French Excel, XLSX, PDF, ZIP)."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
from PIL import Image
from pypdf import PdfReader

from browser_helpers import wait_ready


def _download(page, button, timeout=120_000) -> tuple[str, bytes]:
    with page.expect_download(timeout=timeout) as info:
        button.click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def test_chart_and_territory_downloads(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(180_000)  # generous: the machine may be shared (no speed is asserted here)
    try:
        # Enter through the entry point (a deep link to /logement currently skips app.py's sidebar),
        # then go to the page through the navigation, as a user does.
        page.goto(f"{server}/?territoire=62119")
        wait_ready(page)
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Logement").click()
        page.wait_for_selector("h1:has-text('Logement')")
        wait_ready(page)
        main = page.locator('[data-testid="stMain"]')
        # the page opens on its first section (the counts); the charts are in the next tabs
        main.get_by_role("tab", name="Résidences principales, secondaires et logements vacants").click()
        main.locator(".js-plotly-plot").first.wait_for()
        wait_ready(page)
        # one closed « Données et téléchargements » control per chart: opened, it shows the table and the files
        main.locator('[data-testid="stExpander"] summary', has_text="Données et téléchargements").first.click()
        main.get_by_role("button", name="Données CSV").first.wait_for()
        files = {}
        for label in ("Image PNG", "Image SVG", "Données CSV", "Données XLSX"):
            name, data = _download(page, main.get_by_role("button", name=label).first)
            files[name.rsplit(".", 1)[1]] = (name, data)
        for ext, (name, _) in files.items():
            assert name.startswith("chiffres-clefs_bethune_") and name.endswith(f".{ext}")
        assert Image.open(io.BytesIO(files["png"][1])).size == (2000, 1200)
        svg_text = " ".join(ET.fromstring(files["svg"][1]).itertext())
        assert "Béthune" in svg_text and "Source" in svg_text
        csv = files["csv"][1]
        lines = csv.splitlines()  # description block, an empty line, then the table
        assert csv.startswith(b"\xef\xbb\xbf") and b";" in lines[lines.index(b"") + 1]
        assert openpyxl.load_workbook(io.BytesIO(files["xlsx"][1])).sheetnames == ["Données", "Sources"]

        sidebar = page.locator('[data-testid="stSidebar"]')
        # a first click builds the file with its progress shown, then the download button appears
        sidebar.get_by_role("button", name="Fiche territoire (PDF)").click()
        ready = sidebar.get_by_role("button", name="Télécharger la fiche (PDF)")
        ready.wait_for(timeout=120_000)
        assert sidebar.get_by_text("Fiche territoire prête").count() >= 1
        name, pdf = _download(page, ready)
        assert name == "chiffres-clefs_bethune_fiche-territoire.pdf"
        reader = PdfReader(io.BytesIO(pdf))
        # 18 key figures compared with three levels, then the charts: three A4 pages at most
        assert 1 <= len(reader.pages) <= 3 and "Béthune" in reader.pages[0].extract_text()
        sidebar.get_by_role("button", name="Tout télécharger (ZIP)").click()
        ready = sidebar.get_by_role("button", name="Télécharger l'archive (ZIP)")
        ready.wait_for(timeout=180_000)
        name, archive = _download(page, ready)
        assert name == "chiffres-clefs_bethune_tout.zip"
        names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
        assert "chiffres-clefs_bethune_fiche-territoire.pdf" in names
        assert sum(n.endswith(".png") for n in names) == sum(n.endswith(".svg") for n in names) >= 4
        assert sum(n.endswith(".csv") for n in names) == sum(n.endswith(".png") for n in names)
        assert "LISEZMOI.txt" in names
    finally:
        context.close()
