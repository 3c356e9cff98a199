"""Sources et définitions: the indicator catalogue, the files loaded, the data notes."""
import pandas as pd
import streamlit as st

from components import comparison, layout, orientation
from datasets import access


def texte(x) -> str:
    return "" if x is None or (not isinstance(x, (list, tuple)) and pd.isna(x)) else str(x)


layout.page_start("Sources et définitions")
st.markdown("D'où viennent les chiffres de ce site, ce que mesure chaque indicateur, et ce que veulent dire "
            "les sigles. Les chiffres sont ceux de l'Insee (recensement, fichiers « chiffres clés ») et ceux "
            "de l'agence pour son programme de travail.")
catalogue = access.catalogue()
sources = access.sources()
par_id = {r["source_id"]: r for r in sources.to_dict("records")}

st.header("Catalogue des indicateurs")
theme = st.selectbox("Thème", ["Tous"] + list(comparison.THEMES.values()))
lignes = []
for ind in catalogue.to_dict("records"):
    theme_ind = comparison.THEMES.get(ind["theme"], ind["theme"])
    if theme != "Tous" and theme_ind != theme:
        continue
    ids = [s for s in (ind.get("source_ids") if ind.get("source_ids") is not None else []) if isinstance(s, str)]
    srcs = [par_id[s] for s in ids if s in par_id]
    lignes.append({
        "Indicateur": ind["libelle"],
        "Thème": theme_ind,
        "Unité": texte(ind.get("unite")),
        "Définition": texte(ind.get("definition")),
        "Millésimes": ", ".join(str(int(m)) for m in (ind.get("millesimes") if ind.get("millesimes") is not None else [])) or "aucun",
        "Source": layout.source_text(ids).removeprefix("Sources : ").removeprefix("Source : ") if ids else "aucune donnée chargée",
        "Géographie": ", ".join(sorted({str(s["geographie"]) for s in srcs if pd.notna(s.get("geographie"))})),
        "Licence": ", ".join(sorted({texte(s.get("licence")) for s in srcs if texte(s.get("licence"))})),
        "Démonstration": "oui" if bool(ind.get("demo")) else "non",
        "Identifiant": ind["indicateur"],
    })
table = pd.DataFrame(lignes)
st.dataframe(table, hide_index=True, width="stretch", column_config={"Définition": st.column_config.TextColumn(width="large")})
if (table["Démonstration"] == "oui").any() if len(table) else False:
    layout.demo_badge()
    st.caption("Les indicateurs marqués « Démonstration : oui » sont dérivés de fichiers de démonstration, faute de fichier Insee officiel chargé.")

st.header("Sigles")
sigles = orientation.glossaire_table()
if len(sigles):
    st.markdown("\n".join(f"- **{r.Sigle}** : {r.Signification}" for r in sigles.itertuples(index=False)))
else:
    st.caption("Aucun sigle n'est décrit pour ce territoire.")
note = orientation.note_departements()
if note:
    st.caption(note)

st.header("Fichiers utilisés")
fichiers = pd.DataFrame({
    "Source": [texte(s.get("titre")) for s in par_id.values()],
    "Producteur": [texte(s.get("producteur")) for s in par_id.values()],
    "Millésimes": [texte(s.get("millesimes")) for s in par_id.values()],
    "Géographie": [texte(s.get("geographie")) for s in par_id.values()],
    "Licence": [texte(s.get("licence")) for s in par_id.values()],
    "Démonstration": ["oui" if bool(s.get("demo")) else "non" for s in par_id.values()],
    "Adresse": [texte(s.get("url")) for s in par_id.values()],
})
st.dataframe(fichiers, hide_index=True, width="stretch",
             column_config={"Adresse": st.column_config.LinkColumn("Adresse")})
info = access.build_info()
st.caption(f"Données mises à jour le {texte(info.get('built_at'))[:10]}.")

st.header("Programme de travail de l'agence")
st.markdown("Les dossiers et les jours de travail du programme sont relevés dans le rapport d'activité de "
            "l'agence ; le rapprochement de ces jours avec les totaux publiés est détaillé ci-dessous.")
with st.expander("Pour les équipes techniques : fichiers chargés et notes de rapprochement"):
    st.dataframe(pd.DataFrame({"Source": [texte(s.get("titre")) for s in par_id.values()],
                               "Fichier": [texte(s.get("fichier")) for s in par_id.values()]}),
                 hide_index=True, width="stretch")
    st.markdown(layout.markdown_subordonne(access.programme_notes()))
