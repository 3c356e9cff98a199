"""Choropleth builders: classes, colours, the GeoJSON join, the deck and the static figure."""
import json

import pandas as pd

from components import maps

NB = "\u00a0"


def square(code, nom, x):
    ring = [[x, 50.0], [x + 0.1, 50.0], [x + 0.1, 50.1], [x, 50.1], [x, 50.0]]
    return {"type": "Feature", "properties": {"code": code, "nom": nom}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


GEO = {"type": "FeatureCollection", "features": [square("62001", "Aa", 2.0), square("62002", "Bé", 2.1), square("62003", "Cé", 2.2), square("62004", "Dé", 2.3)]}
DF = pd.DataFrame(
    {
        "code": ["62001", "62002", "62003", "62004"],
        "nom": ["Aa", "Bé", "Cé", "Dé"],
        "valeur": [1000.0, 2500.0, 12000.0, None],
        "statut": [None, None, None, "secret"],
    }
)


def test_classes_are_quantile_edges_without_duplicates():
    assert maps.classes(range(1, 11), 5) == [1.0, 2.8, 4.6, 6.4, 8.2, 10.0]
    assert maps.classes([3, 3, 3, 3, 9], 4) == [3.0, 9.0]
    assert maps.classes([5, 5], 5) == [5.0, 5.0]
    assert maps.classes([None, float("nan")]) == []


def test_palette_goes_light_to_dark_and_has_n_colours():
    cols = maps.palette(5)
    assert len(cols) == 5 and len(set(cols)) == 5
    assert sum(cols[0]) > sum(cols[-1])


def test_classe_index_bounds():
    edges = [0.0, 10.0, 20.0]
    assert [maps.classe_index(v, edges) for v in (0, 10, 10.5, 20, 25, None, "x")] == [0, 0, 1, 1, 1, None, None]


def test_colour_features_joins_values_and_statut_text():
    out = maps.colour_features(GEO, DF, unite="habitants", decimales=0, n=3)
    props = {f["properties"]["code"]: f["properties"] for f in out["features"]}
    assert props["62001"]["valeur_texte"] == f"1{NB}000{NB}habitants"
    assert props["62004"]["valeur_texte"] == "secret statistique"
    assert props["62004"]["fill"][:3] == list(maps.NO_DATA_RGB)
    assert props["62001"]["fill"] != props["62003"]["fill"]
    assert "fill" not in GEO["features"][0]["properties"]  # input left untouched


def test_deck_is_selectable_offline_and_fits_the_communes():
    deck = maps.deck_choropleth(maps.colour_features(GEO, DF), libelle="Population")
    spec = json.loads(deck.to_json())
    layer = spec["layers"][0]
    assert layer["id"] == maps.LAYER_ID and layer["pickable"] is True
    assert "mapProvider" not in spec and "mapStyle" not in spec  # no basemap tiles from the network
    assert 2.0 < spec["initialViewState"]["longitude"] < 2.4
    assert "Population" in deck._tooltip["html"]


def test_selected_code_reads_feature_properties():
    event = {"selection": {"indices": {"communes": [1]}, "objects": {"communes": [{"type": "Feature", "properties": {"code": "62119"}}]}}}
    assert maps.selected_code(event) == "62119"
    assert maps.selected_code({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.selected_code(None) is None


def test_static_choropleth_has_one_trace_per_class_plus_no_data():
    fig = maps.static_choropleth(GEO, DF, "Population", unite="habitants", decimales=0, n=3)
    names = [t.name for t in fig.data]
    assert names[-1] == maps.NO_DATA_LABEL
    assert list(fig.data[-1].locations) == ["62004"]
    assert sum(len(t.locations) for t in fig.data) == 4
    assert fig.layout.separators == ", "
    assert fig.layout.title.text == "Population"
    assert fig.layout.legend.title.text == "habitants"


def test_deck_spec_is_the_same_json_as_pydeck_without_indentation():
    deck = maps.deck_choropleth(maps.colour_features(GEO, DF, "habitants", 0), libelle="Population")
    spec = maps.deck_spec(deck)
    assert json.loads(spec) == json.loads(deck.to_json())
    assert "\n" not in spec and len(spec) < len(deck.to_json())
    shown = maps.SpecDeck(spec, deck._tooltip)
    assert shown.to_json() is spec and shown._tooltip == deck._tooltip


def test_colour_features_shares_geometry_but_not_properties():
    out = maps.colour_features(GEO, DF)
    assert out["features"][0]["geometry"] == GEO["features"][0]["geometry"]
    assert out["features"][0]["properties"] is not GEO["features"][0]["properties"]
    assert GEO["features"][0]["properties"] == {"code": "62001", "nom": "Aa"}


def test_build_carte_holds_the_deck_the_static_map_the_legend_and_the_table():
    carte = maps.build_carte(GEO, DF, "Population", "Population (2021)", "habitants", 0)
    deck = maps.deck_choropleth(maps.colour_features(GEO, DF, "habitants", 0), "Population")
    assert json.loads(carte.spec) == json.loads(deck.to_json())
    assert json.loads(carte.deck().to_json()) == json.loads(deck.to_json())
    assert carte.tooltip == deck._tooltip and carte.communes == 4
    assert carte.edges == maps.classes(DF["valeur"])
    assert maps.NO_DATA_LABEL in carte.legende  # a commune without value
    assert carte.static.layout.title.text == "Population (2021)"
    assert list(carte.table.columns) == ["Commune", "Code", "Population"]
    assert carte.table["Population"].tolist()[-1] == "secret statistique"



def test_deck_does_not_trap_the_wheel_and_takes_overlay_layers():
    carte = maps.build_carte(GEO, DF, "Population", "Population (2021)", "habitants", 0)
    spec = json.loads(carte.spec)
    assert spec["views"][0]["controller"]["scrollZoom"] is False  # the wheel scrolls the page
    labels = pd.DataFrame({"nom": ["Béthune", "Aa"], "lon": [2.1, 2.2], "lat": [50.1, 50.2], "selection": [True, False]})
    shown = json.loads(carte.deck([maps.outline_layer(GEO, "62001"), maps.label_layer(labels)]).to_json())
    assert [layer["id"] for layer in shown["layers"]] == [maps.LAYER_ID, maps.OUTLINE_LAYER_ID, maps.LABEL_LAYER_ID]
    assert shown["layers"][0] == spec["layers"][0]  # the shared base layer is untouched
    outline = shown["layers"][1]
    assert [f["properties"]["code"] for f in outline["data"]["features"]] == ["62001"] and outline["filled"] is False
    noms = shown["layers"][2]
    assert noms["characterSet"] == "auto"  # accents drawn (deck.gl prepares ASCII only by default)
    assert [d["nom"] for d in noms["data"]] == ["Béthune", "Aa"] and noms["data"][0]["taille"] > noms["data"][1]["taille"]
    assert maps.outline_layer(GEO, "99999") is None and maps.label_layer(labels.iloc[:0]) is None
    assert carte.deck([]).to_json() is carte.spec
