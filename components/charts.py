"""Pure chart builders: (DataFrame, options) -> plotly Figure.

Every figure goes through `format.french_layout` (separators, colour-blind-safe
colours); labels and hover texts are formatted with `format.valeur`, so a value
carrying a statut shows its French text ("secret statistique", "non calculable")
and is never drawn as a zero. The small presentation transforms the theme pages
need (shares of a total, annual growth between vintages, the data table behind a
chart) live here too, so pages stay free of data wrangling."""
from __future__ import annotations

import copy
import functools
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from components import format as fmt
from components.chart_meta import ChartMeta, IndicatorFacts

COULEUR_SELECTION = fmt.COLORWAY[0]  # the selected territory stands out in blue
COULEUR_REFERENCE = "#8C8C8C"  # reference levels in grey: differs by lightness too
COULEUR_BAISSE = fmt.COLORWAY[5]  # vermillion, paired with blue for +/- (colour-blind safe)
HAUTEUR_LIGNE = 34  # px per bar of a horizontal bar chart
SEUIL_ETIQUETTE = 8.0  # % : a thinner stacked segment gets its label beside the bar, not squeezed in it


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and not pd.isna(v)


def _statut(row) -> str | None:
    s = row.get("statut") if hasattr(row, "get") else None
    return None if s is None or pd.isna(s) or s == "" else str(s)


def plier(texte: str, n: int = 24) -> str:
    """Wrap a label on word boundaries ("<br>"), so charts stay readable at phone width."""
    return "<br>".join(textwrap.wrap(str(texte), n, break_on_hyphens=False)) or str(texte)


def _unite_courte(unite: str) -> str:
    """Bar labels carry symbols only (« % », « € »): a unit in words (« hab./km² »,
    « emplois pour 100 actifs occupés ») made labels wider than a phone's plot and they were
    cut; it stays in the axis title, the hover and the table."""
    return unite if len(unite or "") <= 3 else ""


TITRE_LARGEUR = 38  # characters per line of a chart title: fits a 320-px phone screen
NOM_LARGEUR = 20  # characters per line of a territory's name beside a bar: leaves the bars room on a phone


def titre_layout(titre: str | None) -> dict:
    """The title wrapped for a phone, and the top margin its lines need."""
    texte = plier(titre or "", TITRE_LARGEUR)
    return {"title": {"text": texte, "x": 0, "xanchor": "left", "font": {"size": 15}},
            "margin": {"t": 50 + 19 * texte.count("<br>")}}


# ---------------------------------------------------------------- figures as plain specs
#
# Every builder assembles a plain {"data": [...], "layout": {...}} dict and wraps it once in
# a figure without plotly's validation (`go.Figure(spec, _validate=False)`): building figures
# through graph_objects (validation of every value, `update_layout` path strings) cost
# ~40 ms a chart and dominated the server's CPU per action (BENCHMARKS.md, « CPU per
# action »). The specs only use attributes plotly documents; `tests/test_charts.py` checks
# that every builder's output passes plotly's validation, so nothing invalid is sent.


def _merge(dst: dict, src: dict) -> dict:
    """Recursive merge of layout dicts (what `update_layout` does with nested dicts)."""
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = v
    return dst


def layout_francais(**extra) -> dict:
    """A fresh copy of the shared French layout (`format.FRENCH_LAYOUT`) with `extra` merged in."""
    # each key copied on its own: FRENCH_LAYOUT's xaxis and yaxis are one shared dict
    return _merge({k: copy.deepcopy(v) for k, v in fmt.FRENCH_LAYOUT.items()}, extra)


def _layout(titre: str | None, hauteur: int | None, **extra) -> dict:
    """The shared French layout, title, legend below, height; then the builder's own settings
    merged in."""
    layout = layout_francais(**{
        **titre_layout(titre),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "traceorder": "normal"},
        "hovermode": "closest", **({"height": hauteur} if hauteur else {}),
    })
    return _merge(layout, extra)


@functools.cache
def _template(name: str) -> dict:
    """plotly's default template as a plain dict, made once and shared read-only by every
    figure (Streamlit's theme restyles it in the browser; the export renderer draws with it)."""
    return pio.templates[name].to_plotly_json()


