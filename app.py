"""Entry point: page config, navigation (components/navigation.py) and the shared sidebar."""
import logging

import streamlit as st

from components import aiguillage, changement, conventions, layout, navigation, picker, premier_ecran, state
from components.downloads import territory_downloads
from datasets import access

st.set_page_config(page_title="Chiffres clefs", page_icon=":material/insights:", layout="wide")

# URL paths are the file names or the themes' (/commune?territoire=62119, /demographie). When a
# fresh server's first visitor opens such a link, Streamlit's legacy pages/ routing runs the
# page alone; `state.context()` then hands over to this script (see state._ensure_entrypoint).
page = st.navigation(navigation.st_pages())

try:
    access.build_info()
except access.WarehouseError as exc:
    # never show figures from a missing, incomplete or corrupt warehouse; the visitor is told
    # why in plain words, the server's log gets the details (paths are not for visitors)
    logging.getLogger("chiffres_clefs").error("warehouse refused: %s", exc)
    st.error("Les données ne sont pas disponibles pour le moment (entrepôt de données absent, incomplet ou "
             "en cours de reconstruction). Réessayez dans quelques minutes ; si cela dure, prévenez l'agence.")
    st.stop()

conventions.appliquer()
recherche = picker.emplacement_recherche()  # the phone's search, at the top of the page, sent after it


def apres_la_page() -> None:
    if premier_ecran.seul():  # a session's first run: the page alone, the tools follow
        picker.reserver_recherche(recherche)
        premier_ecran.demander_la_suite()
        return
    picker.page_search(recherche)
    picker.sidebar()
    with st.sidebar:
        telechargements()


@st.fragment(key=changement.TELECHARGEMENTS)
def telechargements() -> None:
    territory_downloads(state.context())


@st.fragment(key=changement.PAGE)
def contenu() -> None:
    """The page, a fragment: a change of territory or of one of its own widgets reruns it
    without the rest of the app (components/changement.py)."""
    conventions.titre(page.title, state.context().nom)
    layout.page_dans_l_app(True)
    # Streamlit lets the page of st.navigation run once per app run; a fragment rerun runs
    # the same page again (its `run` would refuse without this flag)
    page._can_be_called = True
    try:
        page.run()
    except layout.FinDePage:
        pass
    finally:
        layout.page_dans_l_app(False)
    if not premier_ecran.seul():  # a session's first run has no search (its tools follow)
        aiguillage.afficher()


# The page is sent before the search and the sidebar (issue 13): its first chart or map
# reaches the browser, which fetches that element's script, before the picker, the search
# fields and the download buttons, which are the same on every page. A page with nothing
# more to show ends with `layout.fin_de_page()` and still gets them; a page that switches
# to another one does not need them.
contenu()
apres_la_page()
