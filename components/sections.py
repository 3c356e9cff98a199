"""Sections of the theme pages: a figure and everything a visitor must see with it.

The one place where a chart meets Streamlit, so that every page shows the same
things under a chart: source and vintage, the demonstration badge, a text
alternative and the export buttons. The figures themselves come from the pure
builders of `components.charts`."""
from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import charts, layout
from components.chart_meta import ChartMeta
from components.charts import (
    completer, meta, parts, table_texte, tableau_valeurs, taux_annuels, taux_periode, texte_alternatif,
)
from components.downloads import chart_downloads
from datasets import access


class _Memo:
    """A bounded LRU of results shared read-only by every rerun and session, keyed by a
    digest of the pickled inputs: ~0.1 ms, where Streamlit's own argument hashing of
    DataFrames costs ~1.7 ms a call."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, build, args: tuple, kwargs: dict):
        name = f"{build.__module__}.{build.__qualname__}"
        key = hashlib.blake2b(pickle.dumps((name, args, kwargs), protocol=5), digest_size=16).hexdigest()
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = build(*args, **kwargs)
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_FIGURES = _Memo(256)  # a figure is ~70 KB: at most ~19 MB
# what a section shows (its figure, text table, export metadata): a few KB besides the figure
_SECTIONS = _Memo(256)


def figure(builder, *args, **kwargs) -> go.Figure:
    """A figure built once per distinct input and shared read-only by every rerun
    and session (exports annotate a copy). Building plotly figures dominates page
    reruns. Bounded (LRU).
    `builder`: a function returning a plotly figure, or the name of one in `charts`."""
    build = getattr(charts, builder) if isinstance(builder, str) else builder
    return _FIGURES.get(build, args, kwargs)


def _prepared(build, *args, **kwargs):
    """The data part of a section (queries, pandas presentation, figure, metadata), computed
    once per distinct input and warehouse build and shared read-only: what remains of a
    rerun is sending the elements. The warehouse build is part of the key because the
    inputs name data (indicator, territories) rather than carry it."""
    built_at = str((access.build_info() or {}).get("built_at", ""))
    return _SECTIONS.get(build, (built_at,) + args, kwargs)


def afficher(fig: go.Figure, donnees: pd.DataFrame, table: pd.DataFrame, m: ChartMeta, key: str,
             source_ids, millesime=None) -> None:
    """Chart, then source/vintage caption (+ demo badge), data table in an expander, downloads."""
    st.plotly_chart(fig, key=f"fig_{key}", alt=m.alt or m.titre, config={"displaylogo": False})
    layout.source_caption(source_ids, m.demo, millesime)
    with st.expander("Voir les données (texte)"):
        st.dataframe(table, hide_index=True)
    chart_downloads(fig, donnees, m, key)


def comparer(ind: dict, selection, territoires: tuple, key: str, agence: str = "") -> None:
    """One catalogue indicator, latest vintage, the selection next to its reference levels."""
    shown = _prepared(_comparer, ind, selection, territoires, agence)
    if isinstance(shown, str):
        st.info(shown)
        return
    afficher(*shown[:4], key, *shown[4:])


def _comparer(built_at: str, ind, selection, territoires: tuple, agence: str):
    df = access.valeurs((ind["indicateur"],), territoires)
    if df.empty:
        return f"{ind['libelle']} : non disponible pour ce territoire."
    df = completer(df, territoires, _noms(territoires))
    unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
    millesime = int(df["millesime"].max())
    titre = f"{ind['libelle']} ({millesime})"
    fig = figure("barres_comparaison", df, unite, dec, titre, selection=selection.nom)
    table = table_texte(df, {"nom": "Territoire", "valeur": ind["libelle"]}, unite, dec)
    m = meta(titre, selection.code, selection.nom, ind["indicateur"], millesime,
             _source_line(df), bool(df["demo"].any()), [ind], texte_alternatif(table), agence)
    return fig, df, table, m, list(df["source_id"].dropna().unique()), millesime


def chiffres(indicateurs: pd.DataFrame, territoires: tuple) -> None:
    """Counts of several catalogue indicators as a text table (territories of very different
    sizes read better in a table than in bars), with their sources under it."""
    shown = _prepared(_chiffres, indicateurs, territoires)
    if isinstance(shown, str):
        st.info(shown)
        return
    table, source_ids, demo = shown
    st.dataframe(table, hide_index=True)
    layout.source_caption(source_ids, demo)


def _chiffres(built_at: str, indicateurs: pd.DataFrame, territoires: tuple):
    df = access.valeurs(tuple(indicateurs["indicateur"]), territoires)
    if df.empty:
        return "Données non disponibles pour ce territoire."
    df = completer(df, territoires, _noms(territoires), list(indicateurs["indicateur"]))
    return tableau_valeurs(df, indicateurs), list(df["source_id"].dropna().unique()), bool(df["demo"].any())


def croissance(ind, serie: pd.DataFrame, selection, references: list[dict], agence: str = "") -> None:
    """Mean annual growth between consecutive vintages of the selection, then over the
    vintages it shares with its reference levels, compared."""
    sources = list(serie["source_id"].dropna().unique())
    demo = bool(serie["demo"].any()) if len(serie) else False
    libelle = str(ind["libelle"]).lower()
    taux = taux_annuels(serie)
    if len(taux):
        titre = f"Taux de croissance annuel moyen entre millésimes : {libelle}"
        table = table_texte(taux, {"periode": "Période", "valeur": "Taux annuel moyen"}, "%", 2)
        m = meta(titre, selection.code, selection.nom, f"croissance_{ind['indicateur']}", int(taux["fin"].max()),
                 _source_line(serie), demo, [ind], texte_alternatif(table), agence)
        afficher(figure("barres_taux", taux, titre), taux, table, m, f"croissance_{ind['indicateur']}", sources,
                 f"{int(taux['debut'].min())} à {int(taux['fin'].max())}")
    series = {selection.nom: serie}
    for r in references:
        series[r["nom"]] = access.serie(ind["indicateur"], r["niveau"], r["code"])
    periode = taux_periode(series)
    if not periode["debut"].notna().any():
        st.info("La croissance ne peut pas être comparée : les territoires n'ont pas deux millésimes en commun.")
        return
    debut, fin = int(periode["debut"].dropna().iloc[0]), int(periode["fin"].dropna().iloc[0])
    titre = f"Croissance annuelle moyenne, {debut}–{fin} : {libelle}"
    table = table_texte(periode, {"nom": "Territoire", "valeur": "Taux annuel moyen"}, "%", 2)
    m = meta(titre, selection.code, selection.nom, f"croissance_comparee_{ind['indicateur']}", fin,
             _source_line(serie), demo, [ind], texte_alternatif(table), agence)
    afficher(figure("barres_comparaison", periode, "%", 2, titre, selection=selection.nom), periode, table, m,
             f"croissance_comparee_{ind['indicateur']}", sources, f"{debut} à {fin}")


def _noms(territoires: tuple) -> dict[str, str]:
    return {c: (access.territoire(c, n) or {}).get("nom", c) for n, c in territoires}


def _source_line(df: pd.DataFrame) -> str:
    return layout.source_text(list(df["source_id"].dropna().unique()))


def structure(cat: pd.DataFrame, categories: list[str], total: str, selection, territoires: tuple,
              key: str, titre: str, empile: bool = True, reste: str | None = None,
              prefixe: str = "", agence: str = "", libelles: dict[str, str] | None = None) -> None:
    """Shares of `categories` (catalogue ids) in `total`, the selection next to its references.

    Labels come from the catalogue (`prefixe` is removed: "Population de 0 à 14 ans" ->
    "0 à 14 ans") unless `libelles` gives shorter ones; stacked bars per territory, or
    grouped bars per category."""
    shown = _prepared(_structure, cat, categories, total, selection, territoires, key, titre, empile, reste,
                      prefixe, agence, libelles)
    if isinstance(shown, str):
        st.info(shown)
        return
    afficher(*shown[:4], key, *shown[4:])


def _structure(built_at: str, cat: pd.DataFrame, categories: list[str], total: str, selection, territoires: tuple,
               key: str, titre: str, empile: bool, reste: str | None, prefixe: str, agence: str,
               libelles: dict[str, str] | None):
    lib = cat.set_index("indicateur")["libelle"]
    labels = {c: (libelles or {}).get(c) or str(lib.get(c, c)).removeprefix(prefixe) for c in categories}
    df = access.valeurs(tuple(categories) + (total,), territoires)
    if not df.empty and df["millesime"].nunique() > 1:
        # shares of one vintage only: a real 2018 count over a 2021 total would be nonsense
        ans = ", ".join(f"{labels.get(i, lib.get(i, i))} {int(m)}"
                        for i, m in df.groupby("indicateur")["millesime"].max().items())
        return f"{titre} : non disponible, les données n'ont pas de millésime commun ({ans})."
    if not df.empty:
        df = completer(df, territoires, _noms(territoires), list(categories) + [total])
    p = parts(df, labels, total, reste)
    if p.empty:
        return f"{titre} : non disponible pour ce territoire."
    millesime = int(df["millesime"].max())
    titre_m = f"{titre} ({millesime})"
    ordre = list(labels.values()) + ([reste] if reste else [])
    ordre = [c for c in ordre if c in set(p["categorie"])]
    if empile:
        fig = figure("parts_empilees", p, titre_m, ordre)
    else:
        fig = figure("parts_groupees", p, titre_m, selection.nom, ordre)
    table = table_texte(p, {"nom": "Territoire", "categorie": "Catégorie", "valeur": "Part"}, "%", 1)
    inds = [r for _, r in cat[cat["indicateur"].isin(categories + [total])].iterrows()]
    m = meta(titre_m, selection.code, selection.nom, key, millesime, _source_line(df),
             bool(df["demo"].any()), inds, texte_alternatif(table), agence)
    return fig, p, table, m, list(df["source_id"].dropna().unique()), millesime


def evolution(ind, selection, key: str, agence: str = "") -> pd.DataFrame:
    """The selection's series of one indicator over every vintage; returns the series.

    With a single vintage, says that no evolution can be shown rather than drawing a dot."""
    serie, shown = _prepared(_evolution, ind, selection, agence)
    if isinstance(shown, str):
        st.info(shown)
    else:
        afficher(*shown[:4], key, *shown[4:])
    return serie.copy()


def _evolution(built_at: str, ind, selection, agence: str):
    s = access.serie(ind["indicateur"], selection.niveau, selection.code)
    ok = s[s["valeur"].notna()] if len(s) else s
    if len(ok) < 2:
        return s, f"{ind['libelle']} : un seul millésime disponible, l'évolution ne peut pas être montrée."
    unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
    d = s.assign(nom=selection.nom)
    debut, fin = int(s["millesime"].min()), int(s["millesime"].max())
    titre = f"{ind['libelle']} ({debut}–{fin})"
    fig = figure("serie_temporelle", d, unite, dec, titre, selection=selection.nom)
    table = table_texte(d, {"millesime": "Millésime", "valeur": ind["libelle"]}, unite, dec)
    m = meta(titre, selection.code, selection.nom, ind["indicateur"], fin, _source_line(d),
             bool(d["demo"].any()), [ind], texte_alternatif(table), agence)
    return s, (fig, d, table, m, list(d["source_id"].dropna().unique()), f"{debut} à {fin}")
