"""Sources et définitions: the indicator catalogue, the files loaded, the data notes."""
import streamlit as st

from components import catalogue, layout, orientation, state
from datasets import access

ctx = state.context()
layout.page_start("Sources et définitions", ctx)
st.markdown("D'où viennent les chiffres de ce site, ce que mesure chaque indicateur, et ce que veulent dire "
            "les sigles. Les chiffres sont ceux de l'Insee (recensement, fichiers « chiffres clés ») et ceux "
            "de l'agence pour son programme de travail.")

st.header("Catalogue des indicateurs")
theme = st.selectbox("Thème", catalogue.themes_du_catalogue())
table = catalogue.tableau_catalogue(theme)
st.dataframe(table, hide_index=True, width="stretch", column_config={"Définition": st.column_config.TextColumn(width="large")})
if len(table) and (table["Démonstration"] == "oui").any():
    layout.demo_badge()
    st.caption("Les indicateurs marqués « Démonstration : oui » sont dérivés de fichiers de démonstration, faute de fichier Insee officiel chargé.")

st.header("Sigles")
sigles = orientation.glossaire_table()
if len(sigles):
    st.markdown("\n".join(f"- **{r.Sigle}** : {r.Signification}" for r in sigles.itertuples(index=False)))
else:
    st.caption("Aucun sigle n'est décrit pour ce territoire.")
note = orientation.note_departements()
if note:
    st.caption(note)

st.header("Fichiers utilisés")
fichiers = catalogue.tableau_fichiers()
st.dataframe(fichiers.drop(columns=["Fichier"]), hide_index=True, width="stretch",
             column_config={"Adresse": st.column_config.LinkColumn("Adresse")})
st.caption(f"Données mises à jour le {str(access.build_info().get('built_at') or '')[:10]}.")

st.header("Programme de travail de l'agence")
st.markdown("Les dossiers et les jours de travail du programme sont relevés dans le rapport d'activité de "
            "l'agence ; le rapprochement de ces jours avec les totaux publiés est détaillé ci-dessous.")
with st.expander("Pour les équipes techniques : fichiers chargés et notes de rapprochement"):
    st.dataframe(fichiers[["Source", "Fichier"]], hide_index=True, width="stretch")
    st.markdown(layout.markdown_subordonne(access.programme_notes()))