class Figure(go.Figure):
    """A plotly figure whose default template is shared instead of copied.

    plotly deep-copies its ~7 kB default template into every figure it builds and again in
    every `to_dict()` (Streamlit calls it on every rerun, for every chart): half of the cost
    of a chart once its validation is skipped. Here the template is one shared dict, never
    changed (a caller that wants another template builds a `go.Figure` from this one, which
    copies everything, as the exports do)."""

    def to_dict(self) -> dict:
        layout = {k: (v if k == "template" else copy.deepcopy(v)) for k, v in self._layout.items()}
        return {"data": copy.deepcopy(self._data), "layout": layout}


def figure_spec(data: list[dict], layout: dict) -> go.Figure:
    """The figure of a plain spec, without plotly's validation and with the shared template."""
    template = layout.pop("template", None)
    if template is None and isinstance(pio.templates.default, str):
        template = _template(pio.templates.default)
    fig = Figure({"data": data, "layout": {**layout, "template": {}}}, _validate=False)
    fig._layout["template"] = template if template is not None else {}  # shared, not copied
    return fig


# ---------------------------------------------------------------- transforms


def parts(df: pd.DataFrame, categories: dict[str, str], total: str, reste: str | None = None) -> pd.DataFrame:
    """Shares (%) of each category in a total, per territory.

    `df` is the long output of `access.valeurs` [indicateur, code, nom, valeur, statut, ...];
    `categories` maps indicator -> label. A territory whose total or category carries a
    statut gets a null share with that statut (the chart prints the text). `reste` adds the
    remainder of the total as one more category when positive."""
    par_code: dict[str, dict[str, tuple]] = {}
    noms: dict[str, str] = {}
    statuts = df["statut"].tolist() if "statut" in df else [None] * len(df)
    for code, nom, ind, v, s in zip(df["code"].tolist(), df["nom"].tolist(), df["indicateur"].tolist(),
                                    df["valeur"].tolist(), statuts):
        noms.setdefault(code, nom)
        par_code.setdefault(code, {}).setdefault(ind, (v, None if s is None or pd.isna(s) or s == "" else str(s)))
    lignes = []
    for code, nom in noms.items():
        sous = par_code[code]
        if total not in sous:
            continue
        tot_v, tot_s = sous[total]
        tot_ok = tot_s is None and _present(tot_v) and tot_v > 0
        somme, complet = 0.0, True
        for ind, libelle in categories.items():
            if ind not in sous:
                continue
            v, s = sous[ind]
            statut = s or tot_s
            ok = statut is None and _present(v) and tot_ok
            part = float(v) / float(tot_v) * 100 if ok else None
            somme += float(v) if ok else 0.0
            complet = complet and part is not None
            lignes.append({"code": code, "nom": nom, "categorie": libelle, "valeur": part,
                           "statut": statut if part is None else None})
        if reste and tot_ok and complet:
            r = (float(tot_v) - somme) / float(tot_v) * 100
            if r > 0.05:
                lignes.append({"code": code, "nom": nom, "categorie": reste, "valeur": r, "statut": None})
    return pd.DataFrame(lignes, columns=["code", "nom", "categorie", "valeur", "statut"])


def taux_annuels(serie: pd.DataFrame) -> pd.DataFrame:
    """Mean annual growth rate (%) between consecutive vintages of a series.

    ((v2 / v1) ** (1 / years) - 1) * 100; a pair with a missing value or a zero base gets
    statut "manquant" rather than a number."""
    s = serie.sort_values("millesime").reset_index(drop=True)
    lignes = []
    for (_, a), (_, b) in zip(s.iloc[:-1].iterrows(), s.iloc[1:].iterrows()):
        d, f = int(a["millesime"]), int(b["millesime"])
        ok = _present(a["valeur"]) and _present(b["valeur"]) and a["valeur"] > 0 and f > d
        taux = ((float(b["valeur"]) / float(a["valeur"])) ** (1 / (f - d)) - 1) * 100 if ok else None
        lignes.append({"periode": f"{d}–{f}", "debut": d, "fin": f, "valeur": taux,
                       "statut": None if ok else (_statut(b) or _statut(a) or "manquant")})
    return pd.DataFrame(lignes, columns=["periode", "debut", "fin", "valeur", "statut"])


