"""Floor: a title and one Plotly line chart."""
import plotly.graph_objects as go
import streamlit as st

st.title("Plancher Plotly")
years = list(range(1968, 2023))
fig = go.Figure(go.Scatter(x=years, y=[25_000 + 40 * (y - 1968) + 900 * ((y * 7) % 5) for y in years],
                           mode="lines", name="Population"))
st.plotly_chart(fig)
