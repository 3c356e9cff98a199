"""The indicator catalogue as the pages' choosers need it (labels, default choice)."""
from __future__ import annotations

import pandas as pd

from components import theme_charts, themes
from datasets import access, cache

TOUS = "Tous"

DEFAUT = "population"


def libelles_avec_valeurs(ids=None) -> dict[str, str]:
    """id -> label of the indicators that have at least one vintage (optionally among `ids`)."""
    cat = access.catalogue()
    cat = cat[cat["millesimes"].map(len) > 0]
    if ids is not None:
        cat = cat[cat["indicateur"].isin(list(ids))]
    return dict(zip(cat["indicateur"], cat["libelle"]))


def cles(libelles: dict[str, str], n: int = 3) -> list[str]:
    """The first key indicators (catalogue `cle`) among `libelles`."""
    cat = access.catalogue()
    out = [i for i in cat[cat["cle"]]["indicateur"] if i in libelles][:n]
    return out or list(libelles)[:n]


def defaut(libelles: dict[str, str]) -> str:
    return DEFAUT if DEFAUT in libelles else next(iter(libelles))



def _texte(x) -> str:
    return "" if x is None or (not isinstance(x, (list, tuple)) and pd.isna(x)) else str(x)


def _liste(x) -> list:
    return list(x) if x is not None and not isinstance(x, float) else []


def themes_du_catalogue() -> list[str]:
    """[Tous, then the theme titles] for the Sources page's filter."""
    return [TOUS, *themes.titres().values()]


_TABLEAUX = cache.Store("catalogue", 16)


def tableau_catalogue(theme: str = TOUS) -> pd.DataFrame:
    """The indicator catalogue as the Sources page shows it (one theme title, or all), built
    once per theme and warehouse build."""
    return _TABLEAUX.get(access.build_id(), ("catalogue", theme), lambda: _tableau_catalogue(theme))


def tableau_fichiers() -> pd.DataFrame:
    """The files loaded in the warehouse, one row per source."""
    return _TABLEAUX.get(access.build_id(), "fichiers", _tableau_fichiers)


def _tableau_catalogue(theme: str) -> pd.DataFrame:
    titres = themes.titres()
    par_id = {r["source_id"]: r for r in access.sources().to_dict("records")}
    lignes = []
    for ind in access.catalogue().to_dict("records"):
        theme_ind = titres.get(ind["theme"], ind["theme"])
        if theme != TOUS and theme_ind != theme:
            continue
        ids = [s for s in _liste(ind.get("source_ids")) if isinstance(s, str)]
        srcs = [par_id[s] for s in ids if s in par_id]
        lignes.append({
            "Indicateur": ind["libelle"],
            "Thème": theme_ind,
            "Unité": _texte(ind.get("unite")),
            "Définition": _texte(ind.get("definition")),
            "Millésimes": ", ".join(str(int(m)) for m in _liste(ind.get("millesimes"))) or "aucun",
            "Source": theme_charts.source_text(ids).removeprefix("Sources : ").removeprefix("Source : ") if ids else "aucune donnée chargée",
            "Géographie": ", ".join(sorted({str(s["geographie"]) for s in srcs if pd.notna(s.get("geographie"))})),
            "Licence": ", ".join(sorted({_texte(s.get("licence")) for s in srcs if _texte(s.get("licence"))})),
            "Démonstration": "oui" if bool(ind.get("demo")) else "non",
            "Identifiant": ind["indicateur"],
        })
    return pd.DataFrame(lignes)


def _tableau_fichiers() -> pd.DataFrame:
    sources = access.sources().to_dict("records")
    colonnes = {"Source": "titre", "Producteur": "producteur", "Millésimes": "millesimes", "Géographie": "geographie",
                "Licence": "licence", "Démonstration": "demo", "Fichier": "fichier", "Adresse": "url"}
    return pd.DataFrame({titre: [("oui" if bool(s.get(c)) else "non") if c == "demo" else _texte(s.get(c)) for s in sources]
                         for titre, c in colonnes.items()})
