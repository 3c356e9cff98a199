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


def page_start(titre: str, ctx: Context | None = None, demo: bool = False) -> Context:
    """Title, selected territory and, when the page shows demo data, a banner."""
    ctx = ctx or state.context()
    st.title(titre)
    st.markdown(f"**{ctx.nom}** · {niveau_label(ctx.niveau)}")
    if demo:
        st.warning(f"{DEMO_LABEL} : {DEMO_HELP}", icon=":material/science:")
    return ctx


NIVEAUX = niveaux.LIBELLES
niveau_label = niveaux.libelle


source_label = theme_charts.source_label
source_text = theme_charts.source_text


def demo_badge() -> None:
    st.badge(DEMO_LABEL, icon=":material/science:", color="orange", help=DEMO_HELP)


def source_caption(source_ids, demo: bool = False, millesime=None) -> None:
    """The line under a chart: source (and vintage), and the demo badge when needed."""
    texte = source_text(source_ids)
    if millesime is not None:
        texte += f" · millésime {millesime}"
    st.caption(texte)
    if demo:
        demo_badge()


def choix(label: str, name: str, options: list, default, format_func=str, key: str | None = None,
          help: str | None = None, reset: tuple[str, ...] = ()):
    """A selectbox bound to a URL parameter: the link reproduces the choice, and the choice updates the link.

    `reset` names parameters that depend on this one (a vintage depends on the indicator)."""
    key = key or f"choix_{name}"
    value = state.param(name, options, default)
    st.session_state[key] = value

    def changed() -> None:
        state.set_param(name, st.session_state[key])
        for other in reset:
            state.forget(other)

    st.selectbox(label, options, format_func=format_func, key=key, on_change=changed, help=help)
    return st.session_state[key]


def markdown_subordonne(texte: str, niveaux: int = 2) -> str:
    """Demote the headings of a markdown document shown inside a page (its # is not the page title)."""
    return re.sub(r"^(#{1,6}) ", lambda m: "#" * min(6, len(m.group(1)) + niveaux) + " ", texte, flags=re.MULTILINE)


def choix_multiples(label: str, name: str, options: list, default: list, format_func=str, maximum: int = 10,
                    key: str | None = None) -> list:
    """A multiselect bound to a repeated URL parameter (?comparer=62119&comparer=62498)."""
    key = key or f"choix_{name}"
    st.session_state[key] = state.params(name, options, default, maximum=maximum)
    st.multiselect(label, options, format_func=format_func, key=key, max_selections=maximum,
                   on_change=lambda: state.set_params(name, st.session_state[key]))
    return st.session_state[key]
