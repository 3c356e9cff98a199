"""The agency's work programme and facts (partner data, `datasets/partners/README.md`):
which dossiers concern the selection, days per correspondant, partner territory and EPCI,
the text tables of the Programme page, and the programme's own metadata (source, year),
read from the partner files rather than written in code. Pure pandas."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from components import format as fmt
from components.charts import _present
from datasets import niveaux


@dataclass(frozen=True)
class Metadonnees:
    source: str  # "Source : AULA, Rapport d'activité 2018"
    annee: int | None  # the programme's year


def metadonnees(agence: pd.DataFrame) -> Metadonnees:
    """Source and year of the partner data, from its own `source` and `annee` columns
    (line references such as ", ligne 235" dropped: they belong to each fact)."""
    sources = [re.sub(r",\s*(ligne|lignes|page|p\.)\s.*$", "", str(s)).strip()
               for s in agence.get("source", pd.Series(dtype=str)).dropna()]
    source = max(set(sources), key=sources.count) if sources else ""
    annee = int(agence["annee"].max()) if "annee" in agence and agence["annee"].notna().any() else None
    return Metadonnees(f"Source : {source}" if source else "Source : données de l'agence", annee)


def jours_par_territoire(programme: pd.DataFrame, noms: dict[str, str]) -> pd.DataFrame:
    """[Territoire, Jours]: the days of the dossiers naming each partner territory."""
    sums: dict[str, float] = {}
    for t, j in zip(programme["territoires"], programme["jours"]):
        for code in _codes(t):
            sums[code] = sums.get(code, 0.0) + float(j)
    order = sorted(sums, key=lambda c: (-sums[c], c))
    return table_jours([noms.get(c, c) for c in order], [sums[c] for c in order], "Territoire")


def _codes(texte) -> list[str]:
    return [c.strip() for c in str(texte or "").split("|") if c.strip() and str(texte) != "nan"]


def codes_concernes(niveau: str, code: str, territoires: pd.DataFrame) -> set[str] | None:
    """Codes whose dossiers concern the selection; None for the whole territory (all do).

    A commune is concerned by its own dossiers and those of its EPCI, grouping and the whole
    territory; an EPCI or grouping also by those of its members."""
    if niveau == niveaux.ENSEMBLE:
        return None
    t = territoires.set_index("code")
    racine = set(territoires.loc[territoires["niveau"] == niveaux.ENSEMBLE, "code"])
    if niveau == niveaux.PLUS_FIN:
        row = t.loc[code] if code in t.index else {}
        return {code, *(str(row.get(k)) for k in ("epci", "groupement") if _present(row.get(k)))} | racine
    if niveau == "epci":
        g = t.loc[code, "groupement"] if code in t.index else None
        membres = set(territoires.loc[territoires["epci"] == code, "code"])
        return {code} | membres | ({str(g)} if _present(g) else set()) | racine
    epcis = set(territoires.loc[(territoires["niveau"] == "epci") & (territoires["groupement"] == code), "code"])
    membres = set(territoires.loc[territoires["epci"].isin(epcis), "code"])
    return {code} | epcis | membres | racine


def jours_par_epci(programme: pd.DataFrame, territoires: pd.DataFrame) -> pd.DataFrame:
    """Days of the dossiers naming each EPCI or one of its communes [code, nom, jours].

    Like the bars by partner territory, a dossier counts in full for every EPCI it names;
    dossiers of a grouping or of the whole territory are not spread over EPCI."""
    communes = territoires[territoires["niveau"] == niveaux.PLUS_FIN].set_index("code")["epci"]
    epcis = territoires[territoires["niveau"] == "epci"]
    jours = dict.fromkeys(epcis["code"], 0.0)
    for texte, j in zip(programme["territoires"], programme["jours"]):
        nommes = {c if c in jours else communes.get(c) for c in _codes(texte)}
        for e in nommes & set(jours):
            jours[e] += float(j)
    out = epcis[["code", "nom"]].copy()
    out["jours"] = [jours[c] for c in out["code"]]
    return out.reset_index(drop=True)


def carte_epci(communes: pd.DataFrame, epci: pd.DataFrame) -> pd.DataFrame:
    """One row per commune [code, nom, epci, valeur]: the days of its EPCI, for the map."""
    jours = dict(zip(epci["code"], epci["jours"]))
    out = communes[["code", "nom", "epci"]].copy()
    out["valeur"] = [jours.get(e) for e in out["epci"]]
    return out


def table_programme(programme: pd.DataFrame, concernes: pd.Series, noms: dict[str, str]) -> pd.DataFrame:
    """The sortable table of dossiers, partner codes replaced by their names."""
    return pd.DataFrame({
        "Dossier n°": programme["id"],
        "Axe": programme["axe"].astype(int),
        "Section": programme["section"],
        "Dossier": programme["dossier"],
        "Jours": programme["jours"].astype(float),
        "Correspondant": programme["correspondant"],
        "Territoires": [", ".join(noms.get(c, c) for c in _codes(t)) for t in programme["territoires"]],
        "Concerne la sélection": ["oui" if c else "non" for c in concernes],
    })


def jours_par_section(programme: pd.DataFrame) -> pd.DataFrame:
    """Days by section, largest first (the text table of the ranked bars)."""
    g = programme.groupby(["axe", "section"])["jours"].sum().reset_index().sort_values("jours", ascending=False)
    return table_jours(g["section"], g["jours"], "Section")


def table_jours(libelles, jours, colonne: str) -> pd.DataFrame:
    """Text alternative of a bar chart of days."""
    return pd.DataFrame({colonne: list(libelles), "Jours": [fmt.valeur(v, "jours", 1) for v in jours]})


def table_agence(agence: pd.DataFrame) -> pd.DataFrame:
    """The agency's facts as French text."""
    return pd.DataFrame({
        "Rubrique": agence["rubrique"],
        "Chiffre": agence["libelle"],
        "Valeur": [fmt.valeur(v, u, 1 if float(v) % 1 else 0) for v, u in zip(agence["valeur"], agence["unite"])],
        "Année": agence["annee"].astype(int).astype(str),
        "Source": agence["source"],
    })
