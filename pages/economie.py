"""Économie: jobs and workers, unemployment, employment concentration, social categories,
incomes and poverty.

Filosofi medians and rates cannot be summed: where INSEE publishes nothing the page says
"non calculable", and secret cells read "secret statistique", never zero."""
import streamlit as st

from components import charts, layout, sections
from datasets import access

eco = access.catalogue("economie")
rev = access.catalogue("revenus")
selection = layout.page_start("Économie", demo=bool(eco["demo"].any() or rev["demo"].any()))
references = access.references(selection.niveau, selection.code)
territoires = charts.territoires_compares(selection, references)
agence = charts.agence(access.build_info())

st.header("Emploi et population active")
sections.chiffres(eco[(eco["agregation"] == "somme") & ~eco["indicateur"].str.startswith("csp_")], territoires)

taux = eco[(eco["agregation"] == "ratio") & ~eco["indicateur"].str.startswith("part_")]
for _, r in taux.iterrows():
    sections.comparer(r, selection, territoires, r["indicateur"], agence)

st.header("Catégories socioprofessionnelles")
csp = [c for c in eco["indicateur"] if c.startswith("csp_")]
sections.structure(eco, csp, "pop_15p_csp", selection, territoires, "csp",
                 "Population de 15 ans ou plus par catégorie socioprofessionnelle", empile=False, agence=agence)

st.header("Revenus et pauvreté")
st.caption("Une médiane, un décile ou un taux de pauvreté ne s'additionnent pas : seules les valeurs "
           "publiées par l'Insee sont montrées ; ailleurs, « non calculable ».")
sections.chiffres(rev[rev["agregation"] == "somme"], territoires)
publies = rev[rev["agregation"] == "publie"]
for _, r in publies.iterrows():
    sections.comparer(r, selection, territoires, r["indicateur"], agence)

st.header("Évolution")
for _, r in eco[eco["cle"].astype(bool) & (eco["agregation"] == "somme")].iterrows():
    sections.evolution(r, selection, f"evolution_{r['indicateur']}", agence)
