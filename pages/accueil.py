"""Accueil: key figures of the selected territory and the map of its communes."""
import pandas as pd
import streamlit as st

from components import cards, charts, downloads, layout, maps, state
from components import format as fmt
from datasets import access

COMMUNE_PAGE = "pages/commune.py"


@st.cache_data(max_entries=32, show_spinner="Préparation de la carte…")
def carte_communes(indicateur: str, millesime: int, niveau: str, code: str, built_at: str):
    """The values and the coloured GeoJSON of one map (the costly join, done once)."""
    ind = access.indicateur(indicateur)
    df = access.carte(indicateur, millesime, niveau, code)
    geo = maps.subset(access.geojson(), df["code"])
    unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
    coloured = maps.colour_features(geo, df, unite, dec)
    static = maps.static_choropleth(geo, df, f"{ind['libelle']} ({millesime})", unite, dec)
    return df, coloured, static


def perimetre(selection) -> tuple[str, str]:
    """Which communes the map shows: those of the selection, or of a commune's EPCI."""
    if selection.niveau == "commune":
        row = access.territoire(selection.code, "commune") or {}
        return ("epci", row["epci"]) if row.get("epci") else ("territoire", None)
    return selection.niveau, selection.code


selection = state.current()
chiffres = access.chiffres_cles(selection.niveau, selection.code)
layout.page_start("Chiffres clés", demo=bool(chiffres["demo"].any()))

refs = access.references(selection.niveau, selection.code)
refs_courtes = [r for r in refs if r["niveau"] in ("epci", "departement", "pays")] or refs[:2]
ref_vals = access.valeurs(tuple(chiffres["indicateur"]), tuple((r["niveau"], r["code"]) for r in refs_courtes))
cards.afficher(cards.cartes(chiffres, ref_vals))

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
df, coloured, static = carte_communes(indicateur, int(millesime), niveau, code, str(build.get("built_at")))
unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
titre = f"{ind['libelle']} ({millesime})"
demo = bool(df["demo"].any())
edges = maps.classes(df["valeur"])

st.subheader(titre)
if len(edges) < 2:
    st.info("Aucune valeur disponible pour cet indicateur à ce niveau : la carte ne peut pas être colorée.")
event = st.pydeck_chart(
    maps.deck_choropleth(coloured, ind["libelle"]),
    on_select="rerun",
    selection_mode="single-object",
    key=f"carte_{indicateur}_{millesime}_{code}",
    alt=f"Carte des communes : {titre}. Le tableau des valeurs est dans « Voir les données ».",
)
st.markdown(maps.legend_markdown(maps.legend(edges, unite, dec), bool(df["valeur"].isna().any())), unsafe_allow_html=True)
st.caption("Classes par quantiles. Cliquez sur une commune pour ouvrir sa fiche.")
source_ids = [s for s in ind.get("source_ids") or [] if isinstance(s, str)]
layout.source_caption(source_ids, demo, millesime)

table = pd.DataFrame({"Commune": df["nom"], "Code": df["code"], ind["libelle"]: [fmt.valeur(v, unite, dec, s) for v, s in zip(df["valeur"], df["statut"])]})
with st.expander("Voir les données (texte)"):
    st.dataframe(table, hide_index=True)
meta = charts.meta(titre, selection.code, selection.nom, indicateur, millesime, layout.source_text(source_ids), demo, [ind], f"Carte des communes ({len(df)}) : {titre}", charts.agence(build))
downloads.chart_downloads(static, df, meta, f"carte_{indicateur}")

clic = maps.selected_code(event)
if clic and clic != selection.code and access.territoire(clic, "commune"):
    st.switch_page(COMMUNE_PAGE, query_params=state.query_params(state.Selection("commune", clic, ""), indicateur=indicateur, millesime=millesime))
