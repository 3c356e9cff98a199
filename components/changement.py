"""A change of territory reruns what shows the territory, not the whole app (issue 13).

The page, the sidebar's territory picker, the two searches (the sidebar's, the phone's) and
the territory's downloads are fragments with keys (app.py, components/picker.py). A territory
chosen in the picker reruns the page, the picker and the downloads; chosen in a search's
suggestion, that search too (its box is emptied). Nothing else: the navigation, the page's
style and scripts, the other search stay as they are in the browser, and are not sent again.
The server runs and sends less: a sixth less CPU per action in the load test. The
fragments alone did not measurably move the browser's time for a change: its front end
redraws the page for each batch of messages whichever part they replace (BENCHMARKS.md,
fifteenth run).

In the browser, a suggestion's click is faster still: it reruns the page alone, in one run,
and the picker, the downloads and the search follow once the page is drawn
(components/aiguillage.py; `attendre_la_barre`, `relancer_barre`).

Every other widget of a page reruns the page alone (an indicator, a section's switch): the
page is a fragment. A page that changes the territory itself (pages/commune.py) asks for a
full rerun."""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

PAGE = "page"
SELECTEUR = "selecteur"
RECHERCHE = "recherche"
RECHERCHE_PAGE = "recherche_page"
TELECHARGEMENTS = "telechargements"
CLES = (PAGE, SELECTEUR, TELECHARGEMENTS)  # what shows the territory


def relancer(recherche: str | None = None) -> None:
    """From a widget callback, after the territory has changed: rerun the fragments that show
    it, and the search `recherche` (a key above) that offered it. When one of them has not
    been drawn yet (a session's first run sends the page alone, components/premier_ecran.py),
    the whole app reruns."""
    _relancer([*CLES, *([recherche] if recherche else [])])


def _relancer(cles: list[str]) -> None:
    """Rerun the fragments `cles`; the whole app when one of them has not been drawn yet."""
    try:
        st.rerun(cles)
    except StreamlitAPIException:
        st.rerun()


# The sidebar's picker and downloads show an older territory than the page: set by a choice
# that reran the page alone (components/aiguillage.py), to the fragment key of the search to
# empty ("" for none); cleared when the picker is drawn.
_BARRE_EN_RETARD = "_cc_barre_en_retard"


def attendre_la_barre(recherche: str | None) -> None:
    """This run changes the territory and reruns the page alone: the picker, the downloads
    and the search `recherche` are to follow (`relancer_barre`)."""
    st.session_state[_BARRE_EN_RETARD] = recherche or ""


def barre_en_retard() -> bool:
    return _BARRE_EN_RETARD in st.session_state


def barre_a_jour() -> None:
    """The picker is being drawn (with the downloads after it): nothing left to follow."""
    st.session_state.pop(_BARRE_EN_RETARD, None)


def relancer_barre() -> None:
    """From a widget callback: rerun the picker, the downloads and the search that offered
    the territory, after a choice that reran the page alone."""
    recherche = st.session_state.pop(_BARRE_EN_RETARD, None)
    _relancer([SELECTEUR, TELECHARGEMENTS, *([recherche] if recherche else [])])
