"""Choropleth maps of the communes: quantile classes, colour-blind-safe palette,
an interactive pydeck deck for the page and a static plotly figure for exports."""
from __future__ import annotations

import json
from html import escape as html_escape
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.colors as pcolors
import plotly.graph_objects as go
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from components import format as fmt

LAYER_ID = "communes"
NO_DATA_RGB = (200, 200, 200)
NO_DATA_LABEL = "Non disponible"


def classes(values, n: int = 5) -> list[float]:
    """Quantile class edges [min, ..., max]; fewer classes when values repeat."""
    arr = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce").dropna().to_numpy()
    if arr.size == 0:
        return []
    edges = np.quantile(arr, np.linspace(0, 1, max(1, n) + 1))
    out: list[float] = []
    for e in edges:
        e = float(e)
        if not out or e > out[-1]:
            out.append(e)
    if len(out) == 1:
        out.append(out[0])
    return out


def palette(n: int) -> list[tuple[int, int, int]]:
    """n colours from viridis, light (low) to dark (high): readable without colour vision."""
    if n <= 0:
        return []
    scale = pcolors.sequential.Viridis[::-1]
    if n == 1:
        samples = pcolors.sample_colorscale(scale, [0.5])
    else:
        samples = pcolors.sample_colorscale(scale, [i / (n - 1) for i in range(n)])
    return [tuple(int(round(float(c))) for c in s[s.index("(") + 1 : -1].split(",")) for s in samples]


def classe_index(x, edges: list[float]) -> int | None:
    """Index of the class holding x (classes are closed on the right, first closed on both)."""
    if x is None or len(edges) < 2:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(x):
        return None
    for i in range(1, len(edges)):
        if x <= edges[i]:
            return i - 1
    return len(edges) - 2


def legend(edges: list[float], unite: str = "", decimales: int = 1) -> list[tuple[str, tuple[int, int, int]]]:
    """[("12,0 – 15,3 %", rgb), ...] for each class."""
    colours = palette(len(edges) - 1)
    items = []
    for i, rgb in enumerate(colours):
        lo = fmt.nombre(edges[i], decimales)
        hi = fmt.valeur(edges[i + 1], unite, decimales)
        items.append((f"{lo} – {hi}", rgb))
    return items


def colour_features(geojson: dict, df: pd.DataFrame, unite: str = "", decimales: int = 1, n: int = 5) -> dict:
    """A copy of the GeoJSON whose features carry the class colour and the French value text.

    `df` has columns code, valeur and optionally statut; this join is what pages cache."""
    edges = classes(df["valeur"], n)
    colours = palette(len(edges) - 1) if edges else []
    by_code = {str(r["code"]): r for r in df.to_dict("records")}
    out = {"type": "FeatureCollection", "features": []}
    for feat in geojson.get("features", []):
        # new feature and properties dicts; the geometry is shared, never modified
        feat = {**feat, "properties": dict(feat.get("properties") or {})}
        props = feat["properties"]
        row = by_code.get(str(props.get("code")), {})
        val = row.get("valeur")
        idx = classe_index(val, edges)
        rgb = colours[idx] if idx is not None else NO_DATA_RGB
        props["fill"] = [*rgb, 210]
        props["valeur"] = None if idx is None else float(val)
        props["valeur_texte"] = fmt.valeur(val, unite, decimales, row.get("statut"))
        out["features"].append(feat)
    return out


