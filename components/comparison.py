"""Presentation tables for the Commune and Comparer pages (values as French text)."""
from __future__ import annotations

import pandas as pd

from components import format as fmt

THEMES = {"demographie": "Démographie", "logement": "Logement", "economie": "Économie", "revenus": "Revenus"}


def colonnes_territoires(territoires: list[dict]) -> list[str]:
    """Column titles for territories; the level is added when two names collide."""
    noms = [t["nom"] for t in territoires]
    return [f"{t['nom']} ({t['niveau']})" if noms.count(t["nom"]) > 1 else str(t["nom"]) for t in territoires]


def tableau_niveaux(vals: pd.DataFrame, catalogue: pd.DataFrame, territoires: list[dict], rangs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per catalogue indicator, one column per territory (commune, EPCI, ..., France).

    `vals`: `access.valeurs` output; `territoires`: dicts niveau, code, nom in display order;
    `rangs`: rang, n per indicateur for the first territory (a commune)."""
    titres = colonnes_territoires(territoires)
    lignes = []
    index = {(r["indicateur"], r["niveau"], r["code"]): r for r in vals.to_dict("records")}
    rang_par_ind = {} if rangs is None else {r["indicateur"]: r for r in rangs.to_dict("records")}
    for ind in catalogue.to_dict("records"):
        unite, dec = str(ind.get("unite") or ""), int(ind.get("decimales") or 0)
        ligne = {"Thème": THEMES.get(ind.get("theme"), str(ind.get("theme") or "")), "Indicateur": ind["libelle"], "Unité": unite}
        millesimes = set()
        for t, titre in zip(territoires, titres):
            r = index.get((ind["indicateur"], t["niveau"], t["code"]))
            if r is None:
                ligne[titre] = "non disponible"
                continue
            statut = r.get("statut") if isinstance(r.get("statut"), str) else None
            ligne[titre] = fmt.valeur(r.get("valeur"), unite, dec, statut)
            if pd.notna(r.get("millesime")):
                millesimes.add(int(r["millesime"]))
        ligne["Millésime"] = ", ".join(str(m) for m in sorted(millesimes)) or "–"
        if rangs is not None:
            rg = rang_par_ind.get(ind["indicateur"])
            ligne["Rang"] = f"{int(rg['rang'])} / {int(rg['n'])}" if rg is not None and pd.notna(rg.get("rang")) else "–"
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def rang_commune(classements: dict[str, pd.DataFrame], code: str) -> pd.DataFrame:
    """Rank of one commune for each indicator from `access.classement` outputs (n = ranked communes)."""
    rows = []
    for ind, cl in classements.items():
        hit = cl[cl["code"] == code]
        n = int(cl["rang"].notna().sum())
        rang = hit["rang"].iloc[0] if not hit.empty else None
        rows.append({"indicateur": ind, "rang": None if rang is None or pd.isna(rang) else int(rang), "n": n})
    return pd.DataFrame(rows, columns=["indicateur", "rang", "n"])


def classement_texte(cl: pd.DataFrame, unite: str, dec: int, epci_noms: dict[str, str], ordre: str = "decroissant") -> pd.DataFrame:
    """The ranking as a display table (French text values), sorted as asked.

    `ordre`: "decroissant" (rank 1 first), "croissant", or "alphabetique"."""
    d = cl.copy()
    if ordre == "croissant":
        d = d.sort_values(["valeur", "nom"], ascending=[True, True], na_position="last")
    elif ordre == "alphabetique":
        d = d.sort_values("nom", key=lambda s: s.str.normalize("NFKD"))
    statuts = d["statut"] if "statut" in d else [None] * len(d)
    return pd.DataFrame(
        {
            "Rang": d["rang"].astype("Int64"),
            "Commune": d["nom"],
            "Code": d["code"],
            "EPCI": [epci_noms.get(e, "") for e in d["epci"]],
            "Valeur": [fmt.valeur(v, unite, dec, s if isinstance(s, str) else None) for v, s in zip(d["valeur"], statuts)],
        }
    ).reset_index(drop=True)
