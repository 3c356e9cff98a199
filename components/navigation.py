"""The pages of the app, listed once: the fixed pages (files in `pages/`) and one generic
page per theme of `datasets/themes.toml`. `app.py` builds its navigation from it; the tests
and the benchmarks iterate over it (Streamlit-free, except `st_pages`)."""
from __future__ import annotations

from dataclasses import dataclass

from components import themes
from components.themes import Theme


@dataclass(frozen=True)
class PageInfo:
    url: str  # URL path (/demographie), also the page's id in tests and benchmarks
    titre: str  # navigation label
    titre_page: str  # the page's own title (st.title)
    icone: str
    fichier: str | None = None  # pages/<url>.py for a fixed page
    theme: Theme | None = None  # the generic theme page of this theme
    defaut: bool = False
    premier_element: str = "plotly"  # what the page draws first: plotly, deck, dataframe, table (HTML)


def _premier_element(t: Theme) -> str:
    """What a theme page draws first: its first section (the open tab) starts with a table of
    counts, a chart, or a map (`theme_charts.section_parts` order)."""
    s = t.sections[0] if t.sections else None
    if s is None or s.chiffres:
        return "table" if s is not None else "plotly"
    return "plotly" if (s.structure or s.comparaison or s.evolution or s.croissance) else "deck"


def _theme(t: Theme) -> PageInfo:
    return PageInfo(t.url, t.titre, t.titre, t.icone, theme=t, premier_element=_premier_element(t))


PAGES: tuple[PageInfo, ...] = (
    PageInfo("accueil", "Accueil", "Chiffres clés", ":material/home:", "pages/accueil.py", defaut=True,
             premier_element="deck"),
    *(_theme(t) for t in themes.THEMES),
    PageInfo("programme", "Programme de l'Agence", "Programme de l'Agence", ":material/event_note:", "pages/programme.py"),
    PageInfo("commune", "Commune", "Commune", ":material/location_city:", "pages/commune.py"),
    PageInfo("comparer", "Comparer", "Comparer", ":material/compare_arrows:", "pages/comparer.py"),
    PageInfo("sources", "Sources et définitions", "Sources et définitions", ":material/menu_book:", "pages/sources.py",
             premier_element="dataframe"),
)


def page(url: str) -> PageInfo:
    return next(p for p in PAGES if p.url == url)


def page_of_theme(theme_id: str) -> PageInfo:
    return next(p for p in PAGES if p.theme is not None and p.theme.id == theme_id)


def st_pages() -> list:
    """The `st.Page` objects of the navigation (the theme pages share one callable)."""
    import streamlit as st

    from components import sections, state

    out = []
    for p in PAGES:
        if p.fichier:
            out.append(st.Page(p.fichier, title=p.titre, icon=p.icone, default=p.defaut))
            continue

        def render(theme: Theme = p.theme) -> None:
            sections.theme_page(state.context(), theme)

        out.append(st.Page(render, title=p.titre, icon=p.icone, url_path=p.url))
    return out


def open_in_apptest(at, url: str):
    """Point a `streamlit.testing` AppTest of app.py at a page, by URL path (tests and
    benchmarks). `AppTest.switch_page` only knows page files; a theme page is a callable that
    st.navigation registers under its URL path, and Streamlit identifies every page by the
    hash of that path (st.Page._script_hash)."""
    from streamlit.util import calc_hash

    page(url)  # a page of the app, or StopIteration
    at._page_hash = calc_hash(url)
    return at
