"""Accueil: key figures of the selected territory and the map of its communes."""
import streamlit as st

from components import cards, catalogue, layout, orientation, sections, state, theme_charts
from datasets import access, niveaux

COMMUNE_PAGE = "pages/commune.py"
CARTES_VISIBLES = 6  # on a phone the map must not come after metres of cards

ctx = state.context()
chiffres = cards.chiffres_cles(ctx)
layout.page_start("Chiffres clés", ctx, demo=chiffres.demo)
if ctx.niveau == niveaux.ENSEMBLE:  # a visitor who just arrived: what this site is, first
    orientation.afficher_intro()
cards.afficher(chiffres.tuiles[:CARTES_VISIBLES])
# what is folded is built and sent only when opened (issue 13: the map, the page's first
# chart, arrives sooner; a closed expander costs one element instead of sixty)
if len(chiffres.tuiles) > CARTES_VISIBLES:
    autres = st.expander(f"Les {len(chiffres.tuiles) - CARTES_VISIBLES} autres chiffres clés", key="accueil_autres",
                         on_change="rerun")
    if autres.open:
        with autres:
            cards.afficher(chiffres.tuiles[CARTES_VISIBLES:])
if ctx.niveau != niveaux.ENSEMBLE:  # a territory was chosen: its figures first, the site's presentation after
    apropos = st.expander("À propos de ce site et du territoire", key="accueil_apropos", on_change="rerun")
    if apropos.open:
        with apropos:
            orientation.afficher_intro()

st.header("Carte des communes")
libelles = catalogue.libelles_avec_valeurs()
col_ind, col_mil = st.columns([3, 1])
with col_ind:
    indicateur = layout.choix("Indicateur", "indicateur", list(libelles), catalogue.defaut(libelles), libelles.get, reset=("millesime",))
ind = access.indicateur(indicateur)
millesimes = sorted(ind["millesimes"], reverse=True)
with col_mil:
    millesime = layout.choix("Millésime", "millesime", millesimes, millesimes[0])

with st.spinner("Préparation de la carte…"):
    carte = theme_charts.carte_chart(ctx, ind, int(millesime))
event = sections.carte(carte, f"{indicateur}_{millesime}_{ctx.code}", on_select=True, ctx=ctx)

clic = state.commune_choisie(event)
if clic and clic != ctx.code:
    st.switch_page(COMMUNE_PAGE, query_params=state.query_params(clic, indicateur=indicateur, millesime=millesime))
