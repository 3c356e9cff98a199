"""Download buttons under a chart and for a whole territory.

Nothing is produced while the page runs: every button gets a callable that Streamlit
calls only when the user clicks (deferred download), and the bytes are kept in the shared
cache (`datasets.cache`: images keyed by a hash of the figure's JSON, fiche and archive by
territory and warehouse build), so a second click is instant."""
from __future__ import annotations

import functools
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


def _fiche_bytes(code: str, build_id: str) -> bytes:
    return _FICHIERS.get(build_id, ("pdf", code), lambda: fiche.fiche_pdf(code))


def _bundle_bytes(code: str, build_id: str) -> bytes:
    return _FICHIERS.get(build_id, ("zip", code), lambda: bundle.bundle(code)[1])


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


def territory_downloads(selection: Context) -> None:
    """Fiche territoire (PDF) and "Tout télécharger" (ZIP) for the selected territory."""
    version = selection.build_id
    with st.container(horizontal=True, gap="small", key=f"dlt_{selection.code}"):
        if image.images_disponibles():
            st.download_button(
                "Fiche territoire (PDF)", data=functools.partial(_fiche_bytes, selection.code, version),
                file_name=fiche.file_name(selection.nom), mime=MIME["pdf"],
                key=f"dlt_{selection.code}_pdf", icon=":material/picture_as_pdf:", on_click="ignore",
                help="Une synthèse imprimable (A4) : chiffres clés, graphiques, carte et sources",
            )
        st.download_button(
            "Tout télécharger (ZIP)", data=functools.partial(_bundle_bytes, selection.code, version),
            file_name=bundle.archive_name(selection.nom), mime=MIME["zip"],
            key=f"dlt_{selection.code}_zip", icon=":material/folder_zip:", on_click="ignore",
            help="Tous les graphiques (PNG et SVG), tous les tableaux (XLSX) et la fiche PDF",
        )
    if not image.images_disponibles():
        st.caption(image.INDISPONIBLE)
