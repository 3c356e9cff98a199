"""Floor: one pydeck map of the territory's 319 communes (polygons, no basemap)."""
import json
from pathlib import Path

import pydeck as pdk
import streamlit as st

GEOJSON = Path(__file__).resolve().parents[2] / "datasets" / "reference" / "communes.geojson"


@st.cache_data
def communes() -> dict:
    geo = json.loads(GEOJSON.read_text(encoding="utf-8"))
    for i, f in enumerate(geo["features"]):
        f["properties"]["fill"] = [0, 114, 178, 60 + (i * 37) % 180]
    return geo


geo = communes()
layer = pdk.Layer("GeoJsonLayer", data=geo, pickable=True, stroked=True, filled=True,
                  get_fill_color="properties.fill", get_line_color=[255, 255, 255], line_width_min_pixels=0.6)
st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=pdk.ViewState(longitude=2.65, latitude=50.5, zoom=8.6),
                         map_provider=None, map_style=None, tooltip={"html": "<b>{nom}</b>"}, height=520))
