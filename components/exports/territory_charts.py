"""The one list of charts a territory's exports contain (fiche PDF and "Tout télécharger").

Built with the theme pages' builders (`components/charts.py`) from `datasets.access`, so
an exported chart looks like the one on screen. The locator map is drawn here: plain
filled polygons (no plotly geo base map, which kaleido would fetch from the network)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from components import charts, format as fmt
from components.chart_meta import ChartMeta
from datasets import access

AGES = {"pop_0014": "0 à 14 ans", "pop_1529": "15 à 29 ans", "pop_3044": "30 à 44 ans",
        "pop_4559": "45 à 59 ans", "pop_6074": "60 à 74 ans", "pop_75p": "75 ans ou plus"}
OCCUPATION = {"residences_principales": "Résidences principales",
              "residences_secondaires": "Résidences secondaires", "logements_vacants": "Logements vacants"}
CSP = {"csp_agriculteurs": "Agriculteurs exploitants", "csp_artisans": "Artisans, commerçants, chefs d'entreprise",
       "csp_cadres": "Cadres", "csp_intermediaires": "Professions intermédiaires", "csp_employes": "Employés",
       "csp_ouvriers": "Ouvriers", "csp_retraites": "Retraités", "csp_autres": "Autres sans activité"}
REFERENCE_LEVELS = ("epci", "territoire", "departement", "pays")
MAX_REFERENCES = 2


@dataclass(frozen=True)
class TerritoryChart:
    fig: go.Figure
    data: pd.DataFrame  # the table behind the chart (CSV/XLSX)
    meta: ChartMeta


def agence_nom() -> str:
    return charts.agence(access.build_info() or {})


def source_text(source_ids) -> str:
    from components.layout import source_text as layout_source_text

    return layout_source_text([s for s in source_ids if isinstance(s, str)])


def references(niveau: str, code: str) -> list[dict]:
    """The reference levels a chart compares with: the nearest ones, at most MAX_REFERENCES."""
    refs = [r for r in access.references(niveau, code) if r["niveau"] in REFERENCE_LEVELS]
    return refs[:MAX_REFERENCES]


def _catalogue_rows(ids) -> list[dict]:
    return [row for i in ids if (row := access.indicateur(i))]


def _meta(titre, sel: dict, chart_id: str, data: pd.DataFrame, ids, agence: str) -> ChartMeta:
    millesime = int(data["millesime"].max()) if "millesime" in data and data["millesime"].notna().any() else None
    demo = bool(data["demo"].fillna(False).any()) if "demo" in data else False
    source = source_text(dict.fromkeys(data["source_id"].dropna())) if "source_id" in data else ""
    return charts.meta(titre, sel["code"], sel["nom"], chart_id, millesime, source, demo,
                       indicateurs=_catalogue_rows(ids), agence=agence,
                       alt=f"{titre}, {sel['nom']}")


def _shares_chart(sel, refs, categories: dict, total: str, titre: str, chart_id: str, stacked: bool,
                  agence: str) -> TerritoryChart | None:
    ids = (*categories, total)
    terr = tuple((t["niveau"], t["code"]) for t in [sel, *refs])
    long = access.valeurs(ids, terr)
    if long.empty or long["valeur"].isna().all():
        return None
    shares = charts.parts(long, categories, total)
    fig = (charts.parts_empilees if stacked else charts.parts_groupees)(shares, titre=titre, categories=list(categories.values()))
    meta = _meta(titre, sel, chart_id, long, ids, agence)
    data = shares.merge(long.groupby("code", as_index=False).agg(millesime=("millesime", "max"), demo=("demo", "any")), on="code")
    return TerritoryChart(fig, data, meta)


def _population_chart(sel, agence: str) -> TerritoryChart | None:
    serie = access.serie("population", sel["niveau"], sel["code"])
    if serie.empty:
        return None
    titre = "Évolution de la population municipale"
    data = serie.assign(code=sel["code"], nom=sel["nom"])
    fig = charts.serie_temporelle(data, "habitants", 0, titre=titre)
    meta = _meta(titre, sel, "population", data, ["population"], agence)
    return TerritoryChart(fig, data[["code", "nom", "millesime", "valeur", "statut", "demo"]], meta)


def locator_map(geojson: dict, highlight: set[str], titre: str = "Localisation") -> go.Figure:
    """The territory's communes in light grey, the selected ones dark: readable in black and white."""
    fig = go.Figure()
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
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", hoverinfo="skip", showlegend=selected,
            name="Territoire sélectionné" if selected else "Autres communes",
            fillcolor="#1f3b73" if selected else "#e3e3e3", line={"color": "#ffffff" if selected else "#9a9a9a", "width": 0.6},
        ))
    ratio = 1 / math.cos(math.radians(lat0 or 50.5))  # degrees of longitude are shorter up north
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=ratio)
    fmt.french_layout(fig)
    fig.update_layout(title={"text": titre, "x": 0}, plot_bgcolor="white", height=420,
                      legend={"orientation": "h", "y": -0.02, "x": 0})
    return fig


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


def highlighted_codes(sel: dict) -> set[str]:
    if sel["niveau"] == "commune":
        return {sel["code"]}
    if sel["niveau"] == "territoire":
        return set(access.communes()["code"])
    return set(access.communes(sel["niveau"], sel["code"])["code"])


def _map_chart(sel, agence: str) -> TerritoryChart | None:
    geojson = access.geojson()
    if not geojson or not geojson.get("features"):
        return None
    codes = highlighted_codes(sel)
    titre = "Localisation"
    fig = locator_map(geojson, codes, titre)
    _name_selection(fig, sel["nom"])
    data = access.communes()[["code", "nom", "epci"]].assign(
        selection=lambda d: d["code"].isin(codes).map({True: "oui", False: "non"}))
    meta = charts.meta(titre, sel["code"], sel["nom"], "carte-localisation", None,
                       "Source : IGN, ADMIN EXPRESS-COG ; Insee, code officiel géographique", False,
                       agence=agence, alt=f"Carte situant {sel['nom']} parmi les communes du territoire")
    return TerritoryChart(fig, data, meta)


def territory_charts(code: str) -> list[TerritoryChart]:
    """Every chart of a territory, in the order of the fiche: population, ages, housing, CSP, map."""
    sel = access.territoire(code)
    if sel is None:
        raise ValueError(f"Territoire inconnu : {code}")
    sel = {"niveau": sel["niveau"], "code": sel["code"], "nom": sel["nom"]}
    agence = agence_nom()
    refs = references(sel["niveau"], sel["code"])
    built = [
        _population_chart(sel, agence),
        _shares_chart(sel, refs, AGES, "pop_recensement", "Population par tranche d'âge", "ages", False, agence),
        _shares_chart(sel, refs, OCCUPATION, "logements", "Catégories de logements", "logements", True, agence),
        _shares_chart(sel, refs, CSP, "pop_15p_csp", "Population de 15 ans ou plus par catégorie socioprofessionnelle",
                      "csp", False, agence),
        _map_chart(sel, agence),
    ]
    return [c for c in built if c is not None]
