"""What a theme page shows, as data: every part of a section of `datasets/themes.toml`
turned into charts, tables or messages for one context. Streamlit-free, so that the page
(`components/sections.py` draws these), the exports (the ZIP holds every chart of every
theme page) and the fiche build the same objects.

Every builder is cached per warehouse build (`datasets.cache`): the figures are shared
read-only by every session (exports annotate a copy)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from components import charts, maps
from components.chart_meta import ChartMeta
from components.context import Context
from components.themes import Section, Structure, Theme
from datasets import access, cache

_CHARTS = cache.Store("theme_charts", 512)  # a figure is ~70 KB: at most ~36 MB
# maps are weighed by the communes they hold (≈ 5 KB each): ≈ 25 MB
_MAPS = cache.Store("maps", 5000, weight=lambda c: getattr(c, "communes", 1))


@dataclass(frozen=True)
class Chart:
    id: str
    fig: go.Figure
    data: pd.DataFrame  # the table behind the chart (CSV/XLSX)
    table: pd.DataFrame  # the French text table shown under the chart
    meta: ChartMeta
    source_ids: tuple[str, ...]
    millesime: object = None  # the vintage (or "2016 à 2022") printed in the caption
    carte: maps.Carte | None = None  # for a map: the interactive deck besides the static figure


@dataclass(frozen=True)
class Table:
    table: pd.DataFrame
    source_ids: tuple[str, ...]
    demo: bool


@dataclass(frozen=True)
class Message:
    texte: str


# ---------------------------------------------------------------- sources


def _ids(source_ids) -> list[str]:
    if source_ids is None:
        return []
    if isinstance(source_ids, str):
        source_ids = [source_ids]
    return list(dict.fromkeys(s for s in source_ids if isinstance(s, str) and s))


def source_label(source_id: str) -> str:
    """"Insee, Base chiffres clés Logement 2021 (géographie 2024)" for one source."""
    src = access.source(source_id) or {}
    titre = src.get("titre") or source_id
    producteur = src.get("producteur")
    texte = f"{producteur}, {titre}" if producteur and not str(titre).startswith(str(producteur)) else str(titre)
    geo = src.get("geographie")
    if geo is not None and str(geo) not in ("", "nan", "<NA>"):
        texte += f" (géographie {int(geo)})"
    return texte


def source_text(source_ids: Iterable[str] | str | None) -> str:
    ids = _ids(source_ids)
    if not ids:
        return "Source : non renseignée"
    prefix = "Source" if len(ids) == 1 else "Sources"
    return f"{prefix} : " + " ; ".join(source_label(s) for s in ids)


def _sources(df: pd.DataFrame) -> tuple[str, ...]:
    return tuple(df["source_id"].dropna().unique()) if "source_id" in df else ()


# ---------------------------------------------------------------- catalogue


def rows(ids: Iterable[str]) -> list[dict]:
    """Catalogue rows of the ids that the warehouse knows (others are skipped: a theme
    lights up when its data is built)."""
    return [r for i in ids if (r := access.indicateur(i)) is not None]


def present(ids: Iterable[str]) -> list[str]:
    return [r["indicateur"] for r in rows(ids)]


def demo(theme: Theme) -> bool:
    return any(bool(r.get("demo")) for r in rows(theme.indicateurs))


def _noms(ctx: Context) -> dict[str, str]:
    return {ctx.code: ctx.nom, **{r.code: r.nom for r in ctx.references}}


def _territoires(ctx: Context, courts: bool) -> tuple[tuple[str, str], ...]:
    return ctx.territoires_courts if courts else ctx.territoires


# ---------------------------------------------------------------- builders (pure, cached)


def _memo(name: str, ctx: Context, compute, *key):
    return _CHARTS.get(ctx.build_id, (name, ctx, *key), compute)


def comparaison(ctx: Context, ind: dict, courts: bool = False) -> Chart | Message:
    """One indicator, latest vintage, the selection next to its reference levels."""
    return _memo("comparaison", ctx, lambda: _comparaison(ctx, ind, courts), ind["indicateur"], courts)


def _comparaison(ctx: Context, ind: dict, courts: bool) -> Chart | Message:
    terr = _territoires(ctx, courts)
    df = access.valeurs((ind["indicateur"],), terr)
    if df.empty:
        return Message(f"{ind['libelle']} : non disponible pour ce territoire.")
    df = charts.completer(df, terr, _noms(ctx))
    unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
    millesime = int(df["millesime"].max())
    titre = f"{ind['libelle']} ({millesime})"
    fig = charts.barres_comparaison(df, unite, dec, titre, selection=ctx.nom)
    table = charts.table_texte(df, {"nom": "Territoire", "valeur": ind["libelle"]}, unite, dec)
    cid = f"comparaison_{ind['indicateur']}"
    m = charts.meta(titre, ctx.code, ctx.nom, cid, millesime, source_text(_sources(df)), bool(df["demo"].any()),
                    [ind], charts.texte_alternatif(table), ctx.agence)
    return Chart(cid, fig, df, table, m, _sources(df), millesime)


def chiffres(ctx: Context, ids: tuple[str, ...], courts: bool = False) -> Table | Message | None:
    """Counts of several indicators as a text table, the selection next to its references."""
    ids = tuple(present(ids))
    if not ids:
        return None
    return _memo("chiffres", ctx, lambda: _chiffres(ctx, ids, courts), ids, courts)


def _chiffres(ctx: Context, ids: tuple[str, ...], courts: bool) -> Table | Message:
    terr = _territoires(ctx, courts)
    df = access.valeurs(ids, terr)
    if df.empty:
        return Message("Données non disponibles pour ce territoire.")
    df = charts.completer(df, terr, _noms(ctx), list(ids))
    return Table(charts.tableau_valeurs(df, pd.DataFrame(rows(ids))), _sources(df), bool(df["demo"].any()))


def structure(ctx: Context, s: Structure, courts: bool = False) -> Chart | Message | None:
    """Shares of the categories in the total, the selection next to its references."""
    if access.indicateur(s.total) is None or not present(s.categories):
        return None
    return _memo("structure", ctx, lambda: _structure(ctx, s, courts), s, courts)


def _structure(ctx: Context, s: Structure, courts: bool) -> Chart | Message:
    cats = present(s.categories)
    lib = dict(s.libelles)
    labels = {c: lib.get(c) or str(access.indicateur(c)["libelle"]).removeprefix(s.prefixe) for c in cats}
    terr = _territoires(ctx, courts)
    df = access.valeurs((*cats, s.total), terr)
    if not df.empty and df["millesime"].nunique() > 1:
        # shares of one vintage only: a real 2018 count over a 2021 total would be nonsense
        ans = ", ".join(f"{labels.get(i, access.indicateur(i)['libelle'])} {int(m)}"
                        for i, m in df.groupby("indicateur")["millesime"].max().items())
        return Message(f"{s.titre} : non disponible, les données n'ont pas de millésime commun ({ans}).")
    if not df.empty:
        df = charts.completer(df, terr, _noms(ctx), [*cats, s.total])
    p = charts.parts(df, labels, s.total, s.reste)
    if p.empty:
        return Message(f"{s.titre} : non disponible pour ce territoire.")
    millesime = int(df["millesime"].max())
    titre = f"{s.titre} ({millesime})"
    ordre = [c for c in [*labels.values(), *([s.reste] if s.reste else [])] if c in set(p["categorie"])]
    fig = (charts.parts_empilees(p, titre, ordre) if s.empile
           else charts.parts_groupees(p, titre, ctx.nom, ordre))
    table = charts.table_texte(p, {"nom": "Territoire", "categorie": "Catégorie", "valeur": "Part"}, "%", 1)
    m = charts.meta(titre, ctx.code, ctx.nom, s.id, millesime, source_text(_sources(df)), bool(df["demo"].any()),
                    rows([*cats, s.total]), charts.texte_alternatif(table), ctx.agence)
    data = p.merge(df.groupby("code", as_index=False).agg(millesime=("millesime", "max"), demo=("demo", "any")),
                   on="code", how="left")
    return Chart(s.id, fig, data, table, m, _sources(df), millesime)


def evolution(ctx: Context, ind: dict) -> Chart | Message:
    """The selection's series of one indicator over every vintage (a single vintage: a message)."""
    return _memo("evolution", ctx, lambda: _evolution(ctx, ind), ind["indicateur"])