def taux_periode(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean annual growth (%) of each territory's series over the vintages they all share.

    `series` maps a territory name to its `access.serie`; the common first and last vintage
    make the rates comparable. Rows: nom, valeur, statut, debut, fin."""
    communs = None
    for s in series.values():
        ok = set(s.loc[s["valeur"].notna(), "millesime"].astype(int)) if len(s) else set()
        communs = ok if communs is None else communs & ok
    lignes = []
    for nom, s in series.items():
        if not communs or len(communs) < 2:
            lignes.append({"nom": nom, "valeur": None, "statut": "manquant", "debut": None, "fin": None})
            continue
        d, f = min(communs), max(communs)
        t = taux_annuels(s[s["millesime"].astype(int).isin([d, f])])
        lignes.append({"nom": nom, "valeur": t["valeur"].iloc[0], "statut": t["statut"].iloc[0], "debut": d, "fin": f})
    return pd.DataFrame(lignes, columns=["nom", "valeur", "statut", "debut", "fin"])


def tableau_valeurs(df: pd.DataFrame, indicateurs: pd.DataFrame) -> pd.DataFrame:
    """Wide text table: one row per territory, one column per indicator (label and vintage).

    `df` is `access.valeurs` output; `indicateurs` catalogue rows. Counts of very different
    sizes (a commune and France) read better as a table than as bars."""
    noms = list(dict.fromkeys(df["nom"].tolist()))
    par: dict[str, dict[str, tuple]] = {}
    for i, nom, m, v, s in zip(df["indicateur"].tolist(), df["nom"].tolist(), df["millesime"].tolist(),
                               df["valeur"].tolist(), df["statut"].tolist()):
        par.setdefault(i, {}).setdefault(nom, (m, v, s))
    table: dict[str, list] = {"Territoire": noms}
    for ind in indicateurs.to_dict("records"):
        d = par.get(ind["indicateur"], {})
        millesimes = [d[n][0] for n in noms if n in d and _present(d[n][0])]
        if not millesimes:
            continue
        unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
        table[f"{ind['libelle']} ({int(max(millesimes))})"] = [
            fmt.valeur(d[n][1], unite, dec, d[n][2]) if n in d else fmt.valeur(None, unite, dec) for n in noms]
    return pd.DataFrame(table)


def completer(df: pd.DataFrame, territoires: tuple, noms: dict[str, str], indicateurs=None) -> pd.DataFrame:
    """Add a row with statut "hors_source" for each territory the warehouse has no value for,
    so a comparison that cannot be made says so instead of silently dropping the territory.
    Rows come back in the order of `territoires` ((niveau, code) pairs)."""
    inds = list(indicateurs) if indicateurs is not None else list(dict.fromkeys(df["indicateur"].tolist()))
    cles = list(zip(df["indicateur"].tolist(), df["niveau"].tolist(), df["code"].tolist()))
    present = set(cles)
    dernier: dict[str, object] = {}
    for (i, _, _), m in zip(cles, df["millesime"].tolist()):
        if _present(m) and (i not in dernier or m > dernier[i]):
            dernier[i] = m
    ajout = [{"indicateur": i, "niveau": n, "code": c, "nom": noms.get(c, c), "valeur": None,
              "statut": "hors_source", "demo": False, "source_id": None,
              "millesime": dernier.get(i) if len(df) else None}
             for i in inds for n, c in territoires if (i, n, c) not in present]
    out = pd.concat([df, pd.DataFrame(ajout)], ignore_index=True) if ajout else df.reset_index(drop=True)
    rang = {pair: k for k, pair in enumerate(territoires)}
    rangs = [rang.get((n, c), len(rang)) for n, c in zip(out["niveau"].tolist(), out["code"].tolist())]
    if all(a <= b for a, b in zip(rangs, rangs[1:])):
        return out.copy(deep=False)
    out["_rang"] = rangs
    return out.sort_values(["_rang"], kind="stable").drop(columns="_rang").reset_index(drop=True)


def table_texte(df: pd.DataFrame, colonnes: dict[str, str], unite: str, decimales: int) -> pd.DataFrame:
    """The text alternative of a chart: chosen columns renamed, values as French text."""
    statuts = df["statut"].tolist() if "statut" in df else [None] * len(df)
    out = {}
    for c, titre in colonnes.items():
        if c == "valeur":
            out[titre] = [fmt.valeur(v, unite, decimales, s) for v, s in zip(df["valeur"].tolist(), statuts)]
        elif c == "millesime":
            out[titre] = df[c].astype("Int64").astype(str).reset_index(drop=True)
        else:
            out[titre] = df[c].reset_index(drop=True)
    return pd.DataFrame(out)


def meta(titre: str, code: str, nom: str, indicateur: str, millesime, source: str, demo: bool,
         indicateurs: list[dict] = (), alt: str = "", agence: str = "") -> ChartMeta:
    """ChartMeta for the exports, from catalogue rows (dicts of `access.catalogue`)."""
    facts = tuple(
        IndicatorFacts(indicateur=r["indicateur"], libelle=r["libelle"], unite=str(r.get("unite") or ""),
                       definition=str(r.get("definition") or ""), source=source.removeprefix("Source : "),
                       millesime=int(millesime) if _present(millesime) else None, demo=bool(demo),
                       decimales=int(r["decimales"]) if _present(r.get("decimales")) else None)
        for r in indicateurs
    )
    return ChartMeta(titre=titre, territoire_code=code, territoire_nom=nom, indicateur=indicateur,
                     millesime=int(millesime) if _present(millesime) else None, source=source,
                     demo=bool(demo), agence=agence, indicateurs=facts, alt=alt)


# ---------------------------------------------------------------- builders


def serie_temporelle(df: pd.DataFrame, unite: str, decimales: int = 0, titre: str | None = None,
                     selection: str | None = None) -> go.Figure:
    """Lines over vintages, one per territory (`df`: nom, millesime, valeur[, statut]).

    The selected territory (by name) is drawn in blue and thicker; vintages with a statut
    leave a gap and their text is in the hover of the table, not a zero."""
    data = []
    noms = list(dict.fromkeys(df["nom"]))
    autres = iter(fmt.COLORWAY[1:])
    for nom in noms:
        d = df[df["nom"] == nom].sort_values("millesime")
        statuts = d["statut"] if "statut" in d else [None] * len(d)
        textes = [fmt.valeur(v, unite, decimales, s) for v, s in zip(d["valeur"], statuts)]
        principal = selection is None and nom == noms[0] or nom == selection
        data.append({
            "type": "scatter", "x": [int(m) for m in d["millesime"]],
            "y": [float(v) if _present(v) else None for v in d["valeur"]],
            "mode": "lines+markers", "name": nom, "text": textes,
            "hovertemplate": "%{fullData.name}<br>%{x} : %{text}<extra></extra>",
            "line": {"width": 3 if principal else 2,
                     "color": COULEUR_SELECTION if principal else next(autres, COULEUR_REFERENCE)},
        })
    # vintages as plain labels: a linear axis would print "2 019" with French thousands
    ans = sorted({int(m) for m in df["millesime"]})
    return figure_spec(data, _layout(titre, 360,
                                 xaxis={"tickmode": "array", "tickvals": ans, "ticktext": [str(a) for a in ans],
                                        "title": {"text": ""}},
                                 yaxis={"title": {"text": plier(unite, 20)}}))


def barres_taux(df: pd.DataFrame, titre: str | None = None) -> go.Figure:
    """Vertical bars of `taux_annuels` output: growth in blue, decline in vermillion."""
    valeurs = [float(v) if _present(v) else None for v in df["valeur"]]
    textes = [fmt.valeur(v, "%", 2, s) for v, s in zip(df["valeur"], df["statut"])]
    couleurs = [COULEUR_BAISSE if (v is not None and v < 0) else COULEUR_SELECTION for v in valeurs]
    periodes = list(df["periode"])
    data = [{"type": "bar", "x": periodes, "y": valeurs, "text": textes, "textposition": "outside",
             "marker": {"color": couleurs}, "name": "Taux annuel moyen",
             "hovertemplate": "%{x} : %{text} par an<extra></extra>"}]
    notes = [{"x": p, "y": 0, "text": t, "showarrow": False, "yshift": 12}
             for p, v, t in zip(periodes, valeurs, textes) if v is None]
    return figure_spec(data, _layout(titre, 340, yaxis={"title": {"text": "% par an"}, "zeroline": True},
                                 xaxis={"type": "category", "title": {"text": ""}, "tickangle": 0,
                                        "tickvals": periodes, "ticktext": [p.replace("–", "–<br>") for p in periodes]},
                                 **({"annotations": notes} if notes else {})))


NOTE_NON_DISPONIBLE = "Non disponible"


def note_absents(absents: list[tuple[str, str]]) -> str:
    """[(who, statut text)] -> "Non disponible : A, B (secret statistique) ; C"."""
    par_texte: dict[str, list[str]] = {}
    for qui, texte in absents:
        par_texte.setdefault(texte, [])
        if qui not in par_texte[texte]:
            par_texte[texte].append(qui)
    morceaux = [", ".join(qui) + ("" if texte in ("", "non disponible") else f" ({texte})")
                for texte, qui in par_texte.items()]
    return f"{NOTE_NON_DISPONIBLE} : " + " ; ".join(morceaux)


def _note_absents(data: list[dict], layout: dict, absents: list[tuple[str, str]]) -> None:
    """Rows without a value are not drawn: they are named in a note under the chart (in the
    x-axis title, which plotly keeps clear of the ticks; a legend below is moved down to
    make room). The note's text is also in `fig.layout.meta["non_disponible"]` for exports."""
    if not absents:
        return
    note = note_absents(absents)
    lignes = plier(note, 70)
    axe = layout.setdefault("xaxis", {}).setdefault("title", {})
    titre = axe.get("text") or ""
    axe["text"] = (f"{titre}<br>" if titre else "") + f"<span style='font-size:12px'><i>{lignes}</i></span>"
    layout["meta"] = {**(layout.get("meta") or {}), "non_disponible": note}
    legende = layout.get("legend") or {}
    noms = [t["name"] for t in data if t.get("showlegend") is not False and t.get("name")]
    if legende.get("y") is not None and legende["y"] < 0 and len(noms) > 1:
        # the legend goes to the very bottom of the figure, under the axis and its note;
        # the bottom margin holds ticks, note and legend (rows estimated at 600 px wide)
        rangs = math.ceil(sum(len(n) * 8 + 40 for n in noms) / 600)
        hauteur_note = 18 * (lignes.count("<br>") + 1)
        _merge(layout, {"legend": {"yref": "container", "y": 0, "yanchor": "bottom"},
                        "margin": {"b": 55 + hauteur_note + 26 * rangs}})
        if layout.get("height"):
            layout["height"] += hauteur_note + 26 * rangs


def retirer_note(spec: dict) -> str | None:
    """Take the « Non disponible » note out of the x-axis title of `spec` (a plain-dict copy,
    for an export that prints it elsewhere: under the figure, in the footer); returns the note."""
    layout = spec.setdefault("layout", {})
    meta = layout.get("meta")
    note = meta.get("non_disponible") if isinstance(meta, dict) else None
    if note:
        axis = layout.setdefault("xaxis", {})
        if not isinstance(axis.get("title"), dict):
            axis["title"] = {"text": axis.get("title") or ""}
        premier = (axis["title"].get("text") or "").split("<br>")[0]
        axis["title"]["text"] = "" if NOTE_NON_DISPONIBLE in premier else premier
    return note


def barres_comparaison(df: pd.DataFrame, unite: str, decimales: int = 0, titre: str | None = None,
                       selection: str | None = None) -> go.Figure:
    """Horizontal bars comparing one value across territories (`df`: nom, valeur[, statut]).

    The selected territory (first row by default) is blue, reference levels grey. A value
    that cannot be compared gets no bar and no row: it is named in the note under the chart
    (« Non disponible : Somme (non disponible pour ce niveau) »)."""
    d = df.reset_index(drop=True)
    statuts = list(d["statut"]) if "statut" in d else [None] * len(d)
    brutes = list(d["valeur"])
    noms = list(d["nom"])
    valeurs = [float(v) if _present(v) and not (isinstance(s, str) and s) else None
               for v, s in zip(brutes, statuts)]
    textes = [fmt.valeur(v, _unite_courte(unite), decimales, s) for v, s in zip(brutes, statuts)]
    complets = [fmt.valeur(v, unite, decimales, s) for v, s in zip(brutes, statuts)]
    cible = selection if selection is not None else (noms[0] if noms else None)
    garde = [v is not None for v in valeurs]
    absents = [(n, t) for n, t, g in zip(noms, complets, garde) if not g]
    noms_g = [n for n, g in zip(noms, garde) if g]
    presentes = [v for v in valeurs if v is not None]
    negatif = bool(presentes) and min(presentes) < 0
    data = [{
        "type": "bar", "y": [plier(n, NOM_LARGEUR) for n in noms_g], "x": presentes, "orientation": "h",
        "text": [t for t, g in zip(textes, garde) if g], "textposition": "outside",
        "customdata": [c for c, g in zip(complets, garde) if g],
        "marker": {"color": [COULEUR_SELECTION if n == cible else COULEUR_REFERENCE for n in noms_g]},
        "name": titre or "", "showlegend": False, "cliponaxis": False,
        "hovertemplate": "%{y} : %{customdata}<extra></extra>",
    }]
    # three horizontal ticks: more overlapped (or were turned) at a phone's width
    xaxis = {"title": {"text": "" if unite == "%" else plier(unite, 28)}, "rangemode": "tozero", "tickangle": 0,
             "nticks": 3}
    # labels outside the bars, with room for them past the longest bar (and left of zero for
    # a negative one): inside a bar they were cut at a phone's width
    if negatif:
        lo, hi = min(min(presentes), 0.0), max(max(presentes), 0.0)
        etendue = hi - lo or 1.0
        xaxis["range"] = [lo - 0.9 * etendue, hi + 0.6 * etendue]
    elif presentes and max(presentes) > 0:
        xaxis["range"] = [0, max(presentes) * 1.5]
    # a name on two lines needs a taller row, or it touches its neighbours'
    lignes = max((n.count("<br>") + 1 for n in data[0]["y"]), default=1)
    hauteur_ligne = HAUTEUR_LIGNE + 12 * (lignes - 1)
    layout = _layout(titre, 90 + hauteur_ligne * max(len(noms_g), 1) + (24 if absents else 0),
                     yaxis={"autorange": "reversed", "automargin": True, "title": {"text": ""}}, xaxis=xaxis)
    _note_absents(data, layout, absents)
    return figure_spec(data, layout)


def parts_groupees(df: pd.DataFrame, titre: str | None = None, selection: str | None = None,
                   categories: list[str] | None = None) -> go.Figure:
    """Grouped horizontal bars of shares by category (`parts` output), one trace per territory.

    Used for age bands and social categories: the profile of the territory next to its
    reference levels. A territory without any share, a category without any value and a
    single missing share are not drawn: the note under the chart names them."""
    cats = categories or list(dict.fromkeys(df["categorie"]))
    noms = list(dict.fromkeys(df["nom"]))
    absents: list[tuple[str, str]] = []
    tableaux = {}
    for nom in noms:
        d = df[df["nom"] == nom].set_index("categorie").reindex(cats)
        textes = [fmt.valeur(v, "%", 1, s) for v, s in zip(d["valeur"], d["statut"])]
        if d["valeur"].isna().all():
            absents.append((nom, textes[0] if textes else "non disponible"))
            continue
        tableaux[nom] = (d, textes)
    # a category no drawn territory has a value for: no row
    cats_g = [c for c in cats if any(_present(d.loc[c, "valeur"]) for d, _ in tableaux.values())]
    for c in cats:
        if c not in cats_g and tableaux:
            absents.append((c, "non disponible"))
    data = []
    autres = iter(c for c in fmt.COLORWAY[1:] + [COULEUR_REFERENCE])
    principal_nom = selection or noms[0] if noms else None
    for nom, (d, textes) in tableaux.items():
        d = d.assign(texte=textes).reindex(cats_g)
        for c, v, t in zip(cats_g, d["valeur"], d["texte"]):
            if not _present(v):
                absents.append((f"{nom} – {c}", t))
        principal = nom == principal_nom
        data.append({
            "type": "bar", "y": [plier(c) for c in cats_g],
            "x": [float(v) if _present(v) else None for v in d["valeur"]], "orientation": "h",
            "name": nom, "text": list(d["texte"]), "textposition": "none",
            "marker": {"color": COULEUR_SELECTION if principal else next(autres, COULEUR_REFERENCE)},
            "hovertemplate": "%{fullData.name}<br>%{y} : %{text}<extra></extra>",
        })
    hauteur = 140 + max(len(cats_g), 1) * (12 + 10 * max(len(data), 1)) + (24 if absents else 0)
    layout = _layout(titre, hauteur, barmode="group",
                     yaxis={"autorange": "reversed", "automargin": True, "title": {"text": ""}},
                     xaxis={"title": {"text": "%"}, "rangemode": "tozero"})
    _note_absents(data, layout, absents)
    return figure_spec(data, layout)


def parts_empilees(df: pd.DataFrame, titre: str | None = None, categories: list[str] | None = None) -> go.Figure:
    """100 % stacked horizontal bars, one row per territory, one colour per category.

    Used for occupancy (principal / secondary / vacant), houses / flats, owners / tenants.
    Value labels are horizontal, inside their segment when it is wide enough (plotly hides
    a label that does not fit rather than turning it). A territory whose shares cannot be
    computed gets no row: the note under the chart names it."""
    cats = categories or list(dict.fromkeys(df["categorie"]))
    absents: list[tuple[str, str]] = []
    noms = []
    for nom in dict.fromkeys(df["nom"]):
        d = df[df["nom"] == nom]
        if len(d) and d["valeur"].isna().all():
            absents.append((nom, fmt.valeur(None, "%", 1, d["statut"].dropna().iloc[0]
                                            if d["statut"].notna().any() else None)))
        else:
            noms.append(nom)
    data = []
    petits: dict[str, list[str]] = {}  # segments too narrow for their label, written beside the bar
    for i, cat in enumerate(cats):
        d = df[df["categorie"] == cat].set_index("nom").reindex(noms)
        textes = [fmt.valeur(v, "%", 1, s) for v, s in zip(d["valeur"], d["statut"])]
        couleur = fmt.COLORWAY[i % len(fmt.COLORWAY)]
        dedans = []
        for nom, v, t in zip(noms, d["valeur"], textes):
            if not _present(v):
                absents.append((f"{nom} – {cat}", t))
                dedans.append("")
            elif float(v) < SEUIL_ETIQUETTE:
                petits.setdefault(nom, []).append(f"<span style='color:{couleur}'>■</span> {t}")
                dedans.append("")
            else:
                dedans.append(t)
        data.append({
            "type": "bar", "y": [plier(n) for n in noms],
            "x": [float(v) if _present(v) else None for v in d["valeur"]], "orientation": "h",
            "name": plier(cat, 30), "text": dedans, "textposition": "inside", "insidetextanchor": "middle", "textangle": 0,
            "customdata": textes, "marker": {"color": couleur},
            "hovertemplate": "%{y}<br>%{fullData.name} : %{customdata}<extra></extra>",
        })
    notes = [{"y": plier(nom), "x": 100, "xref": "x", "xanchor": "left", "xshift": 6, "showarrow": False,
              "text": "<br>".join(etiquettes), "align": "left", "font": {"size": 12}}
             for nom, etiquettes in petits.items()]
    layout = _layout(titre, 150 + HAUTEUR_LIGNE * max(len(noms), 1) + (24 if absents else 0),
                     barmode="stack", uniformtext={"minsize": 11, "mode": "hide"},
                     yaxis={"autorange": "reversed", "automargin": True, "title": {"text": ""}},
                     xaxis={"range": [0, 100], "title": {"text": ""}, "ticksuffix": " %", "tickvals": [0, 50, 100],
                            "tickangle": 0},
                     **({"annotations": notes, "margin": {"r": 80}} if notes else {}))  # room for the labels beside the bars
    _note_absents(data, layout, absents)
    return figure_spec(data, layout)


# ---------------------------------------------------------------- work programme
def legende_html(items: list[tuple[str, tuple[int, int, int]]], titre: str) -> str:
    """A map legend (class label, rgb) as small HTML swatches: pydeck draws none."""
    cases = "".join(
        f'<span style="display:inline-flex;align-items:center;margin:0 .8em .3em 0">'
        f'<span style="width:1em;height:1em;background:rgb{tuple(rgb)};display:inline-block;'
        f'margin-right:.35em;border:1px solid #888"></span>{label}</span>'
        for label, rgb in items)
    return f'<div style="font-size:.9em"><b>{titre}</b><br/>{cases}</div>'


# ---------------------------------------------------------------- rendering


def texte_alternatif(table: pd.DataFrame) -> str:
    """One sentence per row of a text table ("Béthune : 12,3 %"), for screen readers and exports."""
    return " ; ".join(" – ".join(str(v) for v in row) for row in table.itertuples(index=False))
