"""Presentation tables for the Commune and Comparer pages (values as French text)."""
from __future__ import annotations

import dataclasses

import pandas as pd

from components import charts, themes
from components import format as fmt
from components.context import Context, Territoire
from datasets import access, cache, niveaux

THEMES = themes.titres()
_RANGS = cache.Store("classements", 2)  # every indicator's ranking: one entry per build


def contexte(ctx: Context, territoires: tuple, noms: dict[str, str]) -> Context:
    """The chosen territories as a context: the territory chosen in the sidebar highlighted
    when it is compared (else the first one), the others compared."""
    territoires = sorted(territoires, key=lambda t: t[1] != ctx.code)
    (niveau, code), *autres = territoires
    refs = tuple(Territoire(n, c, noms.get(c, c)) for n, c in autres)
    return dataclasses.replace(ctx, niveau=niveau, code=code, nom=noms.get(code, code), parents=(),
                               references=refs, references_courtes=refs)


def tableau_valeurs(vals: pd.DataFrame, indicateurs) -> pd.DataFrame:
    cat = access.catalogue()
    return charts.tableau_valeurs(vals, cat[cat["indicateur"].isin(list(indicateurs))])


@dataclasses.dataclass(frozen=True)
class Classement:
    table: pd.DataFrame
    legende: str
    source_ids: list
    demo: bool
    millesime: int | None


def classement(indicateur: str, ordre: str) -> Classement:
    """The ranking of the communes for one indicator, as the Comparer page shows it."""
    ind = access.indicateur(indicateur)
    cl = access.classement(indicateur)
    epci = access.territoires("epci")
    table = classement_texte(cl, str(ind.get("unite") or ""), int(ind.get("decimales") or 0),
                             dict(zip(epci["code"], epci["nom_court"])), ordre)
    millesime = int(cl["millesime"].iloc[0]) if len(cl) else None
    legende = (f"{ind['libelle']} ({millesime}) · {len(table)} communes. "
               "Sélectionnez une ligne pour ouvrir la fiche de la commune.")
    return Classement(table, legende, [s for s in ind.get("source_ids") or [] if isinstance(s, str)],
                      bool(cl["demo"].any()), millesime)


def rangs(ctx: Context) -> pd.DataFrame:
    """The rank of the context's commune for every indicator (rankings computed once per build,
    then indexed by commune: a new commune's ranks are a lookup, not 80 DataFrame filters)."""
    def index() -> dict[str, tuple[int, dict]]:
        classements = {i: access.classement(i) for i in access.catalogue()["indicateur"]
                       if len(access.indicateur(i)["millesimes"])}
        return index_rangs(classements)

    return rang_commune_index(_RANGS.get(ctx.build_id, "index", index), ctx.code)


def index_rangs(classements: dict[str, pd.DataFrame]) -> dict[str, tuple[int, dict]]:
    """indicator -> (number of ranked communes, {commune code: rank})."""
    return {ind: (int(cl["rang"].notna().sum()), dict(zip(cl["code"].tolist(), cl["rang"].tolist())))
            for ind, cl in classements.items()}


def rang_commune_index(index: dict[str, tuple[int, dict]], code: str) -> pd.DataFrame:
    rows = []
    for ind, (n, par_code) in index.items():
        rang = par_code.get(code)
        rows.append({"indicateur": ind, "rang": None if rang is None or pd.isna(rang) else int(rang), "n": n})
    return pd.DataFrame(rows, columns=["indicateur", "rang", "n"])


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


@dataclasses.dataclass(frozen=True)
class TableauCommune:
    par_theme: dict[str, pd.DataFrame]  # theme title -> its rows (without the theme column)
    source_ids: list
    demo: bool


_TABLEAUX = cache.Store("tableaux_commune", 64)


def tableau_commune(ctx: Context) -> TableauCommune:
    """Every indicator of the context's commune next to its references, with its rank, by theme
    (built once per commune and warehouse build, shared: frozen)."""
    return _TABLEAUX.get(ctx.build_id, ctx.territoires, lambda: _tableau_commune(ctx))


def _tableau_commune(ctx: Context) -> TableauCommune:
    cat = access.catalogue()
    territoires = [ctx.territoire.as_dict()] + [r.as_dict() for r in ctx.references]
    vals = access.valeurs(tuple(cat["indicateur"]), ctx.territoires)
    table = tableau_niveaux(vals, cat, territoires, rangs(ctx))
    par_theme = {t: table[table["Thème"] == t].drop(columns=["Thème"]) for t in dict.fromkeys(table["Thème"])}
    return TableauCommune(par_theme, list(vals["source_id"].dropna().unique()), bool(vals["demo"].any()))