def _evolution(ctx: Context, ind: dict) -> Chart | Message:
    s = access.serie(ind["indicateur"], ctx.niveau, ctx.code)
    ok = s[s["valeur"].notna()] if len(s) else s
    if len(ok) < 2:
        return Message(f"{ind['libelle']} : un seul millésime disponible, l'évolution ne peut pas être montrée.")
    unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
    d = s.assign(code=ctx.code, nom=ctx.nom)[["code", "nom", "millesime", "valeur", "statut", "demo", "source_id"]]
    debut, fin = int(s["millesime"].min()), int(s["millesime"].max())
    titre = f"{ind['libelle']} ({debut}–{fin})"
    fig = charts.serie_temporelle(d, unite, dec, titre, selection=ctx.nom)
    table = charts.table_texte(d, {"millesime": "Millésime", "valeur": ind["libelle"]}, unite, dec)
    m = charts.meta(titre, ctx.code, ctx.nom, ind["indicateur"], fin, source_text(_sources(d)),
                    bool(d["demo"].any()), [ind], charts.texte_alternatif(table), ctx.agence)
    return Chart(ind["indicateur"], fig, d.drop(columns=["source_id"]), table, m, _sources(d), f"{debut} à {fin}")


def croissance(ctx: Context, ind: dict) -> list[Chart | Message]:
    """Mean annual growth between consecutive vintages of the selection, then over the
    vintages it shares with its reference levels, compared."""
    return _memo("croissance", ctx, lambda: _croissance(ctx, ind), ind["indicateur"])


