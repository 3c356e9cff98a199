"""Browser conventions: the document's language and one tab title per page and territory;
the few English texts Streamlit's own widgets draw (« No results », « Clear all ») in French."""
from __future__ import annotations

import streamlit as st

SITE = "Chiffres clés"
# pages whose content does not depend on the selected territory
SANS_TERRITOIRE = ("Sources et définitions",)

# Streamlit's index.html says lang="en"; the page is French (screen readers, translation
# prompts, hyphenation). The app's launcher serves a page that says lang="fr" from its first
# byte (deploy/index_page.py); this line keeps it so under a bare `streamlit run app.py`.
# The element stays mounted with the same content, so it runs once per page load; Streamlit
# never resets the attribute.
#
# One history entry per user action: `st.switch_page(..., query_params=...)` (a commune
# clicked on the map or in a ranking) makes the browser push the new query string on the
# old page, then the new page: two entries, Back had to be pressed twice. Streamlit only
# pushes entries in answer to the visitor (or on the first load), so an entry pushed with
# no pointer, touch or key event since the previous one replaces it instead.
#
# Streamlit's select boxes write « No results » in their list and label their buttons
# « Clear all », « Open » for screen readers, with no option to change them: an observer
# puts them in French as they appear (one pass per animation frame with changes), and the
# « Page not found » dialog of an address that is no page of the site.
_NAVIGATEUR_JS = """<script>
document.documentElement.setAttribute("lang", "fr");
if (!window.__ccHistorique) {
  window.__ccHistorique = true;
  let geste = false;
  for (const t of ["pointerdown", "touchstart", "keydown"]) window.addEventListener(t, () => { geste = true; }, true);
  const pousser = history.pushState.bind(history);
  history.pushState = (etat, titre, url) => {
    if (geste) { geste = false; return pousser(etat, titre, url); }
    return history.replaceState(etat, titre, url);
  };
}
if (!window.__ccTraduction) {
  window.__ccTraduction = true;
  const textes = {"No results": "Aucun résultat", "Page not found": "Page introuvable",
                  "The page that you have requested does not seem to exist. Running the app's main page.":
                    "Cette adresse ne correspond à aucune page du site : voici la page d'accueil."};
  const etiquettes = {"Clear all": "Tout effacer", "Clear value": "Effacer", "Open": "Ouvrir",
                      "Close": "Fermer", "Delete": "Retirer"};
  // only the few elements concerned are visited: the pass runs on every animation frame with
  // changes (a commune change or a Plotly redraw has a dozen), over a page of 500-1 100 elements
  const anglais = Object.keys(etiquettes).map(k => `[aria-label="${k}"]`).join(", ");
  const traduire = () => {
    planifie = false;
    for (const e of document.querySelectorAll(anglais)) e.setAttribute("aria-label", etiquettes[e.getAttribute("aria-label")]);
    for (const racine of document.querySelectorAll('[role="listbox"], [role="dialog"]')) {
      const textesDe = document.createTreeWalker(racine, NodeFilter.SHOW_TEXT);
      for (let n = textesDe.nextNode(); n; n = textesDe.nextNode()) {
        const t = n.textContent.trim();
        if (textes[t]) n.textContent = textes[t];
        const m = t.match(/^You can only select up to (\\d+) options?\\. Remove an option first\\.$/);
        if (m) n.textContent = `${m[1]} au plus : retirez-en un d'abord.`;
      }
    }
  };
  let planifie = false;
  new MutationObserver(() => { if (!planifie) { planifie = true; requestAnimationFrame(traduire); } })
    .observe(document.body, {childList: true, subtree: true});
}
</script>"""


def titre_onglet(page_title: str, nom: str | None) -> str:
    """« Lens — Logement · Chiffres clés »; pages without a territory keep their name only."""
    if not nom or page_title in SANS_TERRITOIRE:
        return f"{page_title} · {SITE}"
    return f"{nom} — {page_title} · {SITE}"


# Streamlit draws captions at 60 % opacity: some fall below the 4.5:1 of WCAG AA (axe-core:
# color-contrast, serious). An opaque dark grey keeps them secondary and legible (7:1).
_CONTRASTE_CSS = ('<style>[data-testid="stCaptionContainer"] { opacity: 1; }'
                  '[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #555867; }'
                  # wide markdown tables (technical notes) scroll inside themselves, not the page
                  '[data-testid="stMarkdownContainer"] table { display: block; max-width: 100%; overflow-x: auto; }'
                  # a long token (« @etalab/decoupage-administratif » in a source line) wraps on a phone
                  '[data-testid="stMain"] p { overflow-wrap: anywhere; }'
                  # key-figure labels and values wrap instead of ending in « … » (a cut label
                  # hid the vintage; its box overflowed a 320-px screen)
                  '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],'
                  '[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"],'
                  '[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] p'
                  ' { white-space: normal; overflow-wrap: normal; }'
                  # every tab in sight, on every screen: the tab bar wraps instead of hiding the
                  # last sections beyond its edge behind an arrow; the tabs are drawn as buttons
                  # (they read as choices, not as text) and a long section name wraps inside its
                  # tab on a 320-px screen
                  '[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow: visible; row-gap: 0.35rem; }'
                  '[data-testid="stTabs"] [role="tab"] { max-width: 100%; height: auto; border: 1px solid #c4c7cf;'
                  ' border-radius: 1rem; padding: 0.1rem 0.65rem; margin-right: 0.35rem; }'
                  '[data-testid="stTabs"] [role="tab"] p { font-size: 0.875rem; line-height: 1.3; white-space: normal;'
                  ' text-align: left; }'
                  '[data-testid="stTabs"] [role="tab"][aria-selected="true"] { border-color: currentColor; }'
                  '@media (max-width: 767px) {'
                  # a value and its unit (« 17 685 logements ») on one line of a 320-px screen
                  ' [data-testid="stMetricValue"] { font-size: 1.75rem; }'
                  # a touch screen always shows a table's toolbar, above the table: room for
                  # it, instead of covering the heading or the text before the table
                  ' [data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stDataFrame"])'
                  ' { margin-top: 2.75rem; } }</style>')


def titre(page_title: str, nom: str | None) -> None:
    st.set_page_config(page_title=titre_onglet(page_title, nom))


def appliquer() -> None:
    st.html(_CONTRASTE_CSS)  # style only: Streamlit puts it out of the page flow
    with st.sidebar:
        st.html(_NAVIGATEUR_JS, unsafe_allow_javascript=True)
