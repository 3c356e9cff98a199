""""Tout télécharger": one ZIP per territory with the fiche PDF and its locator map at the
root, one folder per theme page (`datasets/themes.toml`) holding every chart of that page
(PNG and SVG images, CSV and XLSX data side by side), and a LISEZMOI.txt that lists and
explains every file. The same archive from the web page and from the command line.

Time: every image is sent at once to the process's warm browser
(`components/exports/renderer.py`), whose pages draw them side by side while Python writes
the CSV and XLSX files; the fiche's charts go first and the fiche is printed in a thread as
soon as they are drawn; a PDF already built (the page's cache) is reused."""
from __future__ import annotations

import io
import threading
import zipfile
from typing import Callable

from components.exports import fiche, image, tables
from components.exports.tables import slug
from components.exports.territory_charts import TerritoryChart, theme_chart_sets

Progress = Callable[[float, str], None]

LISEZMOI = """Chiffres clés – {nom} ({code})
Réalisation : {agence}. Archive produite le {date}.

CONTENU DE L'ARCHIVE
Un dossier par thème (les pages du site) contient chacun de ses graphiques ; la fiche PDF
et la carte de localisation sont à la racine.
{fichiers}

FORMATS
- PNG : image haute résolution (2000 × 1200 pixels) avec titre, territoire, millésime,
  source et réalisation, prête à coller dans une note.
- SVG : la même image en vectoriel (modifiable dans Inkscape, Illustrator, PowerPoint).
- CSV : pour Excel en français (séparateur « ; », virgule décimale, UTF-8).
  Les premières lignes décrivent le tableau (titre, territoire, unité des valeurs,
  millésime, source, réalisation) ; le tableau commence après la première ligne vide.
  Les valeurs y sont arrondies comme sur le site.
- XLSX : classeur Excel, feuille « Données » (valeurs en pleine précision, formats par
  unité) et feuille « Sources » (unité des valeurs, définition, source, millésime et
  licence de chaque indicateur).
{pdf}
Les lignes sans valeur (secret statistique, non disponible pour ce niveau…) ne sont pas
dessinées : une note « Non disponible : … » sous le graphique les nomme ; elles restent
dans les tableaux CSV et XLSX avec leur statut en toutes lettres.
Sécurité : un texte qui commence par =, +, -, @ (qu'un tableur prendrait pour une
formule) est précédé d'une apostrophe dans les CSV et enregistré comme texte dans les XLSX.
{demo}
Licence des données : Licence Ouverte / Open Licence 2.0 (Etalab), sauf mention contraire
dans la feuille « Sources » des classeurs.
"""
FORMATS = {"png": "image PNG", "svg": "image SVG", "csv": "données CSV", "xlsx": "données XLSX"}


def archive_name(nom: str) -> str:
    return f"chiffres-clefs_{slug(nom)}_tout.zip"


def chart_files(chart: TerritoryChart, with_images: bool = True) -> dict[str, bytes]:
    """The files of one chart, by file name: images, then the data next to them."""
    images = image.submit_images(chart.fig, chart.meta) if with_images else None
    return _files(chart, images)


def _files(chart: TerritoryChart, images) -> dict[str, bytes]:
    """The chart's files once its images (a future, or None) are rendered; the data files are
    written while the browser draws."""
    m = chart.meta
    data = {tables.file_name(m, "csv"): tables.csv_bytes(chart.data, m),
            tables.file_name(m, "xlsx"): tables.xlsx_bytes(chart.data, m)}
    if images is None:
        return data
    drawn = images.result(image.TIMEOUT_S)
    return {tables.file_name(m, "png"): drawn["png"], tables.file_name(m, "svg"): drawn["svg"], **data}


def _silent(fraction: float, text: str) -> None:
    pass


