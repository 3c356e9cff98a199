"""Load test: many simultaneous Streamlit sessions on a local server (see docs/deploiement.md)."""
