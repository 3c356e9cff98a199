"""Démographie: legal population over every vintage, its growth, density, age, households.

Each figure puts the selected territory next to its reference levels; labels, units and
vintages come from the indicator catalogue."""
import streamlit as st

from components import charts, layout
from datasets import access

cat = access.catalogue("demographie")
ind = cat.set_index("indicateur", drop=False)
selection = layout.page_start("Démographie", demo=bool(cat["demo"].any()))
references = access.references(selection.niveau, selection.code)
territoires = charts.territoires_compares(selection, references)
agence = charts.agence(access.build_info())

st.header("Population légale")
serie = charts.evolution(ind.loc["population"], selection, "population", agence)

taux = charts.taux_annuels(serie)
if len(taux):
    titre = "Taux de croissance annuel moyen de la population entre millésimes"
    fig = charts.barres_taux(taux, titre)
    table = charts.table_texte(taux, {"periode": "Période", "valeur": "Taux annuel moyen"}, "%", 2)
    m = charts.meta(titre, selection.code, selection.nom, "croissance_population", int(taux["fin"].max()),
                    layout.source_text(list(serie["source_id"].dropna().unique())), bool(serie["demo"].any()),
                    [ind.loc["population"]], charts.texte_alternatif(table), agence)
    charts.afficher(fig, taux, table, m, "croissance", list(serie["source_id"].dropna().unique()),
                    f"{int(taux['debut'].min())} à {int(taux['fin'].max())}")

series = {selection.nom: serie}
for r in references:
    series[r["nom"]] = access.serie("population", r["niveau"], r["code"])
periode = charts.taux_periode(series)
if periode["debut"].notna().any():
    debut, fin = int(periode["debut"].dropna().iloc[0]), int(periode["fin"].dropna().iloc[0])
    titre = f"Croissance annuelle moyenne de la population, {debut}–{fin}"
    fig = charts.barres_comparaison(periode, "%", 2, titre, selection=selection.nom)
    table = charts.table_texte(periode, {"nom": "Territoire", "valeur": "Taux annuel moyen"}, "%", 2)
    m = charts.meta(titre, selection.code, selection.nom, "croissance_comparee", fin,
                    layout.source_text(list(serie["source_id"].dropna().unique())), bool(serie["demo"].any()),
                    [ind.loc["population"]], charts.texte_alternatif(table), agence)
    charts.afficher(fig, periode, table, m, "croissance_comparee",
                    list(serie["source_id"].dropna().unique()), f"{debut} à {fin}")
else:
    st.info("La croissance ne peut pas être comparée : les territoires n'ont pas deux millésimes en commun.")

st.header("Densité")
charts.comparer(ind.loc["densite"], selection, territoires, "densite", agence)

st.header("Structure par âge")
bandes = ["pop_0014", "pop_1529", "pop_3044", "pop_4559", "pop_6074", "pop_75p"]
charts.structure(cat, bandes, "pop_recensement", selection, territoires, "ages",
                 "Population par tranche d'âge", empile=False, prefixe="Population de ", agence=agence)
for indicateur in ("part_moins_15", "part_60_plus"):
    charts.comparer(ind.loc[indicateur], selection, territoires, indicateur, agence)

st.header("Ménages")
charts.chiffres(cat[cat["indicateur"].isin(["menages", "pop_menages"])], territoires)
charts.comparer(ind.loc["taille_menages"], selection, territoires, "taille_menages", agence)
