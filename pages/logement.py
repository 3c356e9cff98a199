"""Logement: dwellings, their occupancy, type and tenure, and how they changed between censuses.

Driven by the catalogue of theme `logement`: the key shares are compared with the
reference levels, the key counts are followed over every census vintage."""
import streamlit as st

from components import charts, layout, sections
from datasets import access

cat = access.catalogue("logement")
ind = cat.set_index("indicateur", drop=False)
selection = layout.page_start("Logement", demo=bool(cat["demo"].any()))
references = access.references(selection.niveau, selection.code)
territoires = charts.territoires_compares(selection, references)
agence = charts.agence(access.build_info())

st.header("Parc de logements")
sections.chiffres(cat[cat["agregation"] == "somme"], territoires)

st.header("Résidences principales, secondaires et logements vacants")
sections.structure(cat, ["residences_principales", "residences_secondaires", "logements_vacants"], "logements",
                 selection, territoires, "occupation", "Catégories de logements", agence=agence)

st.header("Maisons et appartements")
sections.structure(cat, ["maisons", "appartements"], "logements", selection, territoires, "type_logement",
                 "Type de logement", reste="Autres logements", agence=agence)

st.header("Propriétaires, locataires et logement social")
sections.structure(cat, ["rp_proprietaires", "rp_locataires"], "residences_principales", selection,
                 territoires, "statut_occupation", "Statut d'occupation des résidences principales",
                 reste="Logés gratuitement", agence=agence,
                 libelles={"rp_proprietaires": "Propriétaires", "rp_locataires": "Locataires (dont HLM)"})

st.header("Indicateurs clés comparés")
cles = cat[cat["cle"].astype(bool) & (cat["agregation"] == "ratio")]
for _, r in cles.iterrows():
    sections.comparer(r, selection, territoires, r["indicateur"], agence)

st.header("Évolution entre recensements")
for _, r in cat[cat["cle"].astype(bool)].iterrows():
    sections.evolution(r, selection, f"evolution_{r['indicateur']}", agence)
