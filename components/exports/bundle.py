""""Tout télécharger": one ZIP per territory with every chart (PNG and SVG), every table
(XLSX) and the fiche PDF. The same archive from the web page and from the command line."""
from __future__ import annotations

import io
import zipfile

from components.exports import fiche, image, tables
from components.exports.tables import slug
from components.exports.territory_charts import TerritoryChart

LISEZMOI = """Chiffres clés – {nom} ({code})
Réalisation : {agence}. Archive produite le {date}.

Pour chaque graphique : une image PNG (haute résolution), une image SVG (vectorielle,
modifiable) et un classeur XLSX (feuille « Données » et feuille « Sources » : source,
millésime, définition et licence de chaque indicateur).
{pdf}{demo}"""


def archive_name(nom: str) -> str:
    return f"chiffres-clefs_{slug(nom)}_tout.zip"


def chart_files(chart: TerritoryChart, with_images: bool = True) -> dict[str, bytes]:
    """The files of one chart, by file name."""
    m = chart.meta
    files = {tables.file_name(m, "csv"): tables.csv_bytes(chart.data, m),
             tables.file_name(m, "xlsx"): tables.xlsx_bytes(chart.data, m)}
    if with_images:
        files[tables.file_name(m, "png")] = image.png(chart.fig, m)
        files[tables.file_name(m, "svg")] = image.svg(chart.fig, m)
    return files


def bundle(code: str) -> tuple[str, bytes]:
    """(file name, ZIP bytes) for a territory. Without Chromium: tables only, and a note saying why."""
    f = fiche.collect(code)
    with_images = image.images_disponibles()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for chart in f.charts:
            for name, data in chart_files(chart, with_images).items():
                zf.writestr(name, data)
        pdf_note = ""
        if with_images:
            zf.writestr(fiche.file_name(f.nom), fiche.print_pdf(fiche.render_html(f)))
            pdf_note = "La fiche territoire (PDF, A4) résume le territoire sur deux pages.\n"
        else:
            pdf_note = image.INDISPONIBLE + "\n"
        demo = any(c.meta.demo for c in f.charts)
        zf.writestr("LISEZMOI.txt", LISEZMOI.format(
            nom=f.nom, code=f.code, agence=f.agence, date=f.produite_le.strftime("%d/%m/%Y"), pdf=pdf_note,
            demo="Certains graphiques contiennent des données de démonstration (signalées sur l'image).\n"
            if demo else ""))
    return archive_name(f.nom), buffer.getvalue()
