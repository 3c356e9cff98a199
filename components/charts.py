"""Pure chart builders: (DataFrame, options) -> plotly Figure.

Every figure goes through `format.french_layout` (separators, colour-blind-safe
colours); labels and hover texts are formatted with `format.valeur`, so a value
carrying a statut shows its French text ("secret statistique", "non calculable")
and is never drawn as a zero. The small presentation transforms the theme pages
need (shares of a total, annual growth between vintages, the data table behind a
chart) live here too, so pages stay free of data wrangling."""
from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

from components import format as fmt
from components.chart_meta import ChartMeta, IndicatorFacts

COULEUR_SELECTION = fmt.COLORWAY[0]  # the selected territory stands out in blue
COULEUR_REFERENCE = "#8C8C8C"  # reference levels in grey: differs by lightness too
COULEUR_BAISSE = fmt.COLORWAY[5]  # vermillion, paired with blue for +/- (colour-blind safe)
HAUTEUR_LIGNE = 34  # px per bar of a horizontal bar chart


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and not pd.isna(v)


def _statut(row) -> str | None:
    s = row.get("statut") if hasattr(row, "get") else None
    return None if s is None or pd.isna(s) or s == "" else str(s)


def plier(texte: str, n: int = 24) -> str:
    """Wrap a label on word boundaries ("<br>"), so charts stay readable at phone width."""
    return "<br>".join(textwrap.wrap(str(texte), n, break_on_hyphens=False)) or str(texte)


def _unite_courte(unite: str) -> str:
    """Bar labels carry short units only; long ones ("emplois pour 100 actifs occupés")
    stay in the hover, the axis title and the table."""
    return unite if len(unite or "") <= 12 else ""


def _base(fig: go.Figure, titre: str | None, hauteur: int | None = None) -> go.Figure:
    return fmt.french_layout(
        fig,
        title={"text": plier(titre or "", 50), "x": 0, "xanchor": "left", "font": {"size": 15}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "traceorder": "normal"},
        hovermode="closest", **({"height": hauteur} if hauteur else {}),
    )


def _axe_millesimes(fig: go.Figure, millesimes) -> None:
    """Vintages as plain labels: a linear axis would print "2 019" with French thousands."""
    ans = sorted({int(m) for m in millesimes})
    fig.update_xaxes(tickmode="array", tickvals=ans, ticktext=[str(a) for a in ans], title_text="")


# ---------------------------------------------------------------- transforms


def parts(df: pd.DataFrame, categories: dict[str, str], total: str, reste: str | None = None) -> pd.DataFrame:
    """Shares (%) of each category in a total, per territory.

    `df` is the long output of `access.valeurs` [indicateur, code, nom, valeur, statut, ...];
    `categories` maps indicator -> label. A territory whose total or category carries a
    statut gets a null share with that statut (the chart prints the text). `reste` adds the
    remainder of the total as one more category when positive."""
    lignes = []
    ordre = df.drop_duplicates("code")[["code", "nom"]].itertuples(index=False)
    for code, nom in ordre:
        sous = df[df["code"] == code].set_index("indicateur")
        if total not in sous.index:
            continue
        tot = sous.loc[total]
        somme = 0.0
        for ind, libelle in categories.items():
            if ind not in sous.index:
                continue
            v = sous.loc[ind]
            statut = _statut(v) or _statut(tot)
            ok = statut is None and _present(v["valeur"]) and _present(tot["valeur"]) and tot["valeur"] > 0
            part = float(v["valeur"]) / float(tot["valeur"]) * 100 if ok else None
            somme += float(v["valeur"]) if ok else 0.0
            lignes.append({"code": code, "nom": nom, "categorie": libelle, "valeur": part,
                           "statut": statut if part is None else None})
        if reste and _statut(tot) is None and _present(tot["valeur"]) and tot["valeur"] > 0:
            complet = all(l["valeur"] is not None for l in lignes if l["code"] == code)
            r = (float(tot["valeur"]) - somme) / float(tot["valeur"]) * 100
            if complet and r > 0.05:
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
    noms = list(dict.fromkeys(df["nom"]))
    table = pd.DataFrame({"Territoire": noms})
    for _, ind in indicateurs.iterrows():
        d = df[df["indicateur"] == ind["indicateur"]].set_index("nom").reindex(noms)
        if d["millesime"].isna().all():
            continue
        col = f"{ind['libelle']} ({int(d['millesime'].max())})"
        table[col] = [fmt.valeur(v, str(ind.get("unite") or ""), int(ind.get("decimales") or 0), s)
                      for v, s in zip(d["valeur"], d["statut"])]
    return table


