"""A suggestion's click in one run, and the sidebar after the page (issue 13).

A suggestion is a Streamlit button in its search's fragment (the sidebar's, or the phone's at
the top of the page). Its click reruns that fragment first; its callback can only ask for the
page in a second run (components/changement.py). Each run costs the browser a redraw of the
whole app before the page's own elements arrive.

So the page's fragment ends with this small component (a `st.components.v2` component, no
iframe, nothing drawn). In the browser it takes the click on a suggestion before Streamlit's
button sees it, and sends the territory's code as an event of the page's fragment: its
callback selects the territory (with the same checks as the button's) and the page reruns
with it in that same run. The picker, the territory's downloads and the search (its box to
empty) are not in that run: once the page is painted, the component asks for them with a
second event (`suite`), which reruns those fragments alone. The visitor sees the new
territory's page first, its sidebar a moment later.

Without the component's script (a page run alone in a test, a blocked script), the click
reaches the button and its callback changes the territory as before, in two runs.
"""
from __future__ import annotations

import functools

import streamlit as st

from components import changement, picker

CLE = "cc_aiguillage"
CHOIX, SUITE = "choix", "suite"
_RECHERCHES = {"sidebar": picker.SIDEBAR_SEARCH, "page": picker.PAGE_SEARCH}

# The click is taken on `document` in its capture phase: before React's own listener, on its
# root, below it. Only a plain click (or Enter, which clicks) on the button of a suggestion:
# its element container has the class `st-key-<prefix><code>`. The click's default and
# propagation are stopped, so the button's own rerun is not sent. The newest instance of the
# component (one per page) receives the clicks; the listener is installed once per document.
_JS = """
export default function ({ data, setTriggerValue }) {
  const choisir = (code, recherche) => setTriggerValue("%(choix)s", {code, recherche});
  window.__ccChoisir = choisir;
  if (!window.__ccAiguillage) {
    window.__ccAiguillage = true;
    const motif = /(?:^|\\s)st-key-(%(page)s|%(barre)s)([A-Za-z0-9]+)(?:\\s|$)/;
    document.addEventListener("click", (e) => {
      if (!window.__ccChoisir || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const bouton = e.target instanceof Element && e.target.closest('[data-testid="stButton"] button');
      const conteneur = bouton && bouton.closest(".stElementContainer");
      const m = conteneur && conteneur.className.match(motif);
      if (!m || bouton.disabled) return;
      e.preventDefault();
      e.stopPropagation();
      window.__ccChoisir(m[2], m[1] === "%(page)s" ? "page" : "sidebar");
    }, true);
  }
  let fini = false;
  if (data && data.suite) {  // after the page's paint: the sidebar's run
    requestAnimationFrame(() => setTimeout(() => { if (!fini) setTriggerValue("%(suite)s", data.suite); }, 0));
  }
  return () => { fini = true; if (window.__ccChoisir === choisir) window.__ccChoisir = null; };
}
""" % {"choix": CHOIX, "suite": SUITE, "page": picker.PAGE_PREFIX, "barre": picker.SIDEBAR_PREFIX}


@functools.cache
def _composant():
    """Registered on first use."""
    return st.components.v2.component("chiffres_clefs.aiguillage", js=_JS)


def _choisi() -> None:
    """The click's event, before the page's fragment runs: select the territory."""
    choix = _valeur(CHOIX)
    if not isinstance(choix, dict) or not isinstance(choix.get("code"), str):
        return
    search_key = _RECHERCHES.get(choix.get("recherche"))
    if picker.prendre(choix["code"], search_key):
        changement.attendre_la_barre(picker.fragment_de_recherche(search_key))
        st.session_state[_SUITE_NUMERO] = st.session_state.get(_SUITE_NUMERO, 0) + 1
    # returning normally: the page's fragment reruns, in this run, with the new territory


def _valeur(evenement: str):
    """The value of the component's event in this run (None when it has none)."""
    try:
        return st.session_state[CLE][evenement]
    except (KeyError, TypeError):
        return None


_SUITE_NUMERO = "_cc_aiguillage_suite"


def afficher() -> None:
    """End of the page's fragment: the component, with `suite` set while the sidebar shows an
    older territory (a number of its own for each choice: the browser asks once per choice)."""
    suite = st.session_state.get(_SUITE_NUMERO) if changement.barre_en_retard() else None
    _composant()(key=CLE, height=0, data={SUITE: suite},
                 **{f"on_{CHOIX}_change": _choisi, f"on_{SUITE}_change": changement.relancer_barre})
