"""Commune: every indicator of one commune next to its reference levels, with its rank
among the territory's communes."""
import streamlit as st

from components import cards, catalogue, comparison, layout, orientation, picker, sections, state
from datasets import access

PHONE_MAX_PX = 767

ctx = state.context()
if not ctx.est_plus_fin:
    layout.page_start("Commune", ctx)
    st.info("Choisissez une commune : dans la liste ci-dessous, avec la recherche (en haut de la page sur un téléphone, dans le menu latéral sur un grand écran), sur la carte de l'accueil ou dans un classement.")
    choix = picker.choix_commune(ctx)
    if choix:
        state.set_territoire(choix)
        st.rerun()
    layout.fin_de_page()

tableau = comparison.tableau_commune(ctx)
layout.page_start(f"Commune : {ctx.nom}", ctx, demo=orientation.portee_demo(access.catalogue()) if tableau.demo else False)
if ctx.codes_postaux:
    st.caption(f"Code Insee {ctx.code} · code(s) postal(aux) {ctx.codes_postaux}")

# the explanation of the rank in the heading's help: on a phone the values come first
st.header("Tous les indicateurs", help="Rang : position de la commune parmi les communes du territoire, "
          "de la valeur la plus élevée (1) à la plus faible.")
# a wide grid on a large screen, stacked cards on a phone (only one of the two is displayed)
st.html(f"<style>@media (max-width: {PHONE_MAX_PX}px) {{ [class*='st-key-commune_grille_'] {{ display: none; }} }}"
        f"@media (min-width: {PHONE_MAX_PX + 1}px) {{ [class*='st-key-commune_cartes_'] {{ display: none; }} }}</style>")
noms_refs = [r.nom for r in ctx.references]
for i, (onglet, table) in enumerate(zip(st.tabs(list(tableau.par_theme)), tableau.par_theme.values())):
    with onglet:
        with st.container(key=f"commune_cartes_{i}"):
            st.html(cards.html_empilees(table, ctx.nom, noms_refs))
        with st.container(key=f"commune_grille_{i}"):
            st.dataframe(table, hide_index=True, width="stretch")
layout.source_caption(tableau.source_ids, tableau.demo)

st.header("Comparer un indicateur")
libelles = catalogue.libelles_avec_valeurs()
indicateur = layout.choix("Indicateur", "indicateur", list(libelles), catalogue.defaut(libelles), libelles.get)
sections.comparer(ctx, access.indicateur(indicateur), key=f"commune_{indicateur}")
