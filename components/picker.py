"""Territory picker (sidebar) and the territory search (sidebar, and on the page itself on a phone).

The search runs on the server (`components.recherche`: typos, accents, postal codes, EPCI
acronyms) as the visitor types, inside a fragment: only its few suggestions reach the
browser. The sidebar select box holds the territory, its groupings and EPCI, plus the
selected commune: it does not grow with the number of communes."""
from __future__ import annotations

import time

import streamlit as st

from components import changement, layout, recherche, state
from components.context import Context
from datasets import access, cache, niveaux

_KEY = "picker_territoire"
COMMUNE_PAGE = "pages/commune.py"
SIDEBAR_SEARCH = "picker_recherche"
PAGE_SEARCH = "recherche_page"
_CLOSE_FLAG = "_picker_fermer_menu"
MAX_SUGGESTIONS = 8
PHONE_MAX_PX = 767  # Streamlit overlays the sidebar below 768 px


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


_OPTIONS = cache.Store("picker_options", 512)


def _options(selection: Context) -> tuple[list[str], dict[str, str]]:
    """The territory, its groupings and EPCI (a handful), and the selected territory when it
    is of the finest level: the select box does not grow with the number of communes."""
    def build() -> tuple[list[str], dict[str, str]]:
        rows = access.selectable()
        rows = rows[(rows["niveau"] != niveaux.PLUS_FIN) | (rows["code"] == selection.code)].to_dict("records")
        return [r["code"] for r in rows], {r["code"]: label(r) for r in rows}

    # the same for every rerun of the selection: built once per build and selection, shared
    codes, labels = _OPTIONS.get(selection.build_id, selection.code, build)
    return list(codes), dict(labels)


def _picked() -> None:
    state.set_territoire(st.session_state[_KEY])
    st.session_state[_CLOSE_FLAG] = True
    changement.relancer()


def territory_picker(selection: Context) -> None:
    codes, labels = _options(selection)
    st.session_state[_KEY] = selection.code
    st.selectbox(
        "Territoire",
        codes,
        format_func=lambda c: labels.get(c, c),
        key=_KEY,
        on_change=_picked,
    )


_EMPTY_FLAG = "_picker_vider"


def prendre(code: str, search_key: str | None = None) -> bool:
    """Select a territory from a suggestion: new territory, the search's box to be emptied
    and the sidebar to be closed on a phone by their next runs. False for a code that is no
    selectable territory (nothing changes)."""
    if not state.set_territoire(code):
        return False
    # the search's own run empties its box: the run that takes the choice ends before any
    # widget of the search is drawn, and a value set here would not reach the browser's box
    st.session_state[_EMPTY_FLAG] = search_key
    st.session_state[_CLOSE_FLAG] = True
    return True


def choisir(code: str, search_key: str | None = None) -> None:
    """A suggestion's button (its callback): same page, new territory; the page, the picker,
    the downloads and this search rerun. In the browser the click usually never reaches the
    button: `components.aiguillage` takes it to the page's fragment, in one run."""
    prendre(code, search_key)
    changement.relancer(fragment_de_recherche(search_key))


def fragment_de_recherche(search_key: str | None) -> str | None:
    """The fragment key of the search whose box is `search_key`."""
    return _FRAGMENTS.get(search_key)


def suggestions(texte: str | None, key_prefix: str, on_pick=choisir, search_key: str | None = None,
                niveaux=recherche.SELECTABLE) -> None:
    """The result buttons for what was typed (at most MAX_SUGGESTIONS)."""
    if not texte or not texte.strip():
        return
    resultats = recherche.chercher(texte.strip(), niveaux, limit=MAX_SUGGESTIONS)
    if not resultats:
        st.caption("Aucune commune ni intercommunalité du territoire ne correspond.")
        return
    for r in resultats:
        st.button(r.libelle, key=f"{key_prefix}{r.code}", width="stretch", on_click=on_pick, args=(r.code, search_key))


SIDEBAR_PREFIX, PAGE_PREFIX = "recherche_", "recherche_page_"  # a suggestion's key: prefix + territory code


def territory_search(key: str = SIDEBAR_SEARCH, label_text: str = "Rechercher une commune ou une intercommunalité",
                     key_prefix: str = SIDEBAR_PREFIX) -> None:
    """As-you-type search (no Enter needed): suggestions appear after a short pause."""
    if st.session_state.get(_EMPTY_FLAG) == key:  # a suggestion was chosen: the box is emptied
        del st.session_state[_EMPTY_FLAG]
        st.session_state[key] = ""
    texte = st.text_input(
        label_text,
        placeholder="Nom, code postal ou sigle : lens, 62400, CALL…",
        max_chars=recherche.MAX_TEXTE,
        key=key,
        type="search",
        live="300ms",
    )
    suggestions(texte, key_prefix, search_key=key)


