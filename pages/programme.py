"""Programme de l'Agence: the 2018 work programme next to the territory's figures.

Days by axis, section and dossier, by correspondant and by partner territory (with a map of
the EPCI), the agency's facts and how the programme reconciles with the published totals.
Selecting a territory highlights the dossiers that concern it."""
import streamlit as st

from components import carte_interactive, charts, downloads, layout, maps, orientation, sections
from components import programme_charts as pc
from components import format as fmt
from datasets import access

selection = layout.page_start("Programme de l'Agence")
agence_nom = charts.agence(access.build_info())
programme = access.programme()
if programme.empty:
    st.info("Aucun programme de travail de l'agence n'est chargé pour ce territoire "
            "(section [partenaires] du fichier de territoire).")
    st.stop()
territoires = access.territoires()
SOURCE = "Source : AULA, Rapport d'activité 2018"
noms = dict(zip(territoires["code"], territoires["nom_court"]))

codes = charts.codes_concernes(selection.niveau, selection.code, territoires)
concernes = pc.concerne(programme, codes) if codes is not None else programme["id"].notna()
if codes is not None:
    st.info(f"{int(concernes.sum())} dossiers sur {len(programme)} concernent {selection.nom} "
            f"(y compris ceux de son intercommunalité, de son groupement et de tout le territoire) : "
            f"{fmt.valeur(programme.loc[concernes, 'jours'].sum(), 'jours', 1)}, les autres sont en gris.")


def montrer(fig, donnees, table, cle, indicateur):
    """Chart + source + text table + downloads, with the export metadata of the programme."""
    titre = fig.layout.title.text
    m = charts.meta(titre, selection.code, selection.nom, indicateur, 2018, SOURCE, False,
                    alt=charts.texte_alternatif(table), agence=agence_nom)
    st.plotly_chart(fig, key=f"fig_{cle}", alt=m.alt, config={"displaylogo": False, "displayModeBar": False})
    st.caption(f"{SOURCE} · programme de travail 2018")
    with st.expander("Voir les données (texte)"):
        st.dataframe(table, hide_index=True)
    downloads.chart_downloads(fig, donnees, m, cle)


deja: set[str] = set()  # acronyms already spelled out on this page
st.caption(orientation.developper_texte(
    "Le programme de travail partenarial de l'AULA : les dossiers menés pour la CABBALR, la CALL, la CAHC, "
    "le PMA, le PETR et tout le territoire, en jours de travail.", deja))
st.header("L'Agence en chiffres (2018)")
agence = access.agence()
faits = agence[agence["indicateur"].isin(["subventions_fonctionnement", "effectif", "jours_total",
                                          "jours_etudes", "jours_administration", "jours_informatique"])]
faits = faits.sort_values("annee").drop_duplicates("indicateur", keep="last")
colonnes = st.columns(3)
for i, (_, r) in enumerate(faits.iterrows()):
    colonnes[i % 3].metric(r["libelle"], fmt.valeur(r["valeur"], r["unite"], 0))
with st.expander("Tous les chiffres de l'Agence (budget, personnel, jours par axe, administration, informatique)"):
    st.dataframe(charts.table_agence(agence), hide_index=True)
st.caption(SOURCE)

st.header("Les trois axes du programme")
for axe, jours, dossiers in pc.dossiers_principaux(programme):
    principaux = "\n".join(
        f"- {orientation.developper_texte(d['dossier'], deja)} — {pc.jours_texte(d['jours'])}, contact : {d['correspondant']}"
        for d in dossiers)
    st.markdown(f"**{axe}** ({pc.jours_texte(jours)}). Ses trois principaux dossiers :\n{principaux}")

st.header("Jours par section")
table = charts.table_programme(programme, concernes, noms)
fig = sections.figure(pc.barres_sections, programme, codes, "Programme de travail 2018 : jours par section")
sections_table = (programme.groupby(["axe", "section"])["jours"].sum().reset_index()
                  .sort_values("jours", ascending=False))
montrer(fig, programme, charts.table_jours(sections_table["section"], sections_table["jours"], "Section"),
        "programme", "programme_dossiers")
st.subheader("Tous les dossiers")
st.caption("Chaque dossier avec son correspondant à l'Agence (la personne à contacter).")
st.dataframe(table, hide_index=True, column_config={"Jours": st.column_config.NumberColumn(format="localized")})

st.header("Jours par territoire partenaire")
fig = sections.figure(pc.barres_territoires, programme, noms, codes, "Jours des dossiers nommant chaque territoire partenaire")
table = charts.table_jours(fig.data[0].y, fig.data[0].x, "Territoire")
montrer(fig, table, table, "territoires", "programme_territoires")

epci = charts.jours_par_epci(programme, territoires)
titre = "Jours consacrés à chaque intercommunalité, programme 2018"


def construire_carte() -> maps.Carte:
    communes = charts.carte_epci(access.communes(), epci)
    return maps.build_carte(access.geojson(), communes, "Jours de l'EPCI", titre, "jours", 1)


# the same for every selection and session: built once per warehouse build
carte = maps.carte_partagee(("programme", str(access.build_info().get("built_at"))), construire_carte)
st.subheader("Carte : jours consacrés à chaque intercommunalité")
carte_interactive.afficher(carte, "carte_epci", f"Carte : {titre}. Les valeurs sont dans « Voir les données ».")
st.html(charts.legende_html(maps.legend(carte.edges, "jours", 1), "Jours de l'intercommunalité"))
st.caption(f"{SOURCE} · chaque commune prend la couleur de son intercommunalité (dossiers nommant l'EPCI "
           "ou l'une de ses communes) ; les dossiers du PMA, du PETR et de tout le territoire n'y sont pas comptés.")
table = charts.table_jours(epci["nom"], epci["jours"], "Intercommunalité")
with st.expander("Voir les données (texte)"):
    st.dataframe(table, hide_index=True)
downloads.chart_downloads(carte.static, carte.donnees,
                   charts.meta(titre, selection.code, selection.nom, "programme_carte", 2018, SOURCE, False,
                               alt=charts.texte_alternatif(table), agence=agence_nom), "carte_epci")

st.header("Rapprochement avec les totaux du rapport")
with st.expander("Pour les équipes techniques : notes de rapprochement", expanded=False):
    st.markdown(access.programme_notes())
