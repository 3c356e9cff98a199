"""The charts a territory's exports contain: those `datasets/themes.toml` marks for the fiche
(plus the locator map), and every chart of every theme page for "Tout télécharger".

Built by the theme pages' own builders (`components/theme_charts.py`) from one context
(`components/context.py`), so an exported chart is the one on screen and the reference
levels follow the one rule of the context. The locator map is drawn here: plain filled
polygons (no plotly geo base map, which plotly.js would fetch from the network)."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from components import charts, context, theme_charts, themes
from components.theme_charts import Chart
from datasets import access, niveaux

TerritoryChart = Chart  # the exports' name for a chart with its data and metadata


def agence_nom() -> str:
    return context.agence_nom(access.build_info() or {})


source_text = theme_charts.source_text


def references(niveau: str, code: str) -> list[dict]:
    """The reference levels the fiche compares with: the context's short references."""
    return [r.as_dict() for r in context.build(code).references_courtes]


def locator_map(geojson: dict, highlight: set[str], titre: str = "Localisation") -> go.Figure:
    """The territory's communes in light grey, the selected ones dark: readable in black and white.

    Built as a plain spec (like `components.charts`): validating its ~30 000 coordinates
    through plotly's graph objects was the largest cost of a fiche."""
    data = []
    lat0 = None
    for selected in (False, True):
        xs: list = []
        ys: list = []
        for feature in geojson.get("features", []):
            if (feature["properties"].get("code") in highlight) != selected:
                continue
            geom = feature["geometry"]
            polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
            for polygon in polygons:
                ring = polygon[0]
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
        if ys and lat0 is None:
            lat0 = sum(y for y in ys if y is not None) / sum(1 for y in ys if y is not None)
        data.append({
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself", "hoverinfo": "skip",
            "showlegend": selected, "name": "Territoire sélectionné" if selected else "Autres communes",
            "fillcolor": "#1f3b73" if selected else "#e3e3e3",
            "line": {"color": "#ffffff" if selected else "#9a9a9a", "width": 0.6},
        })
    ratio = 1 / math.cos(math.radians(lat0 or 50.5))  # degrees of longitude are shorter up north
    layout = charts.layout_francais(**{
        "title": {"text": titre, "x": 0}, "plot_bgcolor": "white", "height": 420,
        "legend": {"orientation": "h", "y": -0.02, "x": 0},
        "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": ratio}})
    return charts.figure_spec(data, layout)


def _name_selection(fig: go.Figure, nom: str) -> None:
    """The selected territory named in the legend and, above its shape, on the map."""
    selected = [t for t in fig.data if t.showlegend]
    if not selected:
        return
    t = selected[0]
    t.name = nom
    xs = [x for x in t.x if x is not None]
    ys = [y for y in t.y if y is not None]
    if xs and ys:
        fig.add_trace(go.Scatter(x=[(min(xs) + max(xs)) / 2], y=[max(ys)], mode="text", text=[f"<b>{nom}</b>"],
                                 textposition="top center", showlegend=False, hoverinfo="skip",
                                 textfont={"size": 14, "color": "#1f3b73"}, cliponaxis=False))


def highlighted_codes(ctx: context.Context) -> set[str]:
    if ctx.est_plus_fin:
        return {ctx.code}
    if ctx.niveau == niveaux.ENSEMBLE:
        return set(access.communes()["code"])
    return set(access.communes(ctx.niveau, ctx.code)["code"])


def _map_chart(ctx: context.Context) -> Chart | None:
    geojson = access.geojson()
    if not geojson or not geojson.get("features"):
        return None
    codes = highlighted_codes(ctx)
    titre = "Localisation"
    fig = locator_map(geojson, codes, titre)
    _name_selection(fig, ctx.nom)
    data = access.communes()[["code", "nom", "epci"]].assign(
        selection=lambda d: d["code"].isin(codes).map({True: "oui", False: "non"}))
    meta = charts.meta(titre, ctx.code, ctx.nom, "carte-localisation", None,
                       "Source : IGN, ADMIN EXPRESS-COG ; Insee, code officiel géographique", False,
                       agence=ctx.agence, alt=f"Carte situant {ctx.nom} parmi les communes du territoire")
    return Chart("carte-localisation", fig, data, data, meta, ())


def territory_charts(code: str) -> list[Chart]:
    """The charts of the fiche, in its order: those the themes file marks, then the map."""
    ctx = context.build(code)
    carte = _map_chart(ctx)
    return theme_charts.fiche_charts(ctx, themes.THEMES) + ([carte] if carte is not None else [])


def theme_chart_sets(code: str):
    """Every chart of every theme page for a territory, theme by theme (themes with none left
    out); a generator, each theme built when asked for (the archive sends a theme's images to
    the renderer while the next theme is built)."""
    ctx = context.build(code)
    for t in themes.THEMES:
        charts_ = theme_charts.theme_charts(ctx, t)
        if charts_:
            yield t, charts_