# the sidebar's search and the phone's, each its own fragment: a choice reruns the one that
# was used (to empty it), not the other
_FRAGMENTS = {SIDEBAR_SEARCH: changement.RECHERCHE, PAGE_SEARCH: changement.RECHERCHE_PAGE}
_search_sidebar = st.fragment(territory_search, key=changement.RECHERCHE)
_search_page = st.fragment(territory_search, key=changement.RECHERCHE_PAGE)


def emplacement_recherche():
    """The place of the phone's search at the top of the page, hidden on wide screens (they
    use the sidebar's). The app fills it after the page (`page_search`): the page's first
    chart is sent before the search field."""
    # on a phone its height is kept while its field's script loads (`reserver_recherche`)
    st.html(f"<style>@media (min-width: {PHONE_MAX_PX + 1}px) {{ .st-key-recherche_mobile {{ display: none; }} }}"
            f"@media (max-width: {PHONE_MAX_PX}px) {{ .st-key-recherche_mobile {{ min-height: 4.25rem; }} }}</style>")
    return st.container(key="recherche_mobile")


def reserver_recherche(emplacement) -> None:
    """The search's place kept while a session's first run leaves it empty
    (components/premier_ecran.py): on a phone the page does not move down when it arrives.
    Streamlit's « large » space, 4.25rem, is the height of a labelled input field."""
    with emplacement:
        st.space("large")


def page_search(emplacement) -> None:
    """The same search at the top of the page, shown on a phone only (where the sidebar is
    hidden behind its button)."""
    with emplacement:
        _search_page(PAGE_SEARCH, "Trouver une commune ou une intercommunalité", PAGE_PREFIX)


def close_sidebar_on_phone() -> None:
    """After a choice, fold the sidebar away on a phone (it covers the page there)."""
    if not st.session_state.pop(_CLOSE_FLAG, False):
        return
    st.html(
        f"""<script>/* {time.monotonic_ns()} */
        (function () {{
          if (!window.matchMedia("(max-width: {PHONE_MAX_PX}px)").matches) return;
          var b = document.querySelector('[data-testid="stSidebar"] [data-testid="stSidebarCollapseButton"] button[aria-expanded="true"]');
          if (b) b.click();
        }})();</script>""",
        unsafe_allow_javascript=True,
    )


@st.fragment(key=changement.SELECTEUR)
def _selecteur() -> None:
    changement.barre_a_jour()
    territory_picker(state.context())
    close_sidebar_on_phone()


def sidebar() -> None:
    """The picker and the search, each a fragment: a choice reruns what shows the territory
    (components/changement.py), typing reruns the search alone."""
    with st.sidebar:
        _selecteur()
        _search_sidebar()


def choix_commune(ctx: Context) -> str | None:
    """A select box of the finest-level territories of the context (the Commune page with
    no commune selected); the chosen code, or None."""
    com = access.communes(ctx.niveau, ctx.code)
    noms = dict(zip(com["code"], com["nom"]))
    return st.selectbox("Commune", [""] + list(com["code"]),
                        format_func=lambda c: "Choisir une commune…" if not c else f"{noms[c]} ({c})") or None


def choix_comparaison(ctx: Context, maximum: int) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """The territories to compare: every territory of the warehouse (communes, EPCI, groupings,
    reference levels) can be added through the search; the box lists only the chosen ones, so
    the page does not grow with the number of communes. Emptied, the choice stays empty.
    Returns ((niveau, code), …) and their names."""
    tous = access.territoires()
    niveau_de = dict(zip(tous["code"], tous["niveau"]))
    noms = dict(zip(tous["code"], tous["nom"]))
    # by default a commune or an EPCI with its parent; for wider selections, the EPCI side by side
    defaut = [c for c in [ctx.code, *(p.code for p in ctx.parents)] if niveau_de.get(c) in niveaux.LOCAUX[:2]][:2]
    defaut = defaut or list(tous.loc[tous["niveau"] == niveaux.LOCAUX[1], "code"])
    codes = state.params("comparer", list(niveau_de), defaut, maximum=maximum, allow_empty=True)
    labels = {c: recherche.libelle(recherche.territoire(c) or {"code": c, "nom": noms[c], "niveau": niveau_de[c]})
              for c in codes}
    key, search_key = "comparer_territoires", "comparer_recherche"
    st.session_state[key] = codes
    st.multiselect("Territoires comparés", codes, format_func=labels.get, key=key, max_selections=maximum,
                   select_all=False, placeholder="Aucun territoire choisi",
                   on_change=lambda: state.set_params("comparer", st.session_state[key]))
    texte = st.text_input("Ajouter un territoire", key=search_key, type="search", live="300ms",
                          placeholder="Commune, code postal, intercommunalité, département, France…")
    if len(codes) >= maximum:
        st.caption(f"{maximum} territoires au plus : retirez-en un pour en ajouter un autre.")
    else:
        suggestions(texte, "comparer_ajout_", search_key=search_key, niveaux=recherche.TOUS,
                           on_pick=lambda code, sk=None: layout.ajouter_choix("comparer", key, code, maximum, sk))
    return tuple((niveau_de[c], c) for c in codes), noms
