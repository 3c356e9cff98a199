"""Sources et définitions: the indicator catalogue, the files loaded, the data notes."""
import pandas as pd
import streamlit as st

from components import comparison, layout
from datasets import access


def texte(x) -> str:
    return "" if x is None or (not isinstance(x, (list, tuple)) and pd.isna(x)) else str(x)


layout.page_start("Sources et définitions")
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

st.header("Fichiers chargés")
fichiers = pd.DataFrame({
    "Source": [texte(s.get("titre")) for s in par_id.values()],
    "Producteur": [texte(s.get("producteur")) for s in par_id.values()],
    "Millésimes": [texte(s.get("millesimes")) for s in par_id.values()],
    "Géographie": [texte(s.get("geographie")) for s in par_id.values()],
    "Licence": [texte(s.get("licence")) for s in par_id.values()],
    "Démonstration": ["oui" if bool(s.get("demo")) else "non" for s in par_id.values()],
    "Fichier": [texte(s.get("fichier")) for s in par_id.values()],
    "Adresse": [texte(s.get("url")) for s in par_id.values()],
})
st.dataframe(fichiers, hide_index=True, width="stretch")
info = access.build_info()
st.caption(f"Entrepôt construit le {texte(info.get('built_at'))[:10]}.")

st.header("Notes sur les données")
with st.container(border=True):
    st.markdown(layout.markdown_subordonne(access.programme_notes()))