def completer(df: pd.DataFrame, territoires: tuple, noms: dict[str, str], indicateurs=None) -> pd.DataFrame:
    """Add a row with statut "hors_source" for each territory the warehouse has no value for,
    so a comparison that cannot be made says so instead of silently dropping the territory.
    Rows come back in the order of `territoires` ((niveau, code) pairs)."""
    inds = list(indicateurs) if indicateurs is not None else list(dict.fromkeys(df["indicateur"]))
    present = set(zip(df["indicateur"], df["niveau"], df["code"])) if len(df) else set()
    ajout = [{"indicateur": i, "niveau": n, "code": c, "nom": noms.get(c, c), "valeur": None,
              "statut": "hors_source", "demo": False, "source_id": None,
              "millesime": df.loc[df["indicateur"] == i, "millesime"].max() if len(df) else None}
             for i in inds for n, c in territoires if (i, n, c) not in present]
    out = pd.concat([df, pd.DataFrame(ajout)], ignore_index=True) if ajout else df.copy()
    rang = {pair: k for k, pair in enumerate(territoires)}
    out["_rang"] = [rang.get((n, c), len(rang)) for n, c in zip(out["niveau"], out["code"])]
    return out.sort_values(["_rang"], kind="stable").drop(columns="_rang").reset_index(drop=True)


def table_texte(df: pd.DataFrame, colonnes: dict[str, str], unite: str, decimales: int) -> pd.DataFrame:
    """The text alternative of a chart: chosen columns renamed, values as French text."""
    t = df.copy()
    statuts = t["statut"] if "statut" in t else [None] * len(t)
    t["valeur"] = [fmt.valeur(v, unite, decimales, s) for v, s in zip(t["valeur"], statuts)]
    for c in colonnes:
        if c == "millesime":
            t[c] = t[c].astype("Int64").astype(str)
    return t[list(colonnes)].rename(columns=colonnes).reset_index(drop=True)


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
    fig = go.Figure()
    noms = list(dict.fromkeys(df["nom"]))
    autres = iter(fmt.COLORWAY[1:])
    for nom in noms:
        d = df[df["nom"] == nom].sort_values("millesime")
        statuts = d["statut"] if "statut" in d else [None] * len(d)
        textes = [fmt.valeur(v, unite, decimales, s) for v, s in zip(d["valeur"], statuts)]
        principal = selection is None and nom == noms[0] or nom == selection
        fig.add_trace(go.Scatter(
            x=[int(m) for m in d["millesime"]],
            y=[float(v) if _present(v) else None for v in d["valeur"]],
            mode="lines+markers", name=nom, text=textes,
            hovertemplate="%{fullData.name}<br>%{x} : %{text}<extra></extra>",
            line={"width": 3 if principal else 2,
                  "color": COULEUR_SELECTION if principal else next(autres, COULEUR_REFERENCE)},
        ))
    _axe_millesimes(fig, df["millesime"])
    fig.update_yaxes(title_text=plier(unite, 20))
    return _base(fig, titre, 360)


def barres_taux(df: pd.DataFrame, titre: str | None = None) -> go.Figure:
    """Vertical bars of `taux_annuels` output: growth in blue, decline in vermillion."""
    valeurs = [float(v) if _present(v) else None for v in df["valeur"]]
    textes = [fmt.valeur(v, "%", 2, s) for v, s in zip(df["valeur"], df["statut"])]
    couleurs = [COULEUR_BAISSE if (v is not None and v < 0) else COULEUR_SELECTION for v in valeurs]
    fig = go.Figure(go.Bar(
        x=list(df["periode"]), y=valeurs, text=textes, textposition="outside",
        marker={"color": couleurs}, name="Taux annuel moyen",
        hovertemplate="%{x} : %{text} par an<extra></extra>",
    ))
    for periode, v, t in zip(df["periode"], valeurs, textes):
        if v is None:
            fig.add_annotation(x=periode, y=0, text=t, showarrow=False, yshift=12)
    fig.update_yaxes(title_text="% par an", zeroline=True)
    fig.update_xaxes(type="category", title_text="")
    return _base(fig, titre, 340)


