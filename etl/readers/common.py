"""The contract shared by all readers.

A reader turns one official file (bare CSV, or the zip as downloaded) into a
`ReadResult`: a long table of values keyed by level, code, generic variable and
vintage, plus a `SourceInfo` describing the file. Readers never aggregate and
never know about the territory; they only read faithfully.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: columns of ReadResult.data, in this order
DATA_COLUMNS = ["niveau", "code", "variable", "millesime", "valeur", "statut"]

#: famille values (file families)
FAMILIES = (
    "populations_legales",
    "evol_struct_pop",
    "logement",
    "emploi_pop_active",
    "serie_historique",
    "filosofi",
    "comparateur",
)

#: statut values: None (value present), "secret" (INSEE `s`), "non_disponible"
#: (`nd`), "non_applicable" (`NA`, `N/A`), "manquant" (empty cell),
#: "secret_ou_non_disponible" (an empty cell of a file whose documentation says
#: secret cells are left empty: the comparateur), "invalide" (a cell that is
#: none of these, kept aside when the reader is lenient: see docs/robustness.md)
STATUTS = (None, "secret", "non_disponible", "non_applicable", "manquant", "secret_ou_non_disponible", "invalide")


@dataclass
class SourceInfo:
    source_id: str  # stable id, e.g. "base-cc-logement-2021" or "demo-base-cc-logement-2021"
    fichier: str  # file name as given (member name inside a zip: "zip!member")
    famille: str  # one of FAMILIES
    millesimes: list[int]  # vintages found in the variable prefixes / suffixes
    geographie: int | None  # year of the 1 January geography, when known
    sha256: str  # of the file as given (the zip if a zip)
    producteur: str = "Insee"
    licence: str = "Licence Ouverte / Open Licence 2.0 (Etalab)"
    demo: bool = False
    url: str | None = None
    titre: str = ""  # human title, e.g. "Base chiffres clés Logement 2021"
    libelles: dict[str, str] = field(default_factory=dict)  # "P21_LOG" -> label from the meta file
    notes: list[str] = field(default_factory=list)  # repairs done, e.g. "34 963 CODGEO réparés"
    # cells that are neither numbers nor INSEE markers (lenient reads only): dicts with
    # fichier, ligne, colonne, niveau, code, texte, message
    anomalies: list[dict] = field(default_factory=list)


@dataclass
class ReadResult:
    info: SourceInfo
    # columns DATA_COLUMNS:
    #   niveau   str  "commune" for base-cc files; filosofi EPCI/DEP files give "epci"/"departement"/...
    #   code     str  code as in the file after repair (5 chars for communes, leading zero restored)
    #   variable str  generic name without the vintage: "P_LOG", "C_MEN", "D_POP", "MED", "PMUN"
    #   millesime int vintage read from the prefix/suffix (P21_ -> 2021, D99_ -> 1999, MED20 -> 2020)
    #   valeur   float64 full precision, NaN when missing
    #   statut   object None | "secret" | "manquant"
    data: pd.DataFrame
