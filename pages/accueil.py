"""Accueil: key figures of the selected territory and the map of its communes."""
import streamlit as st

from components import cards, catalogue, layout, orientation, premier_ecran, sections, state, theme_charts
from datasets import access, niveaux

COMMUNE_PAGE = "pages/commune.py"
CARTES_VISIBLES = 6  # on a phone the map must not come after metres of cards
CHOIX_CARTE = "accueil_choix_carte"

ctx = state.context()
# The map is sent first (issue 13): the browser starts fetching the map's script as soon
# as the map arrives, while the rest of the page is drawn. The title, the key figures and
# the map's select boxes are shown above it: containers hold their places.
haut = st.container()
controles = st.container()

libelles = catalogue.libelles_avec_valeurs()
indicateur = layout.valeur_choix("indicateur", list(libelles), catalogue.defaut(libelles))
ind = access.indicateur(indicateur)
millesimes = sorted(ind["millesimes"], reverse=True)
millesime = layout.valeur_choix("millesime", millesimes, millesimes[0])

with st.spinner("Préparation de la carte…"):
    carte = theme_charts.carte_chart(ctx, ind, int(millesime))
event = sections.carte(carte, f"{indicateur}_{millesime}_{ctx.code}", on_select=True, ctx=ctx)

with controles:
    st.header("Carte des communes")
    # The map's select boxes keep one height (side by side, or one above the other on a
    # phone) whatever this run sends: on a session's first run (components/premier_ecran.py)
    # the choices as text, the boxes coming with the next run once the map is drawn, so that
    # the browser fetches the map's script first, not theirs (issue 13); the map does not
    # move when they arrive, nor while their script loads.
    with st.container(key=CHOIX_CARTE):
        st.html(f"<style>.st-key-{CHOIX_CARTE} {{ min-height: 4.25rem; }} @media (max-width: 640px) "
                f"{{ .st-key-{CHOIX_CARTE} {{ min-height: 9.5rem; }} }}</style>")
        if premier_ecran.seul() and layout.dans_l_app():  # alone, no next run would bring them
            st.markdown(f"Indicateur : **{libelles.get(indicateur)}** · millésime **{millesime}**")
        else:
            col_ind, col_mil = st.columns([3, 1])
            with col_ind:
                layout.choix_widget("Indicateur", "indicateur", list(libelles), indicateur, libelles.get,
                                    reset=("millesime",))
            with col_mil:
                layout.choix_widget("Millésime", "millesime", millesimes, millesime)

with haut:
    chiffres = cards.chiffres_cles(ctx)
    layout.page_start("Chiffres clés", ctx, demo=chiffres.demo)
    if ctx.niveau == niveaux.ENSEMBLE:  # a visitor who just arrived: what this site is, first
        orientation.afficher_intro()
    cards.afficher(chiffres.tuiles[:CARTES_VISIBLES])
    # what is folded is built and sent only when opened (a closed expander costs one
    # element instead of sixty)
    if len(chiffres.tuiles) > CARTES_VISIBLES:
        autres = st.expander(f"Les {len(chiffres.tuiles) - CARTES_VISIBLES} autres chiffres clés",
                             key="accueil_autres", on_change="rerun")
        if autres.open:
            with autres:
                cards.afficher(chiffres.tuiles[CARTES_VISIBLES:])
    if ctx.niveau != niveaux.ENSEMBLE:  # a territory was chosen: its figures first, the site's presentation after
        apropos = st.expander("À propos de ce site et du territoire", key="accueil_apropos", on_change="rerun")
        if apropos.open:
            with apropos:
                orientation.afficher_intro()

clic = state.commune_choisie(event)
if clic and clic != ctx.code:
    st.switch_page(COMMUNE_PAGE, query_params=state.query_params(clic, indicateur=indicateur, millesime=millesime))
