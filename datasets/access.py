"""The data-access module: the only code that queries the warehouse.

Named, parameterised DuckDB queries over the Parquet warehouse, through one
read-only connection. Results are pandas DataFrames (or plain dicts) and must be
treated as read-only by callers (they are cached and shared).

CONTRACT (implemented below; signatures are stable, pages/components rely on them):

warehouse_dir() -> Path
build_info() -> dict            build.json: built_at, territory{code,nom,agence}, ...
territoires(niveau=None) -> DataFrame[niveau, code, nom, nom_court, epci, groupement,
                                      departement, region, codes_postaux, ordre]
territoire(code, niveau=None) -> dict | None    one row of territoires as a dict
selectable() -> DataFrame       territoire, groupements, EPCI, communes (niveau, code, nom, nom_court)
communes(within_niveau=None, within_code=None) -> DataFrame[code, nom, epci, groupement,
        departement, region, codes_postaux, superficie_km2, label_lon, label_lat]
search_communes(text, limit=10) -> DataFrame[code, nom, codes_postaux, epci]
        accent/case-insensitive on the name, prefix on the postal code; text is never interpreted
references(niveau, code) -> list[dict(niveau, code, nom)]
        the chain to compare with: commune -> its epci, groupement, territoire, departement, region, pays;
        epci -> groupement, territoire, departement(s), region, pays; territoire -> departement(s), region(s), pays
catalogue(theme=None) -> DataFrame (indicateurs.parquet, ordered by `ordre`)
indicateur(indicateur) -> dict | None
serie(indicateur, niveau, code) -> DataFrame[millesime, valeur, statut, demo, source_id] by millesime
valeurs(indicateurs: tuple, territoires: tuple[tuple[niveau, code]], millesime=None)
        -> DataFrame[indicateur, niveau, code, nom, millesime, valeur, statut, demo, source_id]
        millesime None = latest vintage of each indicator
chiffres_cles(niveau, code) -> DataFrame[indicateur, libelle, theme, unite, decimales, millesime,
        valeur, statut, demo, source_id, millesime_precedent, valeur_precedente]  (cle indicators)
carte(indicateur, millesime=None, within_niveau="territoire", within_code=None)
        -> DataFrame[code, nom, epci, valeur, statut, demo, millesime] one row per commune
classement(indicateur, millesime=None) -> DataFrame[rang, code, nom, epci, valeur, statut, demo]
        all communes of the territory, best (highest) first, rang 1..n (ties: min rank), nulls last
sources() -> DataFrame (sources.parquet)
source(source_id) -> dict | None
programme() -> DataFrame (programme.parquet)
agence() -> DataFrame (agence.parquet)
programme_notes() -> str (markdown)
geojson() -> dict (communes.geojson)
"""
