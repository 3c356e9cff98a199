"""Comparer: several territories side by side, and the ranking of all communes."""
import streamlit as st

from components import charts, comparison, layout, sections, state
from datasets import access

COMMUNE_PAGE = "pages/commune.py"
MAX_TERRITOIRES = 8
ORDRES = {"decroissant": "Valeur décroissante", "croissant": "Valeur croissante", "alphabetique": "Ordre alphabétique"}

selection = state.current()
layout.page_start("Comparer")

options = access.selectable()
options = options[options["niveau"].isin(["epci", "commune"])]
labels = {r["code"]: (f"EPCI · {r['nom']}" if r["niveau"] == "epci" else f"{r['nom']} ({r['code']})") for r in options.to_dict("records")}
niveaux = dict(zip(options["code"], options["niveau"]))
defaut = [selection.code] if selection.code in labels else []
if selection.niveau == "commune":
    epci = (access.territoire(selection.code, "commune") or {}).get("epci")
    defaut += [epci] if epci in labels else []
defaut = defaut or list(options[options["niveau"] == "epci"]["code"])
codes = state.params("comparer", list(labels), defaut, maximum=MAX_TERRITOIRES)

catalogue = access.catalogue()
catalogue = catalogue[catalogue["millesimes"].map(len) > 0]
libelles = dict(zip(catalogue["indicateur"], catalogue["libelle"]))
cles = [i for i in catalogue[catalogue["cle"]]["indicateur"]][:3] or list(libelles)[:3]
indicateurs = state.params("indicateurs", list(libelles), cles, maximum=6)

st.session_state["comparer_territoires"] = codes
st.multiselect("Territoires (communes ou EPCI)", list(labels), format_func=labels.get, key="comparer_territoires",
               max_selections=MAX_TERRITOIRES, on_change=lambda: state.set_params("comparer", st.session_state["comparer_territoires"]))
st.session_state["comparer_indicateurs"] = indicateurs
st.multiselect("Indicateurs", list(libelles), format_func=libelles.get, key="comparer_indicateurs", max_selections=6,
               on_change=lambda: state.set_params("indicateurs", st.session_state["comparer_indicateurs"]))

territoires = tuple((niveaux[c], c) for c in codes)
if not territoires or not indicateurs:
    st.info("Choisissez au moins un territoire et un indicateur.")
else:
    vals = access.valeurs(tuple(indicateurs), territoires)
    st.subheader("Tableau comparatif")
    st.dataframe(charts.tableau_valeurs(vals, catalogue[catalogue["indicateur"].isin(indicateurs)]), hide_index=True, width="stretch")
    layout.source_caption(list(vals["source_id"].dropna().unique()), bool(vals["demo"].any()))
    noms = dict(zip(options["code"], options["nom"]))
    premier = state.Selection(niveaux[codes[0]], codes[0], noms[codes[0]])  # highlighted in the bars
    cols = st.columns(2)
    for i, ind_id in enumerate(indicateurs):
        with cols[i % 2]:
            sections.comparer(access.indicateur(ind_id), premier, territoires, key=f"comparer_{ind_id}", agence=charts.agence(access.build_info()))

st.header("Classement des communes")
col_ind, col_ordre = st.columns([3, 2])
with col_ind:
    indicateur = layout.choix("Indicateur du classement", "indicateur", list(libelles), cles[0], libelles.get)
with col_ordre:
    ordre = layout.choix("Tri", "tri", list(ORDRES), "decroissant", ORDRES.get)
ind = access.indicateur(indicateur)
cl = access.classement(indicateur)
epci_noms = dict(zip(access.territoires("epci")["code"], access.territoires("epci")["nom_court"]))
table = comparison.classement_texte(cl, str(ind.get("unite") or ""), int(ind.get("decimales") or 0), epci_noms, ordre)
millesime = int(cl["millesime"].iloc[0]) if len(cl) else None
st.caption(f"{ind['libelle']} ({millesime}) · {len(table)} communes. Sélectionnez une ligne pour ouvrir la fiche de la commune.")
event = st.dataframe(table, hide_index=True, width="stretch", height=420, on_select="rerun", selection_mode="single-row", key=f"classement_{indicateur}_{ordre}")
layout.source_caption([s for s in ind.get("source_ids") or [] if isinstance(s, str)], bool(cl["demo"].any()), millesime)
lignes = event.selection.rows if event else []
if lignes:
    code = str(table.iloc[lignes[0]]["Code"])
    st.switch_page(COMMUNE_PAGE, query_params={"territoire": code, "indicateur": indicateur})
