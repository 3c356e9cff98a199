"""Pure plotly builders for the agency's 2018 work programme
(`access.programme()`: one row per dossier, columns of
`datasets/partners/README.md`). French numbers, colour-blind-safe colours;
dossiers concerning a territory can be highlighted, the others greyed."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from components import charts
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


def _plier(texte: str, n: int = 26, lignes_max: int = 0) -> str:
    """Wrap a long label on several lines (<br>) so that it stays legible on a phone; with
    `lignes_max`, the last line ends with « … » when the label is longer."""
    mots, lignes, ligne = str(texte).split(), [], ""
    for mot in mots:
        if ligne and len(ligne) + 1 + len(mot) > n:
            lignes.append(ligne)
            ligne = mot
        else:
            ligne = f"{ligne} {mot}".strip()
    lignes.append(ligne)
    if lignes_max and len(lignes) > lignes_max:
        lignes = lignes[:lignes_max]
        lignes[-1] = lignes[-1].rstrip(" ,;:") + "…"
    return "<br>".join(lignes)


def axes_libelles(df: pd.DataFrame) -> dict:
    return {a: f"Axe {a} — {g['axe_libelle'].iloc[0]}" for a, g in df.groupby("axe", sort=True)}


def barres_sections(df: pd.DataFrame, surligner: Iterable[str] | None = None, titre: str = "") -> go.Figure:
    """Days by section of the programme, ranked, one colour per axis (legend). With
    `surligner` (territory codes), the days of dossiers that do not concern them are a
    grey segment at the end of each bar."""
    couleurs = _couleurs_axes(df["axe"].unique())
    libelles = axes_libelles(df)
    marque = concerne(df, surligner) if surligner else pd.Series(True, index=df.index)
    d = df.assign(_oui=df["jours"].where(marque, 0.0), _non=df["jours"].where(~marque, 0.0))
    g = d.groupby(["axe", "section"], sort=False).agg(jours=("jours", "sum"), oui=("_oui", "sum"), non=("_non", "sum"),
                                                      n=("id", "size")).reset_index()
    g = g.sort_values(["jours", "section"], ascending=[False, True])
    y = [_plier(s, 28, 2) for s in g["section"]]  # the full name is in the hover and the table
    fig = go.Figure()
    for axe in sorted(g["axe"].unique()):
        part = g["axe"] == axe
        fig.add_trace(go.Bar(
            x=[float(v) if p else None for v, p in zip(g["oui"], part)], y=y, orientation="h",
            name=_plier(libelles[axe], 40), marker={"color": couleurs[axe]},
            text=[jours_texte(t) if p and not surligner else "" for t, p in zip(g["jours"], part)],
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"{s}<br>{jours_texte(t)} · {n} dossier{'s' if n > 1 else ''}"
                       for s, t, n in zip(g["section"], g["jours"], g["n"])], hoverinfo="text",
        ))
    if surligner:  # the grey segment closes each bar and carries its total
        fig.add_trace(go.Bar(x=[float(v) for v in g["non"]], y=y, orientation="h", name="Autres dossiers",
                             marker={"color": GRIS}, text=[jours_texte(t) for t in g["jours"]],
                             textposition="outside", cliponaxis=False, hoverinfo="skip"))
    fmt.french_layout(fig)
    t = charts.titre_layout(titre)  # wrapped for a phone, with the top margin its lines need
    fig.update_layout(title=t["title"], barmode="stack", height=140 + 44 * len(g),
                      yaxis={"autorange": "reversed", "automargin": True},
                      xaxis={"title": {"text": "jours"}, "automargin": True, "tickangle": 0, "nticks": 4,
                             "range": [0, 1.7 * float(g["jours"].max() or 1)]},  # room for the labels
                      legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0, "traceorder": "normal"},
                      margin={"l": 10, "r": 70, "t": t["margin"]["t"], "b": 10})
    return fig


def dossiers_principaux(df: pd.DataFrame, n: int = 3) -> list[tuple[str, float, list[dict]]]:
    """For each axis: its label, its days and its `n` largest dossiers (dossier, jours, correspondant)."""
    out = []
    libelles = axes_libelles(df)
    for axe, g in df.groupby("axe", sort=True):
        top = g.sort_values(["jours", "dossier"], ascending=[False, True]).head(n)
        out.append((libelles[axe], float(g["jours"].sum()),
                    top[["dossier", "jours", "correspondant"]].to_dict("records")))
    return out


def _court(titre: str, n: int = 40) -> str:
    return titre if len(titre) <= n else titre[: n - 1].rstrip() + "…"


def _barres(labels: list[str], valeurs: list[float], couleurs: list[str], hover: list[str], titre: str) -> go.Figure:
    fig = go.Figure(go.Bar(
        x=valeurs, y=labels, orientation="h", marker={"color": couleurs},
        text=[jours_texte(v) for v in valeurs], textposition="auto",
        hovertext=hover, hoverinfo="text",
    ))
    fmt.french_layout(fig)
    t = charts.titre_layout(titre)
    fig.update_layout(title=t["title"], margin={"t": t["margin"]["t"]}, height=120 + HAUTEUR_LIGNE * len(labels),
                      yaxis={"autorange": "reversed"}, xaxis={"title": {"text": "jours"}, "tickangle": 0, "nticks": 4})
    return fig


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
