"""Pure plotly builders for the agency's 2018 work programme
(`access.programme()`: one row per dossier, columns of
`datasets/partners/README.md`). French numbers, colour-blind-safe colours;
dossiers concerning a territory can be highlighted, the others greyed."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from components import format as fmt

GRIS = "#D9D9D9"  # dossiers not concerning the highlighted territory
HAUTEUR_LIGNE = 28


def jours_texte(x: float) -> str:
    """37.5 -> "37,5 jours", 1856 -> "1 856 jours"."""
    x = float(x)
    return f"{fmt.nombre(x, 0 if x.is_integer() else 1)} jours"


def concerne(df: pd.DataFrame, codes: Iterable[str] | None) -> pd.Series:
    """True for dossiers whose `territoires` names one of `codes` (pass the
    commune with its EPCI, grouping and `AULA` to include shared work)."""
    wanted = set(codes or ())
    return df["territoires"].fillna("").map(lambda t: bool(wanted & set(t.split("|"))))


def _couleurs_axes(axes) -> dict:
    return {a: fmt.COLORWAY[i % len(fmt.COLORWAY)] for i, a in enumerate(sorted(axes))}


def sunburst_jours(df: pd.DataFrame, surligner: Iterable[str] | None = None, titre: str = "") -> go.Figure:
    """Days by axis -> section -> dossier. With `surligner` (territory codes),
    dossiers that do not concern them are grey."""
    couleurs = _couleurs_axes(df["axe"].unique())
    marque = concerne(df, surligner) if surligner else pd.Series(True, index=df.index)
    ids, labels, parents, values, colors, hover = [], [], [], [], [], []
    for axe, g_axe in df.groupby("axe", sort=True):
        a_id = f"axe{axe}"
        ids.append(a_id), labels.append(f"Axe {axe}"), parents.append("")
        values.append(float(g_axe["jours"].sum())), colors.append(couleurs[axe])
        hover.append(f"{g_axe['axe_libelle'].iloc[0]}<br>{jours_texte(g_axe['jours'].sum())}")
        for section, g_sec in g_axe.groupby("section", sort=True):
            s_id = f"{a_id}/{section}"
            ids.append(s_id), labels.append(section), parents.append(a_id)
            values.append(float(g_sec["jours"].sum())), colors.append(couleurs[axe])
            hover.append(f"{section}<br>{jours_texte(g_sec['jours'].sum())}")
            for idx, row in g_sec.iterrows():
                ids.append(str(row["id"])), labels.append(_court(row["dossier"])), parents.append(s_id)
                values.append(float(row["jours"]))
                colors.append(couleurs[axe] if marque[idx] else GRIS)
                hover.append(f"{row['dossier']}<br>{jours_texte(row['jours'])}<br>{row['correspondant']}")
    fig = go.Figure(go.Sunburst(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        marker={"colors": colors}, hovertext=hover, hoverinfo="text", insidetextorientation="radial",
    ))
    fmt.french_layout(fig)
    fig.update_layout(title={"text": titre, "x": 0}, margin={"t": 40, "l": 0, "r": 0, "b": 0})
    return fig


def _court(titre: str, n: int = 40) -> str:
    return titre if len(titre) <= n else titre[: n - 1].rstrip() + "…"


def _barres(labels: list[str], valeurs: list[float], couleurs: list[str], hover: list[str], titre: str) -> go.Figure:
    fig = go.Figure(go.Bar(
        x=valeurs, y=labels, orientation="h", marker={"color": couleurs},
        text=[jours_texte(v) for v in valeurs], textposition="auto",
        hovertext=hover, hoverinfo="text",
    ))
    fmt.french_layout(fig)
    fig.update_layout(title={"text": titre, "x": 0}, height=120 + HAUTEUR_LIGNE * len(labels),
                      yaxis={"autorange": "reversed"}, xaxis={"title": {"text": "jours"}})
    return fig


def barres_correspondants(df: pd.DataFrame, surligner: Iterable[str] | None = None, titre: str = "") -> go.Figure:
    """Days by correspondant, largest first. With `surligner`, only the days
    of dossiers concerning those territories are counted."""
    d = df[concerne(df, surligner)] if surligner else df
    g = d.groupby("correspondant")["jours"].agg(["sum", "size"]).reset_index()
    g = g.sort_values(["sum", "correspondant"], ascending=[False, True])
    hover = [f"{c}<br>{jours_texte(s)} · {n} dossier{'s' if n > 1 else ''}" for c, s, n in g.itertuples(index=False)]
    return _barres(g["correspondant"].tolist(), [float(v) for v in g["sum"]],
                   [fmt.COLORWAY[0]] * len(g), hover, titre)


def barres_territoires(df: pd.DataFrame, noms: dict[str, str] | None = None,
                       surligner: Iterable[str] | None = None, titre: str = "") -> go.Figure:
    """Days of the dossiers concerning each territory code. A dossier counts
    for every territory it names, so the bars do not add up to the total."""
    noms = noms or {}
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for t, j in zip(df["territoires"].fillna(""), df["jours"]):
        for code in filter(None, t.split("|")):
            sums[code] = sums.get(code, 0.0) + float(j)
            counts[code] = counts.get(code, 0) + 1
    order = sorted(sums, key=lambda c: (-sums[c], c))
    wanted = set(surligner or ())
    couleurs = [fmt.COLORWAY[0] if not wanted or c in wanted else GRIS for c in order]
    labels = [noms.get(c, c) for c in order]
    hover = [f"{noms.get(c, c)}<br>{jours_texte(sums[c])} · {counts[c]} dossier{'s' if counts[c] > 1 else ''}"
             for c in order]
    return _barres(labels, [sums[c] for c in order], couleurs, hover, titre)
