"""What every page shows around its figures: title, territory, sources, demo badge."""
from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

from components import state
from datasets import access

DEMO_LABEL = "Données de démonstration"
DEMO_HELP = (
    "Ces valeurs sont dérivées de fichiers de démonstration au format Insee, "
    "faute de fichier officiel chargé : elles ne décrivent pas le territoire réel."
)


def page_start(titre: str, demo=False) -> state.Selection:
    """Title, selected territory and, when the page shows demo data, a short notice (`demo`:
    True, or the labels of the demo figures)."""
    selection = state.current()
    st.title(titre)
    st.markdown(f"**{selection.nom}** · {niveau_label(selection.niveau)}")
    if demo:  # once per page, scoped to the figures concerned (their source line says so too)
        quoi = (demo if isinstance(demo, str) else f"pour {', '.join(demo)}"
                if not isinstance(demo, bool) and len(demo) <= 4
                else "pour les valeurs dont la source porte la mention « données de démonstration »")
        st.warning(f"{DEMO_LABEL} {quoi} (fichiers au format Insee, pas les valeurs réelles).",
                   icon=":material/science:")
    return selection


NIVEAUX = {
    "commune": "commune",
    "epci": "intercommunalité (EPCI)",
    "groupement": "groupement d'EPCI",
    "territoire": "territoire de l'agence",
    "departement": "département",
    "region": "région",
    "pays": "France",
}


def niveau_label(niveau: str) -> str:
    return NIVEAUX.get(niveau, niveau)


def _ids(source_ids) -> list[str]:
    if source_ids is None:
        return []
    if isinstance(source_ids, str):
        source_ids = [source_ids]
    seen: list[str] = []
    for sid in source_ids:
        if isinstance(sid, str) and sid and sid not in seen:
            seen.append(sid)
    return seen


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


def demo_badge() -> None:
    st.badge(DEMO_LABEL, icon=":material/science:", color="orange", help=DEMO_HELP)


def source_caption(source_ids, demo: bool = False, millesime=None) -> None:
    """The line under a chart: source (and vintage), and the demo badge when needed."""
    texte = source_text(source_ids)
    if millesime is not None:
        texte += f" · millésime {millesime}"
    if demo:  # the page's notice explains; here only which figures it concerns
        texte += " · données de démonstration"
    st.caption(texte)


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
