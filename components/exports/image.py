"""Charts as images ready for a note: title, territory, source, vintage, agency and the
demonstration badge are drawn INSIDE the image, then the process's warm browser
(`components/exports/renderer.py`) renders PNG and SVG from one drawing of the figure.

The annotated copy is built on the figure's plain dict (`annotated_spec`): copying a plotly
figure through its graph objects validated every value again (1.7 s for the 35 charts of a
commune's archive, ~50 ms a chart)."""
from __future__ import annotations

import concurrent.futures as cf
import copy
import html
import os
import re
import shutil
import textwrap
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
TIMEOUT_S = 120  # waiting for one image: a stuck browser is an error, not a hung session
FOOTER_CHARS = 125  # characters of a footer line at 12 px in a 1000 px image

class ImagesIndisponibles(RuntimeError):
    """No Chromium: image and PDF exports cannot be produced (data exports still can)."""

    def __init__(self) -> None:
        super().__init__(INDISPONIBLE)


def chromium_path() -> Path | None:
    """The browser that draws the images and prints the PDF: $CHIFFRES_CLEFS_CHROMIUM, else chromium on PATH."""
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


def _spec(fig) -> dict:
    """A deep copy of a figure as a plain {"data", "layout"} dict (the shared template is not copied)."""
    if isinstance(fig, dict):
        return {"data": copy.deepcopy(list(fig.get("data", []))), "layout": copy.deepcopy(dict(fig.get("layout", {})))}
    return fig.to_dict()


def _has_legend(fig) -> bool:
    """Whether the figure (plotly figure or plain dict) shows a legend."""
    spec = fig if isinstance(fig, dict) else {"data": [t.to_plotly_json() for t in fig.data],
                                             "layout": {"showlegend": fig.layout.showlegend}}
    data, layout = spec.get("data", []), spec.get("layout", {})
    if layout.get("showlegend") is False:
        return False
    shown = [t for t in data if t.get("showlegend") is not False]
    return len(shown) > 1 or layout.get("showlegend") is True or any(t.get("showlegend") for t in data)


LEGEND_ON_TOP = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yref": "paper", "yanchor": "bottom",
                 "title": {"text": ""}, "traceorder": "normal"}


def legend_on_top(spec: dict) -> dict:
    """Legend between the title and the plot: under the plot it would run into the source."""
    if _has_legend(spec):
        _merge(spec["layout"].setdefault("legend", {}), copy.deepcopy(LEGEND_ON_TOP))
    return spec


def _merge(dst: dict, src: dict) -> dict:
    from components.charts import _merge as merge

    return merge(dst, src)


def axes(layout: dict, letter: str) -> list[dict]:
    """The layout's x (or y) axes, as plotly's `update_xaxes` reaches them (the first always)."""
    layout.setdefault(f"{letter}axis", {})
    return [v for k, v in layout.items() if re.fullmatch(f"{letter}axis[0-9]*", k) and isinstance(v, dict)]


def annotated_spec(fig, meta: ChartMeta) -> dict:
    """A COPY of `fig`, as a plain dict, carrying everything a pasted image needs; the page's
    figure is untouched."""
    out = _spec(fig)
    data, layout = out["data"], out["layout"]
    if any(t.get("type") == "choropleth" for t in data):
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
    own_right = (layout.get("margin") or {}).get("r") or 0
    _merge(layout, {
        "title": {
            "text": f"<b>{_esc(meta.titre)}</b><br><span style='font-size:15px'>{_esc(subtitle)}</span>",
            "x": 0.015, "xanchor": "left", "xref": "container",
            "y": 0.95, "yanchor": "top", "yref": "container",
        },
        # the figure's own right margin is kept when larger (labels written beside stacked bars)
        "margin": {"t": top, "b": bottom, "l": MARGIN_LEFT, "r": max(30, own_right)},
        "paper_bgcolor": "white",
    })
    # tick labels and axis titles push the margins (never printed over each other)
    for axis in axes(layout, "x") + axes(layout, "y"):
        axis["automargin"] = True
    footer = [f"<i>{line}</i>" for line in note_lines] + source_lines
    if meta.agence:
        footer.append(f"Réalisation : {_esc(meta.agence)}")
    annotations = layout.setdefault("annotations", [])
    annotations.append({
        # Right-aligned: the plot's right edge is fixed, its left edge moves with long labels.
        "text": "<br>".join(footer), "xref": "paper", "yref": "paper", "x": 1, "y": 0,
        "yshift": -bottom + 8, "xanchor": "right", "yanchor": "bottom", "showarrow": False,
        "align": "right", "font": {"size": 12, "color": "#333333"},
    })
    if meta.demo:
        annotations.append({
            "text": f"<b>{DEMO_TEXTE}</b>", "xref": "paper", "yref": "paper", "x": 1, "y": 1,
            "yshift": top - 12, "xanchor": "right", "yanchor": "top", "showarrow": False,
            "font": {"size": 13, "color": "#7a2e00"}, "bgcolor": "#ffe9cc",
            "bordercolor": "#7a2e00", "borderwidth": 1.5, "borderpad": 4,
        })
    return out


def annotate(fig, meta: ChartMeta):
    """`annotated_spec` as a plotly figure (for callers that read its attributes)."""
    from components.charts import figure_spec

    spec = annotated_spec(fig, meta)
    return figure_spec(spec["data"], spec["layout"])


def _check() -> None:
    if not images_disponibles():
        raise ImagesIndisponibles()


def render(fig, fmt: str, width: int = WIDTH, height: int = HEIGHT, scale: float = 1) -> bytes:
    """Raw rendering of an already-annotated figure ("png", "svg", or "pdf": the SVG on a
    page of its size printed by Chromium, text kept as text, for layout checks)."""
    from components.exports import renderer

    _check()
    if fmt == "pdf":
        svg = renderer.render(fig, width, height, ("svg",))["svg"].decode("utf-8")
        page = (f"<!doctype html><html><head><style>@page {{ size: {int(width)}px {int(height)}px; margin: 0 }}"
                f" body {{ margin: 0 }} svg {{ display: block }}</style></head><body>{svg}</body></html>")
        return renderer.print_pdf(page)
    return renderer.render(fig, width, height, (fmt,), scale)[fmt]


def submit_svg(spec, width: int, height: int) -> cf.Future:
    """The SVG of an already-prepared figure, in the background: the future gives {"svg": bytes}."""
    from components.exports import renderer

    _check()
    return renderer.submit(spec, width, height, ("svg",))


def submit_images(fig, meta: ChartMeta) -> cf.Future:
    """PNG (2000 × 1200) and SVG of the annotated chart, from one drawing, in the background:
    the future gives {"png": bytes, "svg": bytes}."""
    from components.exports import renderer

    _check()
    return renderer.submit(annotated_spec(fig, meta), WIDTH, HEIGHT, ("png", "svg"), SCALE)


def png(fig, meta: ChartMeta, width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE) -> bytes:
    return render(annotated_spec(fig, meta), "png", width, height, scale)


def svg(fig, meta: ChartMeta, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    return render(annotated_spec(fig, meta), "svg", width, height)
