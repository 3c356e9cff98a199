"""French number formatting and the plotly layout every chart shares.

Users read these numbers in French notes: thousands separated by a non-breaking
space, decimal comma, a non-breaking space before "%" and units."""
from __future__ import annotations

import math

NBSP = "\u00a0"
PLOTLY_SEPARATORS = ", "  # plotly: decimal mark, then thousands separator

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
COLORWAY = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"

STATUTS = {
    "secret": "secret statistique",
    "manquant": "non disponible",
    "non_disponible": "non disponible",
    "non_applicable": "non applicable",
    "secret_ou_non_disponible": "secret ou non disponible",
    "invalide": "valeur invalide dans le fichier source",
    "non_calculable": "non calculable",
    "incomplet": "non disponible (données incomplètes)",
    "hors_source": "non disponible pour ce niveau",
}


def _absent(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def nombre(x, decimales: int = 0) -> str:
    """1234.5 -> "1 234,5" (NBSP thousands); missing -> "–"."""
    if _absent(x):
        return "–"
    decimales = max(0, int(decimales))
    texte = f"{float(x):,.{decimales}f}"
    if texte.startswith("-") and float(texte.replace(",", "")) == 0:
        texte = texte[1:]  # no "-0,0"
    return texte.replace(",", NBSP).replace(".", ",")


def pourcent(x, decimales: int = 1) -> str:
    """12.34 (already a percentage) -> "12,3 %"."""
    if _absent(x):
        return "–"
    return f"{nombre(x, decimales)}{NBSP}%"


def statut_texte(statut) -> str | None:
    """French text for a `valeurs.statut`, None when the value is present."""
    if statut is None or (isinstance(statut, float) and math.isnan(statut)) or statut == "":
        return None
    return STATUTS.get(str(statut), "non disponible")


def valeur(x, unite: str | None = "", decimales: int = 0, statut=None) -> str:
    """A value with its unit, or the French text of its statut."""
    texte = statut_texte(statut)
    if texte is not None:
        return texte
    if _absent(x):
        return "non disponible"
    if unite == "%":
        return pourcent(x, decimales)
    if not unite or unite == "ratio":
        return nombre(x, decimales)
    return f"{nombre(x, decimales)}{NBSP}{unite}"


def evolution(avant, apres, unite: str | None = "", decimales: int = 1) -> str:
    """Change from `avant` to `apres`: points for a percentage, relative % otherwise.

    Returns "" when the comparison cannot be made (a missing value, a zero base)."""
    if _absent(avant) or _absent(apres):
        return ""
    avant, apres = float(avant), float(apres)
    if unite == "%":
        ecart = round(apres - avant, decimales)
        signe = "+" if ecart > 0 else ("−" if ecart < 0 else "")
        pts = "point" if abs(round(ecart, decimales)) < 2 else "points"
        return f"{signe}{nombre(abs(ecart), decimales)}{NBSP}{pts}"
    if avant == 0:
        return ""
    taux = round((apres - avant) / abs(avant) * 100, decimales)
    signe = "+" if taux > 0 else ("−" if taux < 0 else "")
    return f"{signe}{nombre(abs(taux), decimales)}{NBSP}%"


_AXIS = {"separatethousands": True, "exponentformat": "none"}  # "200 000", not the English "200k"
#: the shared French look, applied in one update (figure construction dominates page
#: reruns: one nested update costs a fraction of a dozen separate ones, see BENCHMARKS.md)
FRENCH_LAYOUT = {
    "separators": PLOTLY_SEPARATORS,
    "font": {"family": FONT_FAMILY, "size": 14},
    "colorway": COLORWAY,
    "hoverlabel": {"namelength": -1, "font": {"family": FONT_FAMILY}},
    "legend": {"title": {"text": ""}},
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    "xaxis": _AXIS,
    "yaxis": _AXIS,
}


def french_layout(fig, **extra):
    """Apply the shared French layout (separators, font, colour-blind-safe colours,
    hover, plain thousands on the axes), merged with `extra` layout settings."""
    layout = {**FRENCH_LAYOUT, **extra}
    if "legend" in extra:
        layout["legend"] = {**FRENCH_LAYOUT["legend"], **extra["legend"]}
    fig.update_layout(layout)
    return fig
