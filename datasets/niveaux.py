"""The levels of territory and how they nest, described once.

Every module asks this one instead of writing a level's name: the finest level (what maps
draw and rankings rank), the levels a visitor can select, the parents of a territory
(columns of the `territoires` table) and the order used to sort and to resolve a bare code.

    commune -> epci -> groupement -> territoire      (the agency's chain, selectable)
    commune -> departement -> region -> pays         (administrative references)
"""
from __future__ import annotations

LOCAUX = ("commune", "epci", "groupement", "territoire")  # finest first; a bare code in the URL is one of these
ADMINISTRATIFS = ("departement", "region", "pays")
TOUS = LOCAUX + ADMINISTRATIFS
PLUS_FIN = LOCAUX[0]  # the level of the map polygons and of rankings
SELECTIONNABLES = LOCAUX
ENSEMBLE = LOCAUX[-1]  # the whole territory of the agency

# the parent levels of each level, nearest first, named like the columns of `territoires`
PARENTS: dict[str, tuple[str, ...]] = {
    "commune": ("epci", "groupement", "departement", "region"),
    "epci": ("groupement", "departement", "region"),
    "groupement": (),
    "territoire": (),
    "departement": ("region",),
    "region": (),
    "pays": (),
}


# how the pages name each level (French, lower case: "Béthune · commune")
LIBELLES = {
    "commune": "commune",
    "epci": "intercommunalité (EPCI)",
    "groupement": "groupement d'EPCI",
    "territoire": "territoire de l'agence",
    "departement": "département",
    "region": "région",
    "pays": "France",
}


def libelle(niveau: str) -> str:
    return LIBELLES.get(niveau, niveau)


def rang(niveau: str) -> int:
    """Sort order (finest local level first, France last); unknown levels go last."""
    return TOUS.index(niveau) if niveau in TOUS else len(TOUS)


def au_dessus(niveau: str) -> tuple[str, ...]:
    """The local levels above `niveau` (EPCI, grouping, whole territory for a commune)."""
    return LOCAUX[LOCAUX.index(niveau) + 1:] if niveau in LOCAUX else ()


def contient_des_communes(niveau: str) -> bool:
    """Whether a territory of this level is a set of finest-level units (a map can draw it)."""
    return niveau != PLUS_FIN
