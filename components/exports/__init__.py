"""Exports of charts, maps, tables and territory summaries (PNG, SVG, CSV, XLSX, PDF, ZIP).

Pure byte producers, no Streamlit: `components/downloads.py` wraps them in buttons and
`python -m components.exports` runs them from the command line."""
