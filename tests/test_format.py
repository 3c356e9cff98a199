"""French formatting: what users paste into their notes."""
import math

import plotly.graph_objects as go
import pytest

from components import format as fmt

NB = "\u00a0"


@pytest.mark.parametrize(
    ("x", "dec", "attendu"),
    [
        (1234.5, 1, f"1{NB}234,5"),
        (1234567, 0, f"1{NB}234{NB}567"),
        (0.049, 1, "0,0"),
        (-0.01, 1, "0,0"),
        (-2500.25, 2, f"-2{NB}500,25"),
        (12, 0, "12"),
        (None, 0, "–"),
        (math.nan, 1, "–"),
    ],
)
def test_nombre(x, dec, attendu):
    assert fmt.nombre(x, dec) == attendu


def test_pourcent_has_nbsp_before_sign():
    assert fmt.pourcent(12.345) == f"12,3{NB}%"
    assert fmt.pourcent(7, 0) == f"7{NB}%"


@pytest.mark.parametrize(
    ("statut", "texte"),
    [
        ("secret", "secret statistique"),
        ("manquant", "non disponible"),
        ("non_calculable", "non calculable"),
        ("incomplet", "non disponible (données incomplètes)"),
        ("hors_source", "non disponible pour ce niveau"),
    ],
)
def test_valeur_statut_wins_over_number(statut, texte):
    assert fmt.valeur(12.0, "%", 1, statut) == texte


def test_valeur_units():
    assert fmt.valeur(23.456, "%", 1) == f"23,5{NB}%"
    assert fmt.valeur(58500, "habitants", 0) == f"58{NB}500{NB}habitants"
    assert fmt.valeur(2.1234, "ratio", 1) == "2,1"
    assert fmt.valeur(None, "habitants", 0) == "non disponible"
    assert fmt.valeur(3.0, "habitants", 0, statut=math.nan) == f"3{NB}habitants"


def test_evolution_points_for_percentages_relative_otherwise():
    assert fmt.evolution(10.0, 12.5, "%", 1) == f"+2,5{NB}points"
    assert fmt.evolution(10.0, 9.5, "%", 1) == f"−0,5{NB}point"
    assert fmt.evolution(1000, 1100, "habitants") == f"+10,0{NB}%"
    assert fmt.evolution(1000, 952, "habitants") == f"−4,8{NB}%"
    assert fmt.evolution(6.54, 6.5, "%", 1) == f"0,0{NB}point"  # no sign on a rounded zero
    assert fmt.evolution(1000, 999.9, "habitants", 1) == f"0,0{NB}%"


def test_evolution_impossible_comparisons_are_empty():
    assert fmt.evolution(None, 3) == ""
    assert fmt.evolution(0, 3) == ""
    assert fmt.evolution(3, math.nan) == ""


def test_french_layout():
    fig = fmt.french_layout(go.Figure(go.Bar(x=["a", "b"], y=[1200.5, 3])))
    assert fig.layout.separators == fmt.PLOTLY_SEPARATORS == ", "
    assert list(fig.layout.colorway) == fmt.COLORWAY
    assert fig.layout.hoverlabel.namelength == -1
    assert fig.layout.yaxis.separatethousands is True
    assert fig.layout.xaxis.exponentformat == fig.layout.yaxis.exponentformat == "none"  # no "200k"