def _croissance(ctx: Context, ind: dict) -> list[Chart | Message]:
    out: list[Chart | Message] = []
    serie = access.serie(ind["indicateur"], ctx.niveau, ctx.code)
    sources = _sources(serie)
    source = source_text(sources)
    est_demo = bool(serie["demo"].any()) if len(serie) else False
    libelle = str(ind["libelle"]).lower()
    taux = charts.taux_annuels(serie)
    if len(taux):
        titre = f"Taux de croissance annuel moyen entre millésimes : {libelle}"
        table = charts.table_texte(taux, {"periode": "Période", "valeur": "Taux annuel moyen"}, "%", 2)
        cid = f"croissance_{ind['indicateur']}"
        m = charts.meta(titre, ctx.code, ctx.nom, cid, int(taux["fin"].max()), source, est_demo, [ind],
                        charts.texte_alternatif(table), ctx.agence)
        out.append(Chart(cid, charts.barres_taux(taux, titre), taux, table, m, sources,
                         f"{int(taux['debut'].min())} à {int(taux['fin'].max())}"))
    series = {ctx.nom: serie}
    for r in ctx.references:
        series[r.nom] = access.serie(ind["indicateur"], r.niveau, r.code)
    periode = charts.taux_periode(series)
    if not periode["debut"].notna().any():
        out.append(Message("La croissance ne peut pas être comparée : les territoires n'ont pas deux millésimes en commun."))
        return out
    debut, fin = int(periode["debut"].dropna().iloc[0]), int(periode["fin"].dropna().iloc[0])
    titre = f"Croissance annuelle moyenne, {debut}–{fin} : {libelle}"
    table = charts.table_texte(periode, {"nom": "Territoire", "valeur": "Taux annuel moyen"}, "%", 2)
    cid = f"croissance_comparee_{ind['indicateur']}"
    m = charts.meta(titre, ctx.code, ctx.nom, cid, fin, source, est_demo, [ind], charts.texte_alternatif(table), ctx.agence)
    out.append(Chart(cid, charts.barres_comparaison(periode, "%", 2, titre, selection=ctx.nom), periode, table, m,
                     sources, f"{debut} à {fin}"))
    return out


