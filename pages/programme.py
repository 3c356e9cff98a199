"""Programme de l'Agence: the agency's work programme next to the territory's figures.

Days by axis, section and dossier, by correspondant and by partner territory (with a map of
the EPCI), the agency's facts and how the programme reconciles with the published totals.
Selecting a territory highlights the dossiers that concern it. Source and year come from
the partner files."""
import streamlit as st

from components import carte_interactive, charts, layout, maps, orientation, programme_data, sections, state, theme_charts
from components import programme_charts as pc
from components import format as fmt
from datasets import access

ctx = state.context()
layout.page_start("Programme de l'Agence", ctx)
programme = access.programme()
if programme.empty:
    st.info("Aucun programme de travail de l'agence n'est chargé pour ce territoire "
            "(section [partenaires] du fichier de territoire).")
    layout.fin_de_page()
agence = access.agence()
meta = programme_data.metadonnees(agence)
SOURCE, ANNEE = meta.source, meta.annee
territoires = access.territoires()
noms = dict(zip(territoires["code"], territoires["nom_court"]))

codes = programme_data.codes_concernes(ctx.niveau, ctx.code, territoires)
concernes = pc.concerne(programme, codes) if codes is not None else programme["id"].notna()
surligner = tuple(sorted(codes)) if codes is not None else None  # a stable cache key
if codes is not None:
    st.info(f"{int(concernes.sum())} dossiers sur {len(programme)} concernent {ctx.nom} "
            f"(y compris ceux de son intercommunalité, de son groupement et de tout le territoire) : "
            f"{fmt.valeur(programme.loc[concernes, 'jours'].sum(), 'jours', 1)}, les autres sont en gris.")


def montrer(fig, donnees, table, cle, indicateur):
    """Chart + source + text table + downloads, with the export metadata of the programme."""
    titre = fig.layout.title.text
    m = charts.meta(titre, ctx.code, ctx.nom, indicateur, ANNEE, SOURCE, False,
                    alt=charts.texte_alternatif(table), agence=ctx.agence)
    st.plotly_chart(fig, key=f"fig_{cle}", alt=m.alt, config=sections.PLOTLY_CONFIG)
    st.caption(f"{SOURCE} · programme de travail {ANNEE}")
    sections.details(table, fig, donnees, m, cle)  # table and files sent when opened


deja: set[str] = set()  # acronyms already spelled out on this page
st.caption(orientation.developper_texte(orientation.presentation_programme(territoires), deja))
st.header(f"L'Agence en chiffres ({ANNEE})")
faits = agence[agence["indicateur"].isin(["subventions_fonctionnement", "effectif", "jours_total",
                                          "jours_etudes", "jours_administration", "jours_informatique"])]
faits = faits.sort_values("annee").drop_duplicates("indicateur", keep="last")
colonnes = st.columns(3)
for i, (_, r) in enumerate(faits.iterrows()):
    colonnes[i % 3].metric(r["libelle"], fmt.valeur(r["valeur"], r["unite"], 0))
with st.expander("Tous les chiffres de l'Agence (budget, personnel, jours par axe, administration, informatique)"):
    st.dataframe(programme_data.table_agence(agence), hide_index=True)
st.caption(SOURCE)

st.header("Les trois axes du programme")
for axe, jours, dossiers in pc.dossiers_principaux(programme):
    principaux = "\n".join(
        f"- {orientation.developper_texte(d['dossier'], deja)} — {pc.jours_texte(d['jours'])}, contact : {d['correspondant']}"
        for d in dossiers)
    st.markdown(f"**{axe}** ({pc.jours_texte(jours)}). Ses trois principaux dossiers :\n{principaux}")

st.header("Jours par section")
table = programme_data.table_programme(programme, concernes, noms)
fig = theme_charts.figure(ctx.build_id, pc.barres_sections, programme, surligner, f"Programme de travail {ANNEE} : jours par section")
montrer(fig, programme, programme_data.jours_par_section(programme), "programme", "programme_dossiers")
st.subheader("Tous les dossiers")
st.caption("Chaque dossier avec son correspondant à l'Agence (la personne à contacter).")
st.dataframe(table, hide_index=True, column_config={"Jours": st.column_config.NumberColumn(format="localized")})

st.header("Jours par territoire partenaire")
fig = theme_charts.figure(ctx.build_id, pc.barres_territoires, programme, noms, surligner, "Jours des dossiers nommant chaque territoire partenaire")
table = programme_data.jours_par_territoire(programme, noms)
montrer(fig, table, table, "territoires", "programme_territoires")

epci = programme_data.jours_par_epci(programme, territoires)
groupements = "".join(f"du {c}, " for c in territoires.loc[territoires["niveau"] == "groupement", "code"])
titre = f"Jours consacrés à chaque intercommunalité, programme {ANNEE}"
carte = theme_charts.carte_programme(epci, titre, ctx.build_id)
st.subheader("Carte : jours consacrés à chaque intercommunalité")
carte_interactive.afficher(carte, "carte_epci", f"Carte : {titre}. Les valeurs sont dans « {sections.DETAILS} ».")
st.html(charts.legende_html(maps.legend(carte.edges, "jours", 1), "Jours de l'intercommunalité"))
st.caption(f"{SOURCE} · chaque commune prend la couleur de son intercommunalité (dossiers nommant l'EPCI "
           f"ou l'une de ses communes) ; les dossiers {groupements}et de tout le territoire n'y sont pas comptés.")
table = programme_data.table_jours(epci["nom"], epci["jours"], "Intercommunalité")
sections.details(table, carte.static, carte.donnees,
                 charts.meta(titre, ctx.code, ctx.nom, "programme_carte", ANNEE, SOURCE, False,
                             alt=charts.texte_alternatif(table), agence=ctx.agence), "carte_epci")

st.header("Rapprochement avec les totaux du rapport")
with st.expander("Pour les équipes techniques : notes de rapprochement", expanded=False):
    st.markdown(access.programme_notes())
