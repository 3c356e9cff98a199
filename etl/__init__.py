"""ETL: INSEE and partner files -> Parquet warehouse (never imports Streamlit)."""
