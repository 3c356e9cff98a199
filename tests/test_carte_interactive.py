"""The names drawn on the interactive map: the selected commune first, none covering another."""
from __future__ import annotations

import pandas as pd

from components import carte_interactive, maps
from datasets import access


def _labels(rows):
    return pd.DataFrame(rows, columns=["nom", "lon", "lat", "selection"])


def test_a_name_that_would_cover_a_kept_one_is_left_out():
    labels = _labels([("Grande", 2.60, 50.50, False), ("Voisine", 2.601, 50.5005, False), ("Lointaine", 2.90, 50.30, False)])
    kept = carte_interactive.sans_chevauchement(labels, zoom=9.0)
    assert list(kept["nom"]) == ["Grande", "Lointaine"]
    # zoomed in far enough, the same two names no longer touch
    assert len(carte_interactive.sans_chevauchement(labels, zoom=16.0)) == 3


def test_the_selected_commune_is_always_named_and_the_count_is_bounded():
    rows = [(f"Commune {i}", 2.0 + i * 0.2, 50.5, False) for i in range(12)]
    rows.append(("Choisie", 2.001, 50.5, True))  # on top of « Commune 0 »
    kept = carte_interactive.sans_chevauchement(_labels(rows), zoom=9.0, n=5)
    assert list(kept["nom"])[0] == "Choisie" and "Commune 0" not in set(kept["nom"])
    assert len(kept) == 5


def test_the_first_view_zoom_is_read_from_the_deck_spec():
    geo = access.geojson()
    com = access.communes().head(40)
    carte = maps.build_carte(geo, pd.DataFrame({"code": com["code"], "nom": com["nom"], "valeur": range(len(com))}), "x", "x")
    expected = maps.view_state(maps.subset(geo, com["code"]), width_px=maps.FIT_WIDTH_PX, height_px=520 - 60).zoom
    assert abs(carte_interactive.zoom_initial(carte) - expected) < 1e-9


def test_names_of_the_largest_communes_of_an_epci_do_not_collide():
    epci = access.territoires("epci").iloc[0]["code"]
    candidats = carte_interactive.noms("epci", epci, None)
    assert len(candidats) > carte_interactive.NOMS_MAX
    com = access.communes("epci", epci)
    zoom = maps.view_state(maps.subset(access.geojson(), com["code"]), width_px=maps.FIT_WIDTH_PX, height_px=460).zoom
    kept = carte_interactive.sans_chevauchement(candidats, zoom)
    assert 1 <= len(kept) <= carte_interactive.NOMS_MAX
    assert kept.iloc[0]["nom"] == candidats.iloc[0]["nom"]  # the largest commune is named
    boites = [carte_interactive._boite(r.nom, r.lon, r.lat, 12, zoom) for r in kept.itertuples()]
    for i, a in enumerate(boites):
        for b in boites[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
