"""Accueil: key figures of the selected territory and the map of its communes."""
import streamlit as st

from components import cards, carte_interactive, charts, downloads, layout, maps, orientation, state
from datasets import access

COMMUNE_PAGE = "pages/commune.py"
CARTES_VISIBLES = 6


def carte_communes(indicateur: str, millesime: int, niveau: str, code: str, built_at: str) -> maps.Carte:
    """The map of one indicator, vintage and perimeter: its deck spec, static figure, legend
    and table are built once per warehouse build and shared by every session (the join,
    colouring and serialisation of 892 communes took ~0.3 s, redone on every rerun)."""
    def build() -> maps.Carte:
        with st.spinner("Préparation de la carte…"):
            ind = access.indicateur(indicateur)
            df = access.carte(indicateur, millesime, niveau, code)
            unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
            return maps.build_carte(access.geojson(), df, ind["libelle"], f"{ind['libelle']} ({millesime})", unite, dec)

    return maps.carte_partagee(("accueil", indicateur, millesime, niveau, code, built_at), build)


def perimetre(selection) -> tuple[str, str]:
    """Which communes the map shows: those of the selection, or of a commune's EPCI."""
    if selection.niveau == "commune":
        row = access.territoire(selection.code, "commune") or {}
        return ("epci", row["epci"]) if row.get("epci") else ("territoire", None)
    return selection.niveau, selection.code


selection = state.current()
chiffres = access.chiffres_cles(selection.niveau, selection.code)
layout.page_start("Chiffres clés", demo=orientation.portee_demo(chiffres))
if selection.niveau == "territoire":  # a visitor who just arrived: what this site is, first
    orientation.afficher_intro()

refs = access.references(selection.niveau, selection.code)
refs_courtes = [r for r in refs if r["niveau"] in ("epci", "departement", "pays")] or refs[:2]
ref_vals = access.valeurs(tuple(chiffres["indicateur"]), tuple((r["niveau"], r["code"]) for r in refs_courtes))
liste = cards.cartes(chiffres, ref_vals)
cards.afficher(liste[:CARTES_VISIBLES])  # on a phone the map must not come after metres of cards
if len(liste) > CARTES_VISIBLES:
    with st.expander(f"Les {len(liste) - CARTES_VISIBLES} autres chiffres clés"):
        cards.afficher(liste[CARTES_VISIBLES:])

if selection.niveau != "territoire":  # a territory was chosen: its figures first, the site's presentation after
    with st.expander("À propos de ce site et du territoire"):
        orientation.afficher_intro()

st.header("Carte des communes")
catalogue = access.catalogue()
catalogue = catalogue[catalogue["millesimes"].map(len) > 0]
libelles = dict(zip(catalogue["indicateur"], catalogue["libelle"]))
col_ind, col_mil = st.columns([3, 1])
with col_ind:
    indicateur = layout.choix("Indicateur", "indicateur", list(libelles), "population" if "population" in libelles else next(iter(libelles)), libelles.get, reset=("millesime",))
ind = access.indicateur(indicateur)
millesimes = sorted(ind["millesimes"], reverse=True)
with col_mil:
    millesime = layout.choix("Millésime", "millesime", millesimes, millesimes[0])

niveau, code = perimetre(selection)
build = access.build_info()
carte = carte_communes(indicateur, int(millesime), niveau, code, str(build.get("built_at")))
df = carte.donnees  # shared: read only
titre = f"{ind['libelle']} ({millesime})"
demo = bool(df["demo"].any())

st.subheader(titre)
if len(carte.edges) < 2:
    st.info("Aucune valeur disponible pour cet indicateur à ce niveau : la carte ne peut pas être colorée.")
event = carte_interactive.afficher(
    carte, f"carte_{indicateur}_{millesime}_{code}",
    f"Carte des communes : {titre}. Le tableau des valeurs est dans « Voir les données ».",
    selection.code if selection.niveau == "commune" else None,
    carte_interactive.noms(niveau, code, selection.code if selection.niveau == "commune" else None),
    on_select="rerun",
)
st.markdown(carte.legende, unsafe_allow_html=True)
st.caption("Classes par quantiles. Cliquez sur une commune pour ouvrir sa fiche.")
source_ids = [s for s in ind.get("source_ids") or [] if isinstance(s, str)]
layout.source_caption(source_ids, demo, millesime)

with st.expander("Voir les données (texte)"):
    st.dataframe(carte.table, hide_index=True)
meta = charts.meta(titre, selection.code, selection.nom, indicateur, millesime, layout.source_text(source_ids), demo, [ind], f"Carte des communes ({len(df)}) : {titre}", charts.agence(build))
downloads.chart_downloads(carte.static, df, meta, f"carte_{indicateur}")

clic = maps.selected_code(event)
if clic and clic != selection.code and access.territoire(clic, "commune"):
    st.switch_page(COMMUNE_PAGE, query_params=state.query_params(state.Selection("commune", clic, ""), indicateur=indicateur, millesime=millesime))
