"""Démographie: legal population over every vintage, its growth, density, age, households.

Each figure puts the selected territory next to its reference levels; labels, units and
vintages come from the indicator catalogue."""
import streamlit as st

from components import charts, layout, sections
from datasets import access

cat = access.catalogue("demographie")
ind = cat.set_index("indicateur", drop=False)
selection = layout.page_start("Démographie", demo=bool(cat["demo"].any()))
references = access.references(selection.niveau, selection.code)
territoires = charts.territoires_compares(selection, references)
agence = charts.agence(access.build_info())

st.header("Population légale")
serie = sections.evolution(ind.loc["population"], selection, "population", agence)
sections.croissance(ind.loc["population"], serie, selection, references, agence)

st.header("Densité")
sections.comparer(ind.loc["densite"], selection, territoires, "densite", agence)

st.header("Structure par âge")
bandes = ["pop_0014", "pop_1529", "pop_3044", "pop_4559", "pop_6074", "pop_75p"]
sections.structure(cat, bandes, "pop_recensement", selection, territoires, "ages",
                 "Population par tranche d'âge", empile=False, prefixe="Population de ", agence=agence)
for indicateur in ("part_moins_15", "part_60_plus"):
    sections.comparer(ind.loc[indicateur], selection, territoires, indicateur, agence)

st.header("Ménages")
sections.chiffres(cat[cat["indicateur"].isin(["menages", "pop_menages"])], territoires)
sections.comparer(ind.loc["taille_menages"], selection, territoires, "taille_menages", agence)
sections.evolution(ind.loc["menages"], selection, "evolution_menages", agence)