def carte(ind: dict, millesime: int | None, niveau: str, code: str | None, build_id: str) -> maps.Carte:
    """The map of one indicator, vintage and perimeter, shared by every session and page."""
    def build() -> maps.Carte:
        df = access.carte(ind["indicateur"], millesime, niveau, code)
        m = int(df["millesime"].iloc[0]) if len(df) and pd.notna(df["millesime"].iloc[0]) else millesime
        unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
        return maps.build_carte(access.geojson(), df, ind["libelle"], f"{ind['libelle']} ({m})", unite, dec)

    return _MAPS.get(build_id, (ind["indicateur"], millesime, niveau, code), build)


def carte_chart(ctx: Context, ind: dict, millesime: int | None = None) -> Chart | Message:
    """The map of the communes of the selection's perimeter, as a chart (static figure for
    the exports, deck for the page)."""
    if not ind.get("millesimes"):
        return Message(f"{ind['libelle']} : aucune valeur chargée.")
    millesime = int(millesime if millesime is not None else max(ind["millesimes"]))
    niveau, code = ctx.perimetre
    c = carte(ind, millesime, niveau, code, ctx.build_id)
    titre = f"{ind['libelle']} ({millesime})"
    df = c.donnees
    cid = f"carte_{ind['indicateur']}"
    src = tuple(s for s in ind.get("source_ids") or [] if isinstance(s, str))
    m = charts.meta(titre, ctx.code, ctx.nom, cid, millesime, source_text(src), bool(df["demo"].any()), [ind],
                    f"Carte des communes ({len(df)}) : {titre}", ctx.agence)
    return Chart(cid, c.static, df, c.table, m, src, millesime, carte=c)


# ---------------------------------------------------------------- a section, a theme


def section_parts(ctx: Context, section: Section) -> list[tuple[str, Chart | Table | Message]]:
    """The parts of one section, in the page's order, for the page and the exports."""
    out: list[tuple[str, Chart | Table | Message]] = []
    t = chiffres(ctx, section.chiffres)
    if t is not None:
        out.append(("chiffres", t))
    for s in section.structure:
        c = structure(ctx, s)
        if c is not None:
            out.append(("structure", c))
    for ind in rows(section.comparaison):
        out.append(("comparaison", comparaison(ctx, ind)))
    for ind in rows(section.evolution):
        out.append(("evolution", evolution(ctx, ind)))
    for ind in rows(section.croissance):
        out += [("croissance", c) for c in croissance(ctx, ind)]
    for ind in rows(section.carte):
        out.append(("carte", carte_chart(ctx, ind)))
    return out


def theme_charts(ctx: Context, theme: Theme) -> list[Chart]:
    """Every chart of a theme page for the context, in the page's order."""
    return [p for s in theme.sections for _, p in section_parts(ctx, s) if isinstance(p, Chart)]


def fiche_charts(ctx: Context, themes: Iterable[Theme]) -> list[Chart]:
    """The charts the themes file puts in the fiche, compared with the short references."""
    out: list[Chart] = []
    for theme in themes:
        for section in theme.sections:
            for ind in rows(section.fiche):
                c = evolution(ctx, ind)
                if isinstance(c, Chart):
                    out.append(c)
            for s in section.structure:
                if s.fiche and (c := structure(ctx, s, courts=True)) is not None and isinstance(c, Chart):
                    out.append(c)
    return out


def carte_programme(epci: pd.DataFrame, titre: str, build_id: str) -> maps.Carte:
    """The map of the days per EPCI (each commune in its EPCI's colour), the same for every
    selection and session."""
    from components import programme_data

    def build() -> maps.Carte:
        communes = programme_data.carte_epci(access.communes(), epci)
        return maps.build_carte(access.geojson(), communes, "Jours de l'EPCI", titre, "jours", 1)

    return _MAPS.get(build_id, ("programme", titre), build)


def figure(build_id: str, builder, *args) -> go.Figure:
    """A figure of a pure builder, built once per distinct input and warehouse build and shared
    read-only (building plotly figures dominated page reruns)."""
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _CHARTS.get(build_id, ("figure", name, cache.digest(*args)), lambda: builder(*args))
