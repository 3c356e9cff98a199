"""Download buttons under a chart and for a whole territory.

Nothing is produced while the page runs: every button gets a callable that Streamlit
calls only when the user clicks (deferred download), and the bytes are kept in the shared
cache (`datasets.cache`: images keyed by a hash of the figure's JSON, fiche and archive by
territory and warehouse build), so a second click is instant."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
import hashlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.chart_meta import ChartMeta
from components.context import Context
from components.exports import bundle, fiche, image, tables
from datasets import cache

MIME = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf", "zip": "application/zip"}


_IMAGES = cache.Store("images", 64)  # content-addressed: the key is a hash of the figure
_FICHIERS = cache.Store("fiches", 12)  # fiche PDF and ZIP per territory and build


def _image_bytes(fig: go.Figure, meta: ChartMeta, fmt: str) -> bytes:
    """Rendered on click only; the figure is serialised then (not on every rerun) to key the cache."""
    key = (hashlib.sha256(fig.to_json().encode("utf-8")).hexdigest(), meta, fmt)
    return _IMAGES.get("", key, lambda: image.png(fig, meta) if fmt == "png" else image.svg(fig, meta))


def _fiche_bytes(code: str, build_id: str, progress=None) -> bytes:
    return _FICHIERS.get(build_id, ("pdf", code), lambda: fiche.fiche_pdf(code, progress))


def _bundle_bytes(code: str, build_id: str, progress=None) -> bytes:
    def compute() -> bytes:
        # a fiche built before is reused, and the archive's fiche then serves the PDF button
        name, data = bundle.bundle(code, progress, pdf=_FICHIERS.peek(build_id, ("pdf", code)))
        if _FICHIERS.peek(build_id, ("pdf", code)) is None:
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
                if pdfs:
                    pdf = zf.read(pdfs[0])
                    _FICHIERS.get(build_id, ("pdf", code), lambda: pdf)
        return data

    return _FICHIERS.get(build_id, ("zip", code), compute)


def chart_downloads(fig: go.Figure, data: pd.DataFrame, meta: ChartMeta, key: str) -> None:
    """PNG, SVG, CSV and XLSX buttons under a chart (images only when Chromium is available)."""
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        if image.images_disponibles():
            for fmt, label in (("png", "Image PNG"), ("svg", "Image SVG")):
                st.download_button(
                    label, data=functools.partial(_image_bytes, fig, meta, fmt),
                    file_name=tables.file_name(meta, fmt), mime=MIME[fmt], key=f"dl_{key}_{fmt}",
                    icon=":material/image:", on_click="ignore",
                    help=f"{label} avec titre, territoire, source et millésime",
                )
        st.download_button("Données CSV", data=functools.partial(tables.csv_bytes, data, meta),
                           file_name=tables.file_name(meta, "csv"), mime=MIME["csv"], key=f"dl_{key}_csv",
                           icon=":material/table:", on_click="ignore",
                           help="Séparateur « ; », virgule décimale : s'ouvre directement dans Excel")
        st.download_button("Données XLSX", data=functools.partial(tables.xlsx_bytes, data, meta),
                           file_name=tables.file_name(meta, "xlsx"), mime=MIME["xlsx"], key=f"dl_{key}_xlsx",
                           icon=":material/table_view:", on_click="ignore",
                           help="Classeur Excel avec une feuille « Sources » (définitions, millésimes, licence)")
    if not image.images_disponibles():
        st.caption(image.INDISPONIBLE)


def _prepared(label: str, build, done_label: str) -> bytes | None:
    """Build a file while showing its progress (`st.status` and a progress bar)."""
    with st.status(f"{label}…", expanded=True) as status:
        bar = st.progress(0.0, text="Préparation…")
        try:
            data = build(lambda x, text: bar.progress(min(max(float(x), 0.0), 1.0), text=text))
        except Exception:  # the visitor gets a French message, the log the traceback
            import logging

            logging.getLogger(__name__).exception("export failed")
            status.update(label=f"{label} : échec, réessayez dans un instant.", state="error")
            return None
        status.update(label=done_label, state="complete", expanded=False)
    return data


def territory_downloads(selection: Context) -> None:
    """Fiche territoire (PDF) and "Tout télécharger" (ZIP) for the selected territory.

    A file already built (per process, territory and warehouse build) is a download button
    at once; otherwise a first click builds it with its progress shown, then the download
    button appears (Streamlit cannot show progress inside a deferred download)."""
    version, code = selection.build_id, selection.code
    if image.images_disponibles():
        from components.exports import renderer

        renderer.warm()  # the browser that draws the PDF and images starts before the first click
    wanted = None
    with st.container(horizontal=True, gap="small", key=f"dlt_{code}"):
        for f in _TERRITORY_FILES:
            if f.kind == "pdf" and not image.images_disponibles():
                continue
            ready = _FICHIERS.peek(version, (f.kind, code))
            if ready is not None:
                _file_button(selection, f, ready)
            elif st.button(f.label, key=f"dlt_{code}_{f.kind}_go", icon=f.icon, help=f.prepare_help):
                wanted = f
    if wanted is not None:
        build = _fiche_bytes if wanted.kind == "pdf" else _bundle_bytes
        data = _prepared(wanted.preparing, lambda p: build(code, version, p), wanted.ready)
        if data is not None:
            _file_button(selection, wanted, data)
    if not image.images_disponibles():
        st.caption(image.INDISPONIBLE)


@dataclasses.dataclass(frozen=True)
class _TerritoryFile:
    kind: str  # "pdf" or "zip": the cache key and the MIME type
    label: str
    icon: str
    prepare_help: str
    preparing: str
    ready: str
    download_label: str
    download_help: str
    file_name: Callable[[str], str]


_TERRITORY_FILES = (
    _TerritoryFile("pdf", "Fiche territoire (PDF)", ":material/picture_as_pdf:",
                   "Prépare une synthèse imprimable (A4) : chiffres clés, graphiques, carte et sources ; quelques secondes",
                   "Préparation de la fiche territoire", "Fiche territoire prête", "Télécharger la fiche (PDF)",
                   "Une synthèse imprimable (A4) : chiffres clés, graphiques, carte et sources", fiche.file_name),
    _TerritoryFile("zip", "Tout télécharger (ZIP)", ":material/folder_zip:",
                   "Prépare une archive : tous les graphiques (PNG, SVG), leurs données (CSV, XLSX), la fiche PDF "
                   "et un fichier LISEZMOI ; quelques secondes",
                   "Préparation de l'archive", "Archive prête", "Télécharger l'archive (ZIP)",
                   "Tous les graphiques (PNG, SVG), leurs données (CSV, XLSX), la fiche PDF et un LISEZMOI",
                   bundle.archive_name),
)


def _file_button(selection, f: _TerritoryFile, data: bytes) -> None:
    st.download_button(f.download_label, data=data, file_name=f.file_name(selection.nom), mime=MIME[f.kind],
                       key=f"dlt_{selection.code}_{f.kind}", icon=f.icon, on_click="ignore", help=f.download_help)
