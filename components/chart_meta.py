"""What every exported figure must carry: title, territory, source, vintage,
demonstration flag, and the catalogue facts for the data sheet."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorFacts:
    indicateur: str
    libelle: str
    unite: str
    definition: str
    source: str  # e.g. "Insee, Base chiffres clés Logement 2021 (géographie 2024)"
    millesime: int | None
    licence: str = "Licence Ouverte / Open Licence 2.0 (Etalab)"
    demo: bool = False
    decimales: int | None = None  # decimals the site displays (catalogue)


@dataclass(frozen=True)
class ChartMeta:
    titre: str  # e.g. "Taux de vacance des logements"
    territoire_code: str  # e.g. "62119"
    territoire_nom: str  # e.g. "Béthune"
    indicateur: str  # main indicator id (or a chart id such as "pyramide") for file names
    millesime: int | None
    source: str  # one line: "Source : Insee, RP 2021 (géographie 2024)"
    demo: bool = False
    agence: str = ""  # "Réalisation : <agence>" is printed from this
    indicateurs: tuple[IndicatorFacts, ...] = field(default_factory=tuple)  # for the XLSX "Sources" sheet
    alt: str = ""  # text alternative of the chart
    # What the exported "valeur" column holds when it is not the single indicator's own value
    # (shares of a total: "%", 1). Empty: inferred by `components.exports.tables.valeurs`.
    unite: str = ""
    decimales: int | None = None
