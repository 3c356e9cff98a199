"""Comparer: several territories side by side, and the ranking of all communes."""
import streamlit as st

from components import charts, comparison, layout, picker, recherche, sections, state
from datasets import access

COMMUNE_PAGE = "pages/commune.py"
MAX_TERRITOIRES = 8
ORDRES = {"decroissant": "Valeur décroissante", "croissant": "Valeur croissante", "alphabetique": "Ordre alphabétique"}

selection = state.current()
layout.page_start("Comparer")

# every territory of the warehouse can be compared (communes, EPCI, groupings, reference
# levels); they are added through the search, the box below only lists the chosen ones
tous = access.territoires()
niveaux = dict(zip(tous["code"], tous["niveau"]))
noms = dict(zip(tous["code"], tous["nom"]))
defaut = [selection.code] if selection.niveau in ("commune", "epci") else []
if selection.niveau == "commune":
    epci = (access.territoire(selection.code, "commune") or {}).get("epci")
    defaut += [epci] if epci in niveaux else []
defaut = defaut or list(tous.loc[tous["niveau"] == "epci", "code"])
codes = state.params("comparer", list(niveaux), defaut, maximum=MAX_TERRITOIRES, allow_empty=True)
labels = {c: recherche.libelle(recherche.territoire(c) or {"code": c, "nom": noms[c], "niveau": niveaux[c]}) for c in codes}


def _ajouter(code: str, search_key: str | None = None) -> None:
    choisis = list(st.session_state.get("comparer_territoires") or [])
    if code not in choisis and len(choisis) < MAX_TERRITOIRES:
        choisis.append(code)
    state.set_params("comparer", choisis)
    if search_key:
        st.session_state[search_key] = ""  # a callback may set a widget value: the box is emptied

catalogue = access.catalogue()
catalogue = catalogue[catalogue["millesimes"].map(len) > 0]
libelles = dict(zip(catalogue["indicateur"], catalogue["libelle"]))
cles = [i for i in catalogue[catalogue["cle"]]["indicateur"]][:3] or list(libelles)[:3]
indicateurs = state.params("indicateurs", list(libelles), cles, maximum=6)

st.session_state["comparer_territoires"] = codes
st.multiselect("Territoires comparés", codes, format_func=labels.get, key="comparer_territoires",
               max_selections=MAX_TERRITOIRES, select_all=False, placeholder="Aucun territoire choisi",
               on_change=lambda: state.set_params("comparer", st.session_state["comparer_territoires"]))
texte = st.text_input("Ajouter un territoire", key="comparer_recherche", type="search", live="300ms",
                      placeholder="Commune, code postal, intercommunalité, département, France…")
if len(codes) >= MAX_TERRITOIRES:
    st.caption(f"{MAX_TERRITOIRES} territoires au plus : retirez-en un pour en ajouter un autre.")
else:
    picker.suggestions(texte, "comparer_ajout_", on_pick=_ajouter, search_key="comparer_recherche",
                       niveaux=recherche.TOUS)
st.session_state["comparer_indicateurs"] = indicateurs
st.multiselect("Indicateurs", list(libelles), format_func=libelles.get, key="comparer_indicateurs", max_selections=6,
               select_all=False, placeholder="Choisissez un ou plusieurs indicateurs",
               on_change=lambda: state.set_params("indicateurs", st.session_state["comparer_indicateurs"]))

territoires = tuple((niveaux[c], c) for c in codes)
if not territoires or not indicateurs:
    st.info("Aucun territoire ou aucun indicateur choisi : ajoutez un territoire avec la recherche "
            "« Ajouter un territoire » (commune, intercommunalité, département, France…) et choisissez un indicateur.")
else:
    vals = access.valeurs(tuple(indicateurs), territoires)
    st.subheader("Tableau comparatif")
    st.dataframe(charts.tableau_valeurs(vals, catalogue[catalogue["indicateur"].isin(indicateurs)]), hide_index=True, width="stretch")
    layout.source_caption(list(vals["source_id"].dropna().unique()), bool(vals["demo"].any()))
    # the territory chosen in the sidebar is the highlighted bar (when it is compared)
    surligne = selection if selection.code in codes else state.Selection(niveaux[codes[0]], codes[0], noms[codes[0]])
    cols = st.columns(2)
    for i, ind_id in enumerate(indicateurs):
        with cols[i % 2]:
            sections.comparer(access.indicateur(ind_id), surligne, territoires, key=f"comparer_{ind_id}", agence=charts.agence(access.build_info()))

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
