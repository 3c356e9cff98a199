"""Sections of the theme pages: a part built by `components.theme_charts` and everything a
visitor must see with it.

The one place where a chart meets Streamlit, so that every page shows the same things
under a chart: source and vintage, the demonstration badge, a text alternative and the
export buttons."""
from __future__ import annotations

import re

import streamlit as st

from components import cards, carte_interactive, layout, theme_charts
from components.context import Context
from components.downloads import chart_downloads
from components.theme_charts import Chart, Message, Table
from components.themes import Section, Theme
from datasets import niveaux

VIDE = "theme_vide"  # the container of a theme page with no data yet (benchmarks wait for it)


def afficher(part: Chart | Table | Message | None, key: str | None = None, ctx: Context | None = None) -> None:
    """Chart, then source/vintage caption (+ demo badge), data table in an expander, downloads;
    a table with its sources; or the message saying why nothing can be shown."""
    if part is None:
        return
    if isinstance(part, Message):
        st.info(part.texte)
        return
    if isinstance(part, Table):
        cards.afficher_table(part.table)  # a grid on a wide screen, stacked cards on a phone
        layout.source_caption(list(part.source_ids), part.demo)
        return
    key = key or part.id
    if part.carte is not None:
        carte(part, key, ctx=ctx)
        return
    m = part.meta
    st.plotly_chart(part.fig, key=f"fig_{key}", alt=m.alt or m.titre, config=PLOTLY_CONFIG)
    layout.source_caption(list(part.source_ids), m.demo, part.millesime)
    details(part.table, part.fig, part.data, m, key)


DETAILS = "Données et téléchargements"
# No Plotly toolbar: its PNG carried neither title, territory, source nor vintage (the
# images of « Données et téléchargements » do), it covered the titles on a phone, and
# drawing it for every chart slowed each change of commune (issue 13). Streamlit's own
# fullscreen button stays.
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}


def details(table, fig, data, meta, key: str) -> None:
    """One control per chart: the data as a text table and the PNG, SVG, CSV and XLSX
    downloads, sent only when the visitor opens it (a page of ten charts no longer sends ten
    data grids and forty buttons with its first screen; issue 13). The chart itself carries
    its text alternative (`alt`) for screen readers."""
    exp = st.expander(DETAILS, key=f"det_{key}", on_change="rerun", icon=":material/download:")
    if exp.open:
        with exp:
            st.dataframe(table, hide_index=True)
            chart_downloads(fig, data, meta, key)


def carte(part: Chart, key: str, on_select: bool = False, ctx: Context | None = None):
    """A map of the communes: the deck (no scroll trap, a way back to the whole perimeter, the
    selected commune outlined and named with the largest ones), its legend, source, text table
    and downloads. Returns the deck's selection event when `on_select`."""
    c, m = part.carte, part.meta
    st.subheader(m.titre)
    if len(c.edges) < 2:
        st.info("Aucune valeur disponible pour cet indicateur à ce niveau : la carte ne peut pas être colorée.")
    selection = ctx.code if ctx is not None and ctx.est_plus_fin else None
    niveau, code = ctx.perimetre if ctx is not None else (niveaux.ENSEMBLE, None)
    event = carte_interactive.afficher(
        c, f"carte_{key}", f"Carte des communes : {m.titre}. Le tableau des valeurs est dans « {DETAILS} ».",
        selection, carte_interactive.noms(niveau, code, selection), on_select="rerun" if on_select else "ignore")
    # plain HTML (sanitised), not markdown with HTML: the markdown-with-HTML script chunk
    # (190 kB) is not fetched while the map's own script loads (issue 13)
    st.html(f'<div class="cc-legende" role="group" aria-label="Légende">{c.legende}</div>')
    st.caption("Classes par quantiles." + (" Cliquez sur une commune pour ouvrir sa fiche." if on_select else ""))
    layout.source_caption(list(part.source_ids), m.demo, part.millesime)
    details(c.table, c.static, c.donnees, m, key)
    return event


def comparer(ctx: Context, ind: dict, key: str | None = None) -> None:
    """One catalogue indicator, latest vintage, the context's selection next to its references."""
    part = theme_charts.comparaison(ctx, ind)
    afficher(part, key)


