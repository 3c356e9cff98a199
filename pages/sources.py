"""Sources et définitions: the indicator catalogue, the files loaded, the data notes."""
import streamlit as st

from components import catalogue, layout, state
from datasets import access

ctx = state.context()
layout.page_start("Sources et définitions", ctx)

st.header("Catalogue des indicateurs")
theme = st.selectbox("Thème", catalogue.themes_du_catalogue())
table = catalogue.tableau_catalogue(theme)
st.dataframe(table, hide_index=True, width="stretch", column_config={"Définition": st.column_config.TextColumn(width="large")})
if len(table) and (table["Démonstration"] == "oui").any():
    layout.demo_badge()
    st.caption("Les indicateurs marqués « Démonstration : oui » sont dérivés de fichiers de démonstration, faute de fichier Insee officiel chargé.")

st.header("Fichiers chargés")
st.dataframe(catalogue.tableau_fichiers(), hide_index=True, width="stretch")
st.caption(f"Entrepôt construit le {str(access.build_info().get('built_at') or '')[:10]}.")

st.header("Notes sur les données")
with st.container(border=True):
    st.markdown(layout.markdown_subordonne(access.programme_notes()))
