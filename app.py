"""Entry point: page config, navigation of the 8 pages and the shared sidebar."""
import streamlit as st

from components import conventions, picker, state
from components.downloads import territory_downloads
from datasets import access

st.set_page_config(page_title="Chiffres clefs", page_icon=":material/insights:", layout="wide")

# URL paths are the file names (/commune?territoire=62119). When a fresh server's first
# visitor opens such a link, Streamlit's legacy pages/ routing runs the page alone;
# `state.current()` then hands over to this script (see state._ensure_entrypoint).
PAGES = [
    st.Page("pages/accueil.py", title="Accueil", icon=":material/home:", default=True),
    st.Page("pages/demographie.py", title="Démographie", icon=":material/groups:"),
    st.Page("pages/logement.py", title="Logement", icon=":material/house:"),
    st.Page("pages/economie.py", title="Économie", icon=":material/work:"),
    st.Page("pages/programme.py", title="Programme de l'Agence", icon=":material/event_note:"),
    st.Page("pages/commune.py", title="Commune", icon=":material/location_city:"),
    st.Page("pages/comparer.py", title="Comparer", icon=":material/compare_arrows:"),
    st.Page("pages/sources.py", title="Sources et définitions", icon=":material/menu_book:"),
]

page = st.navigation(PAGES)

try:
    access.build_info()
except access.WarehouseError as exc:
    # never show figures from a missing, incomplete or corrupt warehouse
    st.error(f"Les données ne sont pas disponibles. {exc}")
    st.stop()

selection = state.current()
picker.sidebar(selection)
with st.sidebar:
    territory_downloads(selection)
conventions.appliquer(page.title, selection.nom)
picker.page_search()

page.run()