def premier_ecran(parts: list, graphiques: int) -> tuple[list, list]:
    """The parts shown with the section (up to its `graphiques`-th chart) and the ones that
    follow on demand; nothing follows when only tables or messages remain."""
    vus = 0
    for i, part in enumerate(parts):
        vus += isinstance(part, Chart)
        if vus == graphiques:
            reste = parts[i + 1:]
            return (parts[:i + 1], reste) if any(isinstance(p, Chart) for p in reste) else (parts, [])
    return parts, []


_MARKDOWN = re.compile(r"([\\`*_$~<>#|\[\]])")


def _texte(titre: str) -> str:
    """A title as plain text inside a markdown label."""
    return _MARKDOWN.sub(r"\\\1", titre)


def suite_label(reste: list) -> str:
    """The switch that shows the rest of a section names what it shows (the titles as text:
    a widget label is markdown, where `*`, `_` or `$` would format or hide characters)."""
    titres = [f"« {_texte(p.meta.titre)} »" for p in reste if isinstance(p, Chart)]
    n = len(titres)
    return f"Afficher {'le graphique suivant' if n == 1 else f'les {n} graphiques suivants'} : {', '.join(titres)}"


def suite_key(key: str) -> str:
    """The widget key of a section's « show the rest » switch."""
    return f"suite_{key}"


_SUITES = "_cc_suites_affichees"  # the switches turned on in this session


def suite(reste: list, key: str) -> bool:
    """The switch under a section's first chart. Once turned on it stays on for the session:
    other territories, other tabs and pages, and back (a widget that is not drawn in a run
    would otherwise forget its value)."""
    k = suite_key(key)
    allumees = st.session_state.setdefault(_SUITES, set())
    st.session_state[k] = k in allumees

    def changed() -> None:
        (allumees.add if st.session_state[k] else allumees.discard)(k)

    return st.toggle(suite_label(reste), key=k, on_change=changed)


def section(ctx: Context, s: Section, titre: bool = True, *, key: str) -> None:
    """A section's parts; under its own header, unless its tab already names it.

    Its first chart (or its first `premier_ecran` charts) comes with the section; the others
    follow when the visitor turns on the switch under it, which names them and stays on for
    the next territories (issue 13: a first screen and a change of commune draw one chart).
    A switch, not an expander: each chart keeps its own « Données et téléchargements »
    expander, and Streamlit does not nest expanders."""
    if titre:
        st.header(s.titre)
    parts = [part for _, part in theme_charts.section_parts(ctx, s)]
    d_abord, reste = premier_ecran(parts, s.premier_ecran)
    for part in d_abord:
        afficher(part, ctx=ctx)
    if reste and suite(reste, key):
        for part in reste:
            afficher(part, ctx=ctx)


def onglets_key(theme: Theme) -> str:
    """The widget key of a theme page's section tabs (its value: the open section's title)."""
    return f"sections_{theme.id}"


def theme_page(ctx: Context, theme: Theme) -> None:
    """The generic theme page: its sections in the order of the themes file, one tab each.

    Only the open tab is built and sent (the first by default): a page's first screen is its
    first section, and a change of commune redraws two or three charts, not ten (issue 13).
    The open tab is kept when the territory changes; its label is the section's heading (no
    second header under it: on a phone the key values come first)."""
    layout.page_start(theme.titre, ctx, demo=theme_charts.demo(theme))
    if theme.note:
        st.caption(theme.note)
    if not theme_charts.present(theme.indicateurs):
        with st.container(key=VIDE):
            st.info("Les données de ce thème ne sont pas encore chargées dans l'entrepôt.")
        return
    shown = [s for s in theme.sections if theme_charts.present(s.indicateurs)]
    if len(shown) == 1:
        section(ctx, shown[0], key=f"{theme.id}_0")
        return
    tabs = st.tabs([s.titre for s in shown], key=onglets_key(theme), on_change="rerun")
    for i, (s, tab) in enumerate(zip(shown, tabs)):
        if tab.open:
            with tab:
                section(ctx, s, titre=False, key=f"{theme.id}_{i}")
