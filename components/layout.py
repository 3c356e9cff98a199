"""What every page shows around its figures: title, territory, sources, demo badge."""
from __future__ import annotations

import re
import streamlit as st

from components import state, theme_charts
from components.context import Context
from datasets import niveaux

DEMO_LABEL = "Données de démonstration"
DEMO_HELP = (
    "Ces valeurs sont dérivées de fichiers de démonstration au format Insee, "
    "faute de fichier officiel chargé : elles ne décrivent pas le territoire réel."
)


class FinDePage(Exception):
    """Raised by `fin_de_page` when the page runs inside the app (app.py catches it)."""


_DANS_L_APP = "_cc_page_dans_l_app"


def page_dans_l_app(valeur: bool) -> None:
    """app.py says whether it runs the page (and draws the search and sidebar after it)."""
    st.session_state[_DANS_L_APP] = valeur


def dans_l_app() -> bool:
    """The page runs inside the app (app.py draws the search and the sidebar after it, and
    on a session's first run asks for the next one), not alone."""
    return bool(st.session_state.get(_DANS_L_APP))


def fin_de_page() -> None:
    """The page has nothing more to show (no commune chosen, no programme loaded). Inside
    the app the rest of the run goes on: the search and the sidebar are sent after the page;
    `st.stop()` would end the run before them. A page run alone stops."""
    if dans_l_app():
        raise FinDePage
    st.stop()


def page_start(titre: str, ctx: Context | None = None, demo=False) -> Context:
    """Title, selected territory and, when the page shows demo data, a short notice (`demo`:
    True, or the labels of the demo figures)."""
    ctx = ctx or state.context()
    st.title(titre)
    st.markdown(f"**{ctx.nom}** · {niveau_label(ctx.niveau)}")
    if demo:  # once per page, scoped to the figures concerned (their source line says so too)
        quoi = (demo if isinstance(demo, str) else f"pour {', '.join(demo)}"
                if not isinstance(demo, bool) and len(demo) <= 4
                else "là où la source le signale")  # short: on a phone it comes before the figures
        st.warning(f"{DEMO_LABEL} {quoi} : fichiers au format Insee, pas les valeurs réelles.",
                   icon=":material/science:")
    return ctx


NIVEAUX = niveaux.LIBELLES
niveau_label = niveaux.libelle


source_label = theme_charts.source_label
source_text = theme_charts.source_text


def demo_badge() -> None:
    st.badge(DEMO_LABEL, icon=":material/science:", color="orange", help=DEMO_HELP)


def source_ligne(source_ids, demo: bool = False, millesime=None) -> str:
    """Source (and vintage), and the demonstration mention when needed."""
    texte = source_text(source_ids)
    if millesime is not None:
        texte += f" · millésime {millesime}"
    if demo:  # the page's notice explains; here only which figures it concerns
        texte += " · données de démonstration"
    return texte


def source_caption(source_ids, demo: bool = False, millesime=None) -> None:
    """The line under a chart: `source_ligne` as a caption."""
    st.caption(source_ligne(source_ids, demo, millesime))


def choix(label: str, name: str, options: list, default, format_func=str, key: str | None = None,
          help: str | None = None, reset: tuple[str, ...] = ()):
    """A selectbox bound to a URL parameter: the link reproduces the choice, and the choice updates the link.

    `reset` names parameters that depend on this one (a vintage depends on the indicator)."""
    value = valeur_choix(name, options, default)
    choix_widget(label, name, options, value, format_func, key, help, reset)
    return value


def valeur_choix(name: str, options: list, default):
    """What `choix` will show, known before its widget is drawn (a page may draw the figure
    first and the select box above it afterwards, into a container placed earlier)."""
    return state.param(name, options, default)


def choix_widget(label: str, name: str, options: list, value, format_func=str, key: str | None = None,
                 help: str | None = None, reset: tuple[str, ...] = ()) -> None:
    key = key or f"choix_{name}"
    st.session_state[key] = value

    def changed() -> None:
        state.set_param(name, st.session_state[key])
        for other in reset:
            state.forget(other)

    st.selectbox(label, options, format_func=format_func, key=key, on_change=changed, help=help)


def markdown_subordonne(texte: str, niveaux: int = 2) -> str:
    """Demote the headings of a markdown document shown inside a page (its # is not the page title)."""
    return re.sub(r"^(#{1,6}) ", lambda m: "#" * min(6, len(m.group(1)) + niveaux) + " ", texte, flags=re.MULTILINE)


def choix_multiples(label: str, name: str, options: list, default: list, format_func=str, maximum: int = 10,
                    key: str | None = None, allow_empty: bool = False, placeholder: str | None = None) -> list:
    """A multiselect bound to a repeated URL parameter (?comparer=62119&comparer=62498).
    With `allow_empty`, a choice emptied by the visitor stays empty."""
    key = key or f"choix_{name}"
    st.session_state[key] = state.params(name, options, default, maximum=maximum, allow_empty=allow_empty)
    st.multiselect(label, options, format_func=format_func, key=key, max_selections=maximum,
                   placeholder=placeholder or "Choisissez", select_all=False,
                   on_change=lambda: state.set_params(name, st.session_state[key]))
    return st.session_state[key]


def ajouter_choix(name: str, key: str, valeur, maximum: int, search_key: str | None = None) -> None:
    """Add one value to a multiple choice bound to the URL (a button callback), and empty the
    search box that offered it."""
    choisis = list(st.session_state.get(key) or [])
    if valeur not in choisis and len(choisis) < maximum:
        choisis.append(valeur)
    state.set_params(name, choisis)
    if search_key:
        st.session_state[search_key] = ""  # a callback may set a widget value: the box is emptied
