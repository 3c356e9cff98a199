"""The first screen first (issue 13).

On a session's first run the app sends the page alone: its title, figures and first chart,
and none of the tools that are the same on every page (the sidebar's territory picker,
search and downloads, the phone's search at the top of the page). Those widgets need some
thirty script files of Streamlit's (select box, text field, buttons) that the browser would
otherwise fetch, evaluate and draw while it fetches and evaluates the chart's own script
(BENCHMARKS.md, « Plancher Streamlit », thirteenth run).

In their place the run sends a small script (a `st.components.v2` component, no iframe) that
asks for the next run once the page's first chart is drawn, or, on a page without a chart,
once nothing is left loading; after `LIMITE_MS` at the latest. Every later run of the session
sends the page and the tools together: a change of commune or of page is unchanged. A first
run that warns about its address (`complet`) sends everything at once, since the next run
would not repeat the warning. If the browser never asks (its script blocked), the visitor's
first action brings the tools: the navigation is there from the first run.
"""
from __future__ import annotations

import functools

import streamlit as st

CLE = "cc_premier_ecran"  # the component's key (tests and the load test find it by it)
EVENEMENT = "dessine"
LIMITE_MS = 5000  # a chart slower than this (a slow phone) gets the tools while it is drawn
_VU = "_cc_premier_ecran_envoye"

_JS = """
export default function ({ setTriggerValue }) {
  let fini = false;
  const t0 = performance.now();
  const dessine = () => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main || !main.querySelector("h1")) return false;  // the page is not drawn yet
    if (main.querySelector('.js-plotly-plot .main-svg, [data-testid="stDeckGlJsonChart"] canvas')) return true;
    // no chart, and no element still fetching its script (a skeleton holds its place meanwhile)
    return !main.querySelector('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"], [data-testid="stSkeleton"]');
  };
  const demander = () => { if (!fini) { fini = true; setTriggerValue("%(evenement)s", true); } };
  const attendre = () => {
    if (fini) return;
    if (dessine() || performance.now() - t0 > %(limite)d) {
      requestAnimationFrame(() => setTimeout(demander, 0));  // after the chart's first paint
      return;
    }
    setTimeout(attendre, 50);
  };
  attendre();
  return () => { fini = true; };
}
""" % {"evenement": EVENEMENT, "limite": LIMITE_MS}


@functools.cache
def _composant():
    """Registered on first use (importing this module registers nothing: the load test reads `CLE`)."""
    return st.components.v2.component("chiffres_clefs.premier_ecran", js=_JS)


def seul() -> bool:
    """True when this run sends the page alone: the session's first complete run."""
    return not st.session_state.get(_VU)


def complet() -> None:
    """This run sends the whole page: it shows something the next run would not show again
    (a warning about the address, which is corrected at once)."""
    st.session_state[_VU] = True


def demander_la_suite() -> None:
    """End of the first run: the browser asks for the next one once the page is drawn."""
    st.session_state[_VU] = True
    with st.sidebar:
        # the run that follows is the point; the event itself carries nothing to keep
        _composant()(key=CLE, height=0, **{f"on_{EVENEMENT}_change": lambda: None})
