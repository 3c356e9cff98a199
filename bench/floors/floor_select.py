"""Floor: a select box of the territory's 319 communes whose change redraws a Plotly chart
(with CHIFFRES_CLEFS_WAREHOUSE set, the communes of that warehouse: the 892 of the scale
benchmark)."""
import json
import os
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

GEOJSON = Path(__file__).resolve().parents[2] / "datasets" / "reference" / "communes.geojson"
if os.environ.get("CHIFFRES_CLEFS_WAREHOUSE"):
    GEOJSON = Path(os.environ["CHIFFRES_CLEFS_WAREHOUSE"]) / "communes.geojson"


@st.cache_data
def communes() -> dict[str, str]:
    geo = json.loads(GEOJSON.read_text(encoding="utf-8"))
    return {f["properties"]["code"]: f["properties"]["nom"] for f in geo["features"]}


st.title("Plancher sélecteur")
names = communes()
options = [f"{nom} ({code})" for code, nom in names.items()]
choice = st.selectbox("Commune", options, index=options.index("Béthune (62119)"))
code = choice[-6:-1]
seed = int(code)
years = list(range(1968, 2023))
fig = go.Figure(go.Scatter(x=years, y=[1000 + (seed % 97) * 50 + 30 * ((y * seed) % 7) for y in years],
                           mode="lines", name=names[code]))
st.plotly_chart(fig)