def _note_statut(fig: go.Figure, y, texte: str) -> None:
    """Write a statut text ("secret statistique") where the bar would be."""
    fig.add_annotation(y=y, x=0, xanchor="left", text=plier(texte, 18), showarrow=False,
                       font={"style": "italic", "size": 11})


def barres_comparaison(df: pd.DataFrame, unite: str, decimales: int = 0, titre: str | None = None,
                       selection: str | None = None) -> go.Figure:
    """Horizontal bars comparing one value across territories (`df`: nom, valeur[, statut]).

    The selected territory (first row by default) is blue, reference levels grey. A value
    that cannot be compared gets no bar and its statut text written in its place."""
    d = df.reset_index(drop=True)
    statuts = d["statut"] if "statut" in d else [None] * len(d)
    valeurs = [float(v) if _present(v) and not (isinstance(s, str) and s) else None
               for v, s in zip(d["valeur"], statuts)]
    textes = [fmt.valeur(v, _unite_courte(unite), decimales, s) for v, s in zip(d["valeur"], statuts)]
    complets = [fmt.valeur(v, unite, decimales, s) for v, s in zip(d["valeur"], statuts)]
    cible = selection if selection is not None else (d["nom"].iloc[0] if len(d) else None)
    couleurs = [COULEUR_SELECTION if n == cible else COULEUR_REFERENCE for n in d["nom"]]
    noms = [plier(n) for n in d["nom"]]
    fig = go.Figure(go.Bar(
        y=noms, x=valeurs, orientation="h", text=textes, textposition="auto", customdata=complets,
        marker={"color": couleurs}, name=titre or "", showlegend=False, cliponaxis=False,
        hovertemplate="%{y} : %{customdata}<extra></extra>",
    ))
    for nom, v, t in zip(noms, valeurs, textes):
        if v is None:
            _note_statut(fig, nom, t)
    presentes = [v for v in valeurs if v is not None]
    if presentes and min(presentes) < 0:  # labels outside, with room on both sides of zero
        lo, hi = min(min(presentes), 0.0), max(max(presentes), 0.0)
        marge = 0.45 * (hi - lo or 1.0)
        fig.update_traces(textposition="outside")
        fig.update_xaxes(range=[lo - (marge if lo < 0 else 0), hi + marge])
    fig.update_yaxes(autorange="reversed", automargin=True, title_text="")
    fig.update_xaxes(title_text="" if unite == "%" else plier(unite, 28), rangemode="tozero")
    return _base(fig, titre, 90 + HAUTEUR_LIGNE * max(len(d), 1))


def parts_groupees(df: pd.DataFrame, titre: str | None = None, selection: str | None = None,
                   categories: list[str] | None = None) -> go.Figure:
    """Grouped horizontal bars of shares by category (`parts` output), one trace per territory.

    Used for age bands and social categories: the profile of the territory next to its
    reference levels."""
    cats = categories or list(dict.fromkeys(df["categorie"]))
    fig = go.Figure()
    noms = list(dict.fromkeys(df["nom"]))
    autres = iter(c for c in fmt.COLORWAY[1:] + [COULEUR_REFERENCE])
    absents: dict[str, list[str]] = {}  # statut text -> territories without any share
    for nom in noms:
        d = df[df["nom"] == nom].set_index("categorie").reindex(cats)
        textes = [fmt.valeur(v, "%", 1, s) for v, s in zip(d["valeur"], d["statut"])]
        principal = nom == (selection or noms[0])
        if d["valeur"].isna().all() and not principal:
            absents.setdefault(textes[0], []).append(nom)
            continue
        fig.add_trace(go.Bar(
            y=[plier(c) for c in cats], x=[float(v) if _present(v) else None for v in d["valeur"]],
            orientation="h",
            name=nom, text=textes, textposition="none",
            marker={"color": COULEUR_SELECTION if principal else next(autres, COULEUR_REFERENCE)},
            hovertemplate="%{fullData.name}<br>%{y} : %{text}<extra></extra>",
        ))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", automargin=True, title_text="")
    fig.update_xaxes(title_text="%", rangemode="tozero")
    hauteur = 140 + len(cats) * (12 + 10 * len(fig.data))
    _base(fig, titre, hauteur)
    if absents:  # said in a subtitle rather than as empty legend entries
        notes = " ; ".join(f"{', '.join(qui)} : {texte}" for texte, qui in absents.items())
        fig.update_layout(title_subtitle={"text": plier(notes, 50), "font": {"size": 12, "style": "italic"}},
                          margin={"t": 110})
    return fig


