"""Comparer: several territories side by side, and the ranking of all communes."""
import streamlit as st

from components import catalogue, comparison, layout, picker, sections, state
from datasets import access

COMMUNE_PAGE = "pages/commune.py"
MAX_TERRITOIRES = 8
ORDRES = {"decroissant": "Valeur décroissante", "croissant": "Valeur croissante", "alphabetique": "Ordre alphabétique"}

ctx = state.context()
layout.page_start("Comparer", ctx)

territoires, noms = picker.choix_comparaison(ctx, MAX_TERRITOIRES)

libelles = catalogue.libelles_avec_valeurs()
cles = catalogue.cles(libelles)
indicateurs = layout.choix_multiples("Indicateurs", "indicateurs", list(libelles), cles, libelles.get, maximum=6,
                                     key="comparer_indicateurs", placeholder="Choisissez un ou plusieurs indicateurs")

if not territoires or not indicateurs:
    st.info("Aucun territoire ou aucun indicateur choisi : ajoutez un territoire avec la recherche "
            "« Ajouter un territoire » (commune, intercommunalité, département, France…) et choisissez un indicateur.")
else:
    vals = access.valeurs(tuple(indicateurs), territoires)
    st.subheader("Tableau comparatif")
    st.dataframe(comparison.tableau_valeurs(vals, indicateurs), hide_index=True, width="stretch")
    layout.source_caption(list(vals["source_id"].dropna().unique()), bool(vals["demo"].any()))
    # the territory chosen in the sidebar is the highlighted bar (when it is compared)
    compare = comparison.contexte(ctx, territoires, noms)
    cols = st.columns(2)
    for i, ind_id in enumerate(indicateurs):
        with cols[i % 2]:
            sections.comparer(compare, access.indicateur(ind_id), key=f"comparer_{ind_id}")

st.header("Classement des communes")
col_ind, col_ordre = st.columns([3, 2])
with col_ind:
    indicateur = layout.choix("Indicateur du classement", "indicateur", list(libelles), cles[0], libelles.get)
with col_ordre:
    ordre = layout.choix("Tri", "tri", list(ORDRES), "decroissant", ORDRES.get)
classement = comparison.classement(indicateur, ordre)
st.caption(classement.legende)
event = st.dataframe(classement.table, hide_index=True, width="stretch", height=420, on_select="rerun",
                     selection_mode="single-row", key=f"classement_{indicateur}_{ordre}")
layout.source_caption(classement.source_ids, classement.demo, classement.millesime)
lignes = event.selection.rows if event else []
if lignes:
    code = str(classement.table.iloc[lignes[0]]["Code"])
    st.switch_page(COMMUNE_PAGE, query_params={"territoire": code, "indicateur": indicateur})
