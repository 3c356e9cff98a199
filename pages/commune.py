"""Commune: every indicator of one commune next to its EPCI, grouping, territory and
département, with its rank among the territory's communes."""
import functools

import pandas as pd
import streamlit as st

from components import cards, charts, comparison, layout, orientation, sections, state
from datasets import access

REFERENCES = ("epci", "groupement", "territoire", "departement", "pays")
PHONE_MAX_PX = 767


@functools.lru_cache(maxsize=2)
def classements(built_at: str) -> dict[str, pd.DataFrame]:
    """Every indicator's ranking of the communes, computed once per warehouse build and
    shared read-only by every session (st.cache_data would unpickle a copy of the ~60
    tables on every rerun: 15 ms at 319 communes, 47 ms at 892)."""
    with st.spinner("Calcul des classements…"):
        return {i: access.classement(i) for i in access.catalogue()["indicateur"]
                if len(access.indicateur(i)["millesimes"])}


selection = state.current()
if selection.niveau != "commune":
    layout.page_start("Commune")
    st.info("Choisissez une commune : dans la liste ci-dessous, avec la recherche du menu latéral, sur la carte de l'accueil ou dans un classement.")
    com = access.communes(selection.niveau, selection.code)
    codes = [""] + list(com["code"])
    noms = dict(zip(com["code"], com["nom"]))
    choix = st.selectbox("Commune", codes, format_func=lambda c: "Choisir une commune…" if not c else f"{noms[c]} ({c})")
    if choix:
        state.set_territoire(choix)
        st.rerun()
    st.stop()

catalogue = access.catalogue()
refs = [r for r in access.references("commune", selection.code) if r["niveau"] in REFERENCES]
territoires = [{"niveau": "commune", "code": selection.code, "nom": selection.nom}] + refs
vals = access.valeurs(tuple(catalogue["indicateur"]), tuple((t["niveau"], t["code"]) for t in territoires))
demo = bool(vals["demo"].any())
layout.page_start(f"Commune : {selection.nom}", demo=orientation.portee_demo(catalogue) if demo else False)

info = access.territoire(selection.code, "commune") or {}
if info.get("codes_postaux"):
    st.caption(f"Code Insee {selection.code} · code(s) postal(aux) {info['codes_postaux']}")

rangs = comparison.rang_commune(classements(str(access.build_info().get("built_at"))), selection.code)
table = comparison.tableau_niveaux(vals, catalogue, territoires, rangs)
st.header("Tous les indicateurs")
st.caption("Rang : position de la commune parmi les communes du territoire, de la valeur la plus élevée (1) à la plus faible.")
# a wide grid on a large screen, stacked cards on a phone (only one of the two is displayed)
st.html(f"<style>@media (max-width: {PHONE_MAX_PX}px) {{ [class*='st-key-commune_grille_'] {{ display: none; }} }}"
        f"@media (min-width: {PHONE_MAX_PX + 1}px) {{ [class*='st-key-commune_cartes_'] {{ display: none; }} }}</style>")
noms_refs = [t["nom"] for t in refs]
onglets = st.tabs(list(dict.fromkeys(table["Thème"])))
for i, (onglet, theme) in enumerate(zip(onglets, dict.fromkeys(table["Thème"]))):
    with onglet:
        lignes = table[table["Thème"] == theme].drop(columns=["Thème"])
        with st.container(key=f"commune_cartes_{i}"):
            st.html(cards.html_empilees(lignes, selection.nom, noms_refs))
        with st.container(key=f"commune_grille_{i}"):
            st.dataframe(lignes, hide_index=True, width="stretch")
layout.source_caption(list(vals["source_id"].dropna().unique()), demo)

st.header("Comparer un indicateur")
avec_valeurs = catalogue[catalogue["millesimes"].map(len) > 0]
libelles = dict(zip(avec_valeurs["indicateur"], avec_valeurs["libelle"]))
indicateur = layout.choix("Indicateur", "indicateur", list(libelles), "population" if "population" in libelles else next(iter(libelles)), libelles.get)
ind = access.indicateur(indicateur)
sections.comparer(ind, selection, charts.territoires_compares(selection, refs), key=f"commune_{indicateur}", agence=charts.agence(access.build_info()))