def parts_empilees(df: pd.DataFrame, titre: str | None = None, categories: list[str] | None = None) -> go.Figure:
    """100 % stacked horizontal bars, one row per territory, one colour per category.

    Used for occupancy (principal / secondary / vacant), houses / flats, owners / tenants.
    A territory whose shares cannot be computed shows its statut text instead of a bar."""
    cats = categories or list(dict.fromkeys(df["categorie"]))
    noms = list(dict.fromkeys(df["nom"]))
    fig = go.Figure()
    for i, cat in enumerate(cats):
        d = df[df["categorie"] == cat].set_index("nom").reindex(noms)
        textes = [fmt.valeur(v, "%", 1, s) for v, s in zip(d["valeur"], d["statut"])]
        fig.add_trace(go.Bar(
            y=[plier(n) for n in noms], x=[float(v) if _present(v) else None for v in d["valeur"]], orientation="h",
            name=cat, text=textes, textposition="inside", insidetextanchor="middle",
            marker={"color": fmt.COLORWAY[i % len(fmt.COLORWAY)]},
            hovertemplate="%{y}<br>%{fullData.name} : %{text}<extra></extra>",
        ))
    for nom in noms:
        d = df[df["nom"] == nom]
        if len(d) and d["valeur"].isna().all():
            t = fmt.valeur(None, "%", 1, d["statut"].dropna().iloc[0] if d["statut"].notna().any() else None)
            _note_statut(fig, plier(nom), t)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True, title_text="")
    fig.update_xaxes(range=[0, 100], title_text="%")
    return _base(fig, titre, 150 + HAUTEUR_LIGNE * max(len(noms), 1))


# ---------------------------------------------------------------- work programme
# Transforms the programme page needs beyond `components/programme_charts.py` (PARTNERS):
# which codes concern the selection, days per EPCI for the map, the sortable tables.


def _codes(texte) -> list[str]:
    return [c.strip() for c in str(texte or "").split("|") if c.strip() and str(texte) != "nan"]


def codes_concernes(niveau: str, code: str, territoires: pd.DataFrame) -> set[str] | None:
    """Codes whose dossiers concern the selection; None for the whole territory (all do).

    A commune is concerned by its own dossiers and those of its EPCI, grouping and the whole
    territory; an EPCI or grouping also by those of its members."""
    if niveau == "territoire":
        return None
    t = territoires.set_index("code")
    racine = set(territoires.loc[territoires["niveau"] == "territoire", "code"])
    if niveau == "commune":
        row = t.loc[code] if code in t.index else {}
        return {code, *(str(row.get(k)) for k in ("epci", "groupement") if _present(row.get(k)))} | racine
    if niveau == "epci":
        g = t.loc[code, "groupement"] if code in t.index else None
        membres = set(territoires.loc[territoires["epci"] == code, "code"])
        return {code} | membres | ({str(g)} if _present(g) else set()) | racine
    epcis = set(territoires.loc[(territoires["niveau"] == "epci") & (territoires["groupement"] == code), "code"])
    membres = set(territoires.loc[territoires["epci"].isin(epcis), "code"])
    return {code} | epcis | membres | racine


