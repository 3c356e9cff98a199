"""A change of territory reruns what shows the territory, not the whole app (issue 13).

The page, the sidebar's territory picker, the searches and the territory's downloads are
fragments with keys (app.py, components/picker.py). A territory chosen in a suggestion or in
the picker reruns those four and nothing else: the navigation, the page's style and scripts
and the phone's search container stay as they are in the browser, and are not sent again.
The browser redraws fewer elements, and the chart of the new territory arrives sooner.

Every other widget of a page reruns the page alone (an indicator, a section's switch): the
page is a fragment. A page that changes the territory itself (pages/commune.py) asks for a
full rerun."""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

PAGE = "page"
SELECTEUR = "selecteur"
RECHERCHE = "recherche"
TELECHARGEMENTS = "telechargements"
CLES = (PAGE, SELECTEUR, RECHERCHE, TELECHARGEMENTS)


def relancer() -> None:
    """From a widget callback, after the territory has changed: rerun the fragments that show
    it. When one of them has not been drawn yet (a session's first run sends the page alone,
    components/premier_ecran.py), the whole app reruns."""
    try:
        st.rerun(list(CLES))
    except StreamlitAPIException:
        st.rerun()