def _bounds(geojson: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feat in geojson.get("features", []):
        walk((feat.get("geometry") or {}).get("coordinates", []))
    if not xs:
        return (2.0, 50.0, 3.0, 51.0)
    return min(xs), min(ys), max(xs), max(ys)


def view_state(geojson: dict, width_px: int = 760, height_px: int = 480) -> pdk.ViewState:
    """Centre and zoom that fit the communes in a map of about width_px × height_px."""
    x0, y0, x1, y1 = _bounds(geojson)
    lat = (y0 + y1) / 2
    lon_span = max(x1 - x0, 0.005)
    lat_span = max((y1 - y0) / math.cos(math.radians(lat)), 0.005)  # Web Mercator stretch
    zoom = math.log2(min(width_px * 360 / (512 * lon_span), height_px * 360 / (512 * lat_span)))
    return pdk.ViewState(longitude=(x0 + x1) / 2, latitude=lat, zoom=max(1.0, min(13.0, zoom)))


# The map must not trap the page's scroll: the wheel scrolls the page (zoom with the + and −
# buttons or a double click), and on a phone the map only takes touches once the visitor
# asked to explore it (see `components.carte_interactive`).
CONTROLLER = {"scrollZoom": False, "dragPan": True, "dragRotate": False, "touchRotate": False,
              "touchZoom": True, "doubleClickZoom": True, "keyboard": True}
FIT_WIDTH_PX = 280  # the first view shows every commune even on a 320-px-wide phone (288 px inside the margins)
OUTLINE_LAYER_ID = "selection"
LABEL_LAYER_ID = "noms"


def deck_choropleth(coloured_geojson: dict, libelle: str = "", height: int = 520) -> pdk.Deck:
    """Interactive map of a GeoJSON coloured by `colour_features`; no basemap (no network)."""
    layer = pdk.Layer(
        "GeoJsonLayer",
        data=coloured_geojson,
        id=LAYER_ID,
        pickable=True,
        stroked=True,
        filled=True,
        auto_highlight=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.6,
        # the borders are not picked: picking the path sub-layer on pointer-down took ~300 ms
        # on software-rendered WebGL, longer than deck.gl's 250-ms tap, and the click was lost
        _subLayerProps={"polygons-stroke": {"pickable": False}},
    )
    tooltip = {
        "html": "<b>{nom}</b><br/>" + (f"{libelle} : " if libelle else "") + "{valeur_texte}",
        "style": {"backgroundColor": "#1f2937", "color": "white", "fontSize": "14px"},
    }
    return pdk.Deck(
        layers=[layer],
        initial_view_state=view_state(coloured_geojson, width_px=FIT_WIDTH_PX, height_px=height - 60),
        views=[pdk.View(type="MapView", controller=CONTROLLER)],
        map_provider=None,
        map_style=None,
        tooltip=tooltip,
        height=height,
    )


def deck_spec(deck: pdk.Deck) -> str:
    """The deck's JSON, as `deck.to_json()` gives it but without indentation: the same
    document, about 4.5 times smaller (0.64 MB instead of 2.86 MB for 892 communes), written
    by the C encoder (pydeck indents, which forces json's pure-Python encoder: ~0.35 s)."""
    return json.dumps(deck, sort_keys=True, default=default_serialize, separators=(",", ":"))


class SpecDeck(pdk.Deck):
    """A deck whose JSON spec was serialised beforehand (`deck_spec`): what
    `st.pydeck_chart` reads of a Deck is `to_json()`, the tooltip and the (empty) layers."""

    def __init__(self, spec: str, tooltip: dict | None = None):
        super().__init__(layers=[], map_provider=None, map_style=None, tooltip=tooltip)
        self._spec = spec

    def to_json(self) -> str:
        return self._spec


@dataclass(frozen=True)
class Carte:
    """Everything about one commune map that depends neither on the session nor on the
    rerun, built once and shared read-only by every session (exports annotate a copy)."""
    donnees: pd.DataFrame  # access.carte(): code, nom, valeur, statut, demo...
    spec: str  # the deck, serialised
    tooltip: dict
    static: go.Figure  # the same map for the exports
    edges: list
    legende: str  # HTML swatches (legend_markdown)
    table: pd.DataFrame  # the French text table under the map
    communes: int  # weight in the shared cache (components/theme_charts.py)

    def deck(self, overlay: list[pdk.Layer] | None = None) -> SpecDeck:
        """The shared deck, with `overlay` layers (the selected commune, names) drawn on top:
        their small JSON is spliced into the cached spec instead of serialising it again."""
        if not overlay:
            return SpecDeck(self.spec, self.tooltip)
        end = self.spec.rfind('],"views":[')  # end of the top-level layers (keys are sorted)
        if end < 0:
            raise ValueError("deck spec without views: cannot add layers")
        extra = ",".join(json.dumps(layer, sort_keys=True, default=default_serialize, separators=(",", ":"))
                         for layer in overlay)
        return SpecDeck(f"{self.spec[:end]},{extra}{self.spec[end:]}", self.tooltip)


def build_carte(geojson: dict, df: pd.DataFrame, libelle: str, titre: str, unite: str = "", decimales: int = 1,
                height: int = 520) -> Carte:
    """The deck spec, the static figure, the legend and the table of one map of `df`'s communes."""
    geo = subset(geojson, df["code"])
    deck = deck_choropleth(colour_features(geo, df, unite, decimales), libelle, height)
    edges = classes(df["valeur"])
    legende = legend_markdown(legend(edges, unite, decimales), bool(df["valeur"].isna().any()))
    table = pd.DataFrame({"Commune": df["nom"], "Code": df["code"],
                          libelle: [fmt.valeur(v, unite, decimales, s) for v, s in
                                    zip(df["valeur"], df["statut"] if "statut" in df else [None] * len(df))]})
    return Carte(df, deck_spec(deck), deck._tooltip, static_choropleth(geo, df, titre, unite, decimales), edges,
                 legende, table, len(df))


def selected_code(event) -> str | None:
    """The commune code picked on the deck, from `st.pydeck_chart(..., on_select=...)`."""
    try:
        objets = event["selection"]["objects"].get(LAYER_ID) or []
    except (KeyError, TypeError, AttributeError):
        return None
    for obj in objets:
        props = obj.get("properties", obj) if isinstance(obj, dict) else {}
        code = props.get("code")
        if code:
            return str(code)
    return None


def outline_layer(geojson: dict, code: str | None) -> pdk.Layer | None:
    """A thick dark outline around one commune (the selected one), not pickable."""
    feats = subset(geojson, [code])["features"] if code else []
    if not feats:
        return None
    return pdk.Layer("GeoJsonLayer", data={"type": "FeatureCollection", "features": feats}, id=OUTLINE_LAYER_ID,
                     pickable=False, stroked=True, filled=False, get_line_color=[17, 17, 17],
                     line_width_min_pixels=3)


def label_layer(labels: pd.DataFrame) -> pdk.Layer | None:
    """Names on the map (columns nom, lon, lat; `selection` True makes it bold and larger)."""
    labels = labels.dropna(subset=["lon", "lat"])
    if labels.empty:
        return None
    chosen = labels["selection"] if "selection" in labels else pd.Series(False, index=labels.index)
    data = [{"nom": str(n), "position": [round(float(x), 5), round(float(y), 5)], "taille": 15 if c else 12}
            for n, x, y, c in zip(labels["nom"], labels["lon"], labels["lat"], chosen)]
    # deck.gl draws ASCII only unless told to prepare the characters of the data (Béthune);
    # pydeck reads an unquoted string as an expression, a quoted one as text
    return pdk.Layer("TextLayer", data=data, id=LABEL_LAYER_ID, pickable=False, get_text="nom",
                     get_position="position", get_size="taille", get_color=[17, 17, 17],
                     character_set='"auto"', font_family='"Source Sans Pro, Arial, sans-serif"',
                     font_weight=600, background=True, get_background_color=[255, 255, 255, 215],
                     background_padding=[3, 1])


def static_choropleth(geojson: dict, df: pd.DataFrame, titre: str, unite: str = "", decimales: int = 1, n: int = 5) -> go.Figure:
    """Same classes and colours as the deck, as a plotly figure with a class legend (exports)."""
    edges = classes(df["valeur"], n)
    items = legend(edges, unite, decimales) if edges else []
    data = df.assign(code=df["code"].astype(str))
    data["classe"] = [classe_index(v, edges) for v in data["valeur"]]
    data["texte"] = [
        fmt.valeur(v, unite, decimales, s)
        for v, s in zip(data["valeur"], data["statut"] if "statut" in data else [None] * len(data))
    ]
    noms = data["nom"] if "nom" in data else data["code"]
    data["nom_"] = noms
    fig = go.Figure()
    groups = [(i, lab, rgb) for i, (lab, rgb) in enumerate(items)] + [(None, NO_DATA_LABEL, NO_DATA_RGB)]
    for idx, lab, rgb in groups:
        part = data[data["classe"].isna()] if idx is None else data[data["classe"] == idx]
        if part.empty:
            continue
        colour = "rgb({},{},{})".format(*rgb)
        fig.add_trace(
            go.Choropleth(
                geojson=subset(geojson, part["code"]),  # each feature once in the figure
                featureidkey="properties.code",
                locations=part["code"],
                z=[1] * len(part),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                showlegend=True,
                name=lab,
                marker={"line": {"color": "white", "width": 0.5}},
                customdata=np.stack([part["nom_"], part["texte"]], axis=-1),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            )
        )
    fig.update_geos(fitbounds="locations", visible=False)
    fmt.french_layout(fig)
    fig.update_layout(title={"text": titre}, legend={"title": {"text": unite or ""}})
    return fig


SELECTION_COLOUR = "#000000"


def highlight_static(spec: dict, code: str, nom: str) -> dict:
    """Outline and name the commune `code` on a `static_choropleth` figure given as a plain
    dict, in place (exports call it on their copy). Nothing when the commune is not on the
    map (an EPCI's map shows its communes: the whole map is the selection)."""
    feature = None
    for trace in spec.get("data", []):
        if trace.get("type") != "choropleth" or not trace.get("geojson"):
            continue
        for f in trace["geojson"].get("features", []):
            if str(f.get("properties", {}).get("code")) == str(code):
                feature = f
                break
        if feature:
            break
    if feature is None:
        return spec
    x0, y0, x1, y1 = _bounds({"features": [feature]})
    one = {"type": "FeatureCollection", "features": [feature]}
    for colour, width, legend in (("#ffffff", 6, False), (SELECTION_COLOUR, 2.5, True)):  # black on a white halo
        spec["data"].append({
            "type": "choropleth", "geojson": one, "featureidkey": "properties.code", "locations": [str(code)],
            "z": [0], "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
            "marker": {"line": {"color": colour, "width": width}}, "name": f"{nom} (contour noir)",
            "showlegend": legend, "hoverinfo": "skip",
        })
    spec["data"].append({
        "type": "scattergeo", "lon": [(x0 + x1) / 2], "lat": [y1], "mode": "text",
        "text": [f"<b>{html_escape(str(nom))}</b>"], "textposition": "top center", "showlegend": False,
        "hoverinfo": "skip",
        "textfont": {"size": 16, "color": SELECTION_COLOUR, "shadow": "1px 1px 2px #fff, -1px -1px 2px #fff"},
    })
    return spec


def subset(geojson: dict, codes) -> dict:
    """Only the features of the given commune codes (the map of an EPCI, a grouping...)."""
    keep = {str(c) for c in codes}
    return {"type": "FeatureCollection", "features": [f for f in geojson.get("features", []) if str(f.get("properties", {}).get("code")) in keep]}


def legend_markdown(items: list[tuple[str, tuple[int, int, int]]], no_data: bool = False) -> str:
    """HTML swatches for the legend (the text carries the information; colour only helps)."""
    if no_data:
        items = [*items, (NO_DATA_LABEL, NO_DATA_RGB)]
    spans = [
        f'<span style="display:inline-block;margin:0 .8em .3em 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:1em;height:1em;vertical-align:-.15em;'
        f'border:1px solid #666;background:rgb({r},{g},{b})"></span> {lab}</span>'
        for lab, (r, g, b) in items
    ]
    return "".join(spans)
