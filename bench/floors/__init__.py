"""Minimal Streamlit apps in the project's environment: the floor the pages are measured
against (`python -m bench --only floor`, bench/floor.py). They use no project code, only
the communes outlines of datasets/reference/communes.geojson."""
