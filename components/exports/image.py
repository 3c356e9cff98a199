"""Charts as images ready for a note: title, territory, source, vintage, agency and the
demonstration badge are drawn INSIDE the image, then kaleido renders PNG or SVG.

One warm kaleido browser per process (~0.2 s per image instead of ~2 s), started lazily
and shared by every Streamlit session behind a lock (kaleido's sync server is not safe
for concurrent callers: results would be mixed up)."""
from __future__ import annotations

import functools
import html
import json
import os
import shutil
import tempfile
import textwrap
import threading
from pathlib import Path

import plotly.graph_objects as go

from components.chart_meta import ChartMeta

# Explanation shown instead of the image buttons when no browser can render images.
INDISPONIBLE = (
    "Les téléchargements en image (PNG, SVG) et la fiche PDF sont indisponibles sur ce "
    "serveur : le navigateur Chromium nécessaire à leur production n'est pas installé. "
    "Les données restent téléchargeables en CSV et XLSX."
)
DEMO_TEXTE = "Données de démonstration"
WIDTH, HEIGHT, SCALE = 1000, 600, 2  # PNG: 2000 x 1200 pixels, sharp when printed
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, LEGEND_HEIGHT = 100, 115, 70, 40
FOOTER_CHARS = 125  # characters of a footer line at 12 px in a 1000 px image

_lock = threading.Lock()
_started = False


class ImagesIndisponibles(RuntimeError):
    """No Chromium: image and PDF exports cannot be produced (data exports still can)."""

    def __init__(self) -> None:
        super().__init__(INDISPONIBLE)


def chromium_path() -> Path | None:
    """The browser kaleido and the PDF printer use: $CHIFFRES_CLEFS_CHROMIUM, else chromium on PATH."""
    candidate = os.environ.get("CHIFFRES_CLEFS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    path = Path(candidate)
    return path if path.is_file() and os.access(path, os.X_OK) else None


def images_disponibles() -> bool:
    return chromium_path() is not None


def _esc(text: str) -> str:
    """Plotly reads a small HTML subset in text: escape what a name could contain."""
    return html.escape(str(text), quote=False)


def vintage_text(meta: ChartMeta) -> str:
    return f"millésime {meta.millesime}" if meta.millesime else ""


def _has_legend(fig: go.Figure) -> bool:
    if fig.layout.showlegend is False:
        return False
    shown = [t for t in fig.data if t.showlegend is not False]
    return len(shown) > 1 or fig.layout.showlegend is True or any(t.showlegend for t in fig.data)


def legend_on_top(fig: go.Figure) -> go.Figure:
    """Legend between the title and the plot: under the plot it would run into the source."""
    if _has_legend(fig):
        fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yref": "paper",
                                  "yanchor": "bottom", "title": {"text": ""}, "traceorder": "normal"})
    return fig


def annotate(fig: go.Figure, meta: ChartMeta) -> go.Figure:
    """A COPY of `fig` carrying everything a pasted image needs; the page's figure is untouched."""
    out = go.Figure(fig)
    if any(t.type == "choropleth" for t in out.data):
        from components.maps import highlight_static

        highlight_static(out, meta.territoire_code, meta.territoire_nom)  # the selected commune, outlined and named
    from components.charts import retirer_note

    note = retirer_note(out)  # rows without a value: named in the footer, above the source
    top = MARGIN_TOP
    if _has_legend(out):
        legend_on_top(out)
        top += LEGEND_HEIGHT
    # footer lines wrapped to the image width (a long source line would run off its left edge)
    note_lines = textwrap.wrap(_esc(note), FOOTER_CHARS) if note else []
    source_lines = textwrap.wrap(_esc(meta.source), FOOTER_CHARS) or [""]
    bottom = MARGIN_BOTTOM + 17 * (len(note_lines) + len(source_lines) - 1)
    subtitle = " – ".join(t for t in (meta.territoire_nom, vintage_text(meta)) if t)
    out.update_layout(
        title={
            "text": f"<b>{_esc(meta.titre)}</b><br><span style='font-size:15px'>{_esc(subtitle)}</span>",
            "x": 0.015, "xanchor": "left", "xref": "container",
            "y": 0.95, "yanchor": "top", "yref": "container",
        },
        # the figure's own right margin is kept when larger (labels written beside stacked bars)
        margin={"t": top, "b": bottom, "l": MARGIN_LEFT, "r": max(30, fig.layout.margin.r or 0)},
        paper_bgcolor="white",
    )
    # tick labels and axis titles push the margins (never printed over each other)
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    footer = [f"<i>{line}</i>" for line in note_lines] + source_lines
    if meta.agence:
        footer.append(f"Réalisation : {_esc(meta.agence)}")
    out.add_annotation(
        # Right-aligned: the plot's right edge is fixed, its left edge moves with long labels.
        text="<br>".join(footer), xref="paper", yref="paper", x=1, y=0,
        yshift=-bottom + 8, xanchor="right", yanchor="bottom", showarrow=False,
        align="right", font={"size": 12, "color": "#333333"},
    )
    if meta.demo:
        out.add_annotation(
            text=f"<b>{DEMO_TEXTE}</b>", xref="paper", yref="paper", x=1, y=1,
            yshift=top - 12, xanchor="right", yanchor="top", showarrow=False,
            font={"size": 13, "color": "#7a2e00"}, bgcolor="#ffe9cc",
            bordercolor="#7a2e00", borderwidth=1.5, borderpad=4,
        )
    return out


@functools.cache
def _topojson_url() -> str:
    """Empty base maps for plotly's geo subplots (choropleths of our own GeoJSON).

    plotly.js otherwise fetches world_110m.json from cdn.plot.ly, which fails offline;
    our maps hide the base map anyway (`visible=False`), so empty layers are enough."""
    folder = Path(tempfile.mkdtemp(prefix="chiffres-clefs-topojson-"))
    empty = {"type": "GeometryCollection", "geometries": []}
    topology = {"type": "Topology", "arcs": [], "bbox": [-180, -90, 180, 90],
                "objects": {name: empty for name in ("coastlines", "land", "ocean", "lakes", "rivers",
                                                     "countries", "subunits")}}
    for scope in ("world", "usa", "europe", "asia", "africa", "north-america", "south-america"):
        for resolution in (110, 50):
            (folder / f"{scope}_{resolution}m.json").write_text(json.dumps(topology))
    return folder.as_uri() + "/"


def _ensure_server() -> None:
    """Start kaleido's warm browser once per process (caller holds the lock)."""
    global _started
    if _started:
        return
    import kaleido

    path = chromium_path()
    if path is None:
        raise ImagesIndisponibles()
    # mathjax=False: kaleido would otherwise load MathJax from a CDN (no network at the agency).
    kaleido.start_sync_server(path=str(path), mathjax=False, silence_warnings=True)
    _started = True


def render(fig: go.Figure, fmt: str, width: int = WIDTH, height: int = HEIGHT, scale: float = 1) -> bytes:
    """Raw kaleido rendering of an already-annotated figure ("png", "svg" or "pdf")."""
    if not images_disponibles():
        raise ImagesIndisponibles()
    import kaleido

    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    with _lock:
        _ensure_server()
        data = kaleido.calc_fig_sync(fig.to_dict(), opts=opts, topojson=_topojson_url())
    return data if isinstance(data, bytes) else bytes(data)


def png(fig: go.Figure, meta: ChartMeta, width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE) -> bytes:
    return render(annotate(fig, meta), "png", width, height, scale)


def svg(fig: go.Figure, meta: ChartMeta, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    return render(annotate(fig, meta), "svg", width, height)