def lisezmoi(f: fiche.Fiche, names_by_chart: list[tuple[TerritoryChart, list[str]]], pdf_name: str | None) -> str:
    lines = []
    for chart, names in names_by_chart:
        m = chart.meta
        vintage = f" ({m.millesime})" if m.millesime and str(m.millesime) not in m.titre else ""
        demo = " – données de démonstration" if m.demo else ""
        lines.append(f"- {m.titre}{vintage}{demo}")
        for n in names:
            lines.append(f"    {n}  [{FORMATS.get(n.rsplit('.', 1)[-1], '')}]")
    if pdf_name:
        lines.append(f"- Fiche territoire (PDF, A4) : {pdf_name}")
    lines.append("- LISEZMOI.txt : ce fichier")
    pdf = ("- PDF : la fiche territoire, synthèse imprimable au format A4 (chiffres clés comparés,\n"
           "  graphiques, carte de localisation et sources).\n") if pdf_name else image.INDISPONIBLE + "\n"
    demo = any(c.meta.demo for c, _names in names_by_chart)
    return LISEZMOI.format(
        nom=f.nom, code=f.code, agence=f.agence, date=f.produite_le.strftime("%d/%m/%Y"),
        fichiers="\n".join(lines), pdf=pdf,
        demo="\nCertains graphiques contiennent des données de démonstration, signalées sur l'image,\n"
             "dans la colonne « Données de démonstration » des tableaux et dans la fiche : ce ne sont\n"
             "pas des données officielles.\n" if demo else "")


def bundle(code: str, progress: Progress | None = None, pdf: bytes | None = None) -> tuple[str, bytes]:
    """(file name, ZIP bytes) for a territory. Without Chromium: tables only, and a note saying why.

    `progress(fraction, text)` is called as the work goes; `pdf`: the fiche already built.
    Every image is sent to the renderer first (its pages draw them side by side) together
    with the fiche's charts; the CSV and XLSX files are written while they are drawn, and the
    fiche is printed in a thread as soon as its charts are ready."""
    progress = progress or _silent
    progress(0.01, "Chiffres clés et graphiques…")
    f = fiche.collect(code)
    with_images = image.images_disponibles()
    printed: dict[str, object] = {}
    printer = None
    if with_images and pdf is None:
        def print_it() -> None:
            try:
                printed["pdf"] = fiche.print_pdf(fiche.render_html(f))
            except Exception as exc:  # re-raised in the caller's thread
                printed["error"] = exc

        printer = threading.Thread(target=print_it, name="fiche-print", daemon=True)
        printer.start()  # its charts go to the renderer's queue before the archive's images
    elif pdf is not None:
        printed["pdf"] = pdf
    # the locator map at the root; the fiche's other charts are in their theme's folder; each
    # theme's images go to the renderer as soon as its charts are built
    placed = [("", c) for c in f.charts if c.meta.indicateur == "carte-localisation"]
    images = [image.submit_images(c.fig, c.meta) if with_images else None for _folder, c in placed]
    for theme, charts in theme_chart_sets(code):
        for c in charts:
            placed.append((f"{theme.url}/", c))
            images.append(image.submit_images(c.fig, c.meta) if with_images else None)
    progress(0.1, "Images en cours de dessin…")
    buffer = io.BytesIO()
    names_by_chart = []
    n = max(len(placed), 1)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, ((folder, chart), drawn) in enumerate(zip(placed, images), start=1):
            files = _files(chart, drawn)
            for name, data in files.items():
                # PNG and XLSX are compressed already: stored, not deflated a second time
                kind = zipfile.ZIP_STORED if name.endswith((".png", ".xlsx")) else zipfile.ZIP_DEFLATED
                zf.writestr(folder + name, data, compress_type=kind)
            names_by_chart.append((chart, [folder + name for name in files]))
            progress(0.1 + 0.83 * i / n, f"Graphique {i}/{n} : {chart.meta.titre}")
        pdf_name = None
        if with_images:
            if printer is not None:
                progress(0.95, "Impression de la fiche PDF…")
                printer.join()
                if "error" in printed:
                    raise printed["error"]  # type: ignore[misc]
            pdf_name = fiche.file_name(f.nom)
            zf.writestr(pdf_name, printed["pdf"])  # type: ignore[arg-type]
        zf.writestr("LISEZMOI.txt", lisezmoi(f, names_by_chart, pdf_name))
    progress(1.0, "Archive prête")
    return archive_name(f.nom), buffer.getvalue()