def jours_par_epci(programme: pd.DataFrame, territoires: pd.DataFrame) -> pd.DataFrame:
    """Days of the dossiers naming each EPCI or one of its communes [code, nom, jours].

    Like the bars by partner territory, a dossier counts in full for every EPCI it names;
    dossiers of a grouping or of the whole territory are not spread over EPCI."""
    communes = territoires[territoires["niveau"] == "commune"].set_index("code")["epci"]
    epcis = territoires[territoires["niveau"] == "epci"]
    jours = dict.fromkeys(epcis["code"], 0.0)
    for texte, j in zip(programme["territoires"], programme["jours"]):
        nommes = {c if c in jours else communes.get(c) for c in _codes(texte)}
        for e in nommes & set(jours):
            jours[e] += float(j)
    out = epcis[["code", "nom"]].copy()
    out["jours"] = [jours[c] for c in out["code"]]
    return out.reset_index(drop=True)


def carte_epci(communes: pd.DataFrame, epci: pd.DataFrame) -> pd.DataFrame:
    """One row per commune [code, nom, epci, valeur]: the days of its EPCI, for the map."""
    jours = dict(zip(epci["code"], epci["jours"]))
    out = communes[["code", "nom", "epci"]].copy()
    out["valeur"] = [jours.get(e) for e in out["epci"]]
    return out


def table_programme(programme: pd.DataFrame, concernes: pd.Series, noms: dict[str, str]) -> pd.DataFrame:
    """The sortable table of dossiers, partner codes replaced by their names."""
    return pd.DataFrame({
        "Dossier n°": programme["id"],
        "Axe": programme["axe"].astype(int),
        "Section": programme["section"],
        "Dossier": programme["dossier"],
        "Jours": programme["jours"].astype(float),
        "Correspondant": programme["correspondant"],
        "Territoires": [", ".join(noms.get(c, c) for c in _codes(t)) for t in programme["territoires"]],
        "Concerne la sélection": ["oui" if c else "non" for c in concernes],
    })


def table_jours(libelles, jours, colonne: str) -> pd.DataFrame:
    """Text alternative of a bar chart of days."""
    return pd.DataFrame({colonne: list(libelles), "Jours": [fmt.valeur(v, "jours", 1) for v in jours]})


def legende_html(items: list[tuple[str, tuple[int, int, int]]], titre: str) -> str:
    """A map legend (class label, rgb) as small HTML swatches: pydeck draws none."""
    cases = "".join(
        f'<span style="display:inline-flex;align-items:center;margin:0 .8em .3em 0">'
        f'<span style="width:1em;height:1em;background:rgb{tuple(rgb)};display:inline-block;'
        f'margin-right:.35em;border:1px solid #888"></span>{label}</span>'
        for label, rgb in items)
    return f'<div style="font-size:.9em"><b>{titre}</b><br/>{cases}</div>'


def table_agence(agence: pd.DataFrame) -> pd.DataFrame:
    """The agency's facts as French text."""
    return pd.DataFrame({
        "Rubrique": agence["rubrique"],
        "Chiffre": agence["libelle"],
        "Valeur": [fmt.valeur(v, u, 1 if float(v) % 1 else 0) for v, u in zip(agence["valeur"], agence["unite"])],
        "Année": agence["annee"].astype(int).astype(str),
        "Source": agence["source"],
    })


# ---------------------------------------------------------------- rendering


def agence(build_info: dict) -> str:
    """The agency name printed on exports ("Réalisation : ..."), from build.json."""
    t = build_info.get("territory") or {}
    return str(t.get("agence") or t.get("agency") or "")


def territoires_compares(selection, references: list[dict]) -> tuple[tuple[str, str], ...]:
    """(niveau, code) of the selection followed by its reference levels, for `access.valeurs`."""
    return ((selection.niveau, selection.code),) + tuple((r["niveau"], r["code"]) for r in references)


def texte_alternatif(table: pd.DataFrame) -> str:
    """One sentence per row of a text table ("Béthune : 12,3 %"), for screen readers and exports."""
    return " ; ".join(" – ".join(str(v) for v in row) for row in table.itertuples(index=False))
