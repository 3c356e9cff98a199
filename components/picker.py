"""Sidebar territory picker and commune search (accent/case-insensitive, postal code)."""
from __future__ import annotations

import streamlit as st

from components import state
from components.context import Context
from datasets import access, cache, niveaux

_KEY = "picker_territoire"
COMMUNE_PAGE = "pages/commune.py"


def label(row) -> str:
    niveau, nom = row["niveau"], row["nom"]
    if niveau == niveaux.ENSEMBLE:
        return f"Tout le territoire — {nom}"
    if niveau == "groupement":
        return f"Groupement · {nom}"
    if niveau == "epci":
        court = row.get("nom_court")
        return f"EPCI · {court} — {nom}" if court and court != nom else f"EPCI · {nom}"
    return f"{nom} ({row['code']})"


_OPTIONS = cache.Store("picker", 2)


def _options(build_id: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """Codes and labels of every selectable territory, built once per warehouse build
    (≈ 9 ms on every rerun of every page with 892 communes); shared: read only."""
    def build():
        rows = access.selectable().to_dict("records")
        return tuple(r["code"] for r in rows), {r["code"]: label(r) for r in rows}

    return _OPTIONS.get(build_id, "options", build)


def _picked() -> None:
    state.set_territoire(st.session_state[_KEY])


def territory_picker(selection: Context) -> None:
    codes, labels = _options(selection.build_id)
    st.session_state[_KEY] = selection.code
    st.selectbox(
        "Territoire",
        codes,
        format_func=lambda c: labels.get(c, c),
        key=_KEY,
        on_change=_picked,
        help="Le territoire entier, un groupement, une intercommunalité ou une commune.",
    )


def commune_search() -> None:
    """Type a name (any accents/case) or a postal code, click a result: its Commune page."""
    texte = st.text_input(
        "Rechercher une commune",
        placeholder="Nom ou code postal, ex. bethune, 62400",
        max_chars=60,
        key="picker_recherche",
    )
    if not texte or not texte.strip():
        return
    resultats = access.search_communes(texte.strip(), limit=8)
    if resultats.empty:
        st.caption("Aucune commune du territoire ne correspond.")
        return
    for row in resultats.itertuples(index=False):
        cp = f" — {row.codes_postaux}" if isinstance(row.codes_postaux, str) and row.codes_postaux else ""
        if st.button(f"{row.nom}{cp}", key=f"recherche_{row.code}", width="stretch"):
            st.switch_page(COMMUNE_PAGE, query_params={"territoire": row.code})


def sidebar(selection: Context) -> None:
    with st.sidebar:
        territory_picker(selection)
        commune_search()


def choix_commune(ctx: Context) -> str | None:
    """A select box of the finest-level territories of the context (the Commune page with
    no commune selected); the chosen code, or None."""
    com = access.communes(ctx.niveau, ctx.code)
    noms = dict(zip(com["code"], com["nom"]))
    return st.selectbox("Commune", [""] + list(com["code"]),
                        format_func=lambda c: "Choisir une commune…" if not c else f"{noms[c]} ({c})") or None
