"""The national table of communes (`datasets/reference/communes_france.csv.gz`):
every current commune of France (metropole and DROM) with its EPCI,
département, région and population municipale of the vintages in `VINTAGES`,
harmonised to the current geography.

Written by `python -m etl reference` from @etalab/decoupage-administratif (the
same package versions and the same harmonisation as `populations.csv`, so the
territory's rows agree with it); read by the build, without network, to
generate demonstration files for all communes of France (`etl/demo.py`), so
that département, région and France values exist for every demonstration
indicator."""
from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

FILE = "communes_france.csv.gz"
BASE_COLUMNS = ["code", "epci", "departement", "region"]
POP_PREFIX = "pmun_"
# The vintages the demonstration needs (etl/demo.py): the census year 2021
# itself, and the oldest and newest legal populations, which give each commune
# the trend that carries it back to the earlier census vintages (2010, 2015).
# Names are left out (270 kB more): the build names communes from communes.csv.
VINTAGES = (2016, 2021, 2023)


def population_column(millesime: int) -> str:
    return f"{POP_PREFIX}{millesime}"


def rows(actuelles: Mapping[str, Mapping], commune_epci: Mapping[str, str], france_deps: set[str],
         pops_by_vintage: Mapping[int, Mapping[str, int]]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) sorted by code: one row per current commune of a French
    département (COM excluded); a population the package does not give for a
    vintage is left empty."""
    vintages = [m for m in sorted(pops_by_vintage) if m in VINTAGES]
    header = BASE_COLUMNS + [population_column(m) for m in vintages]
    out = []
    for code in sorted(actuelles):
        c = actuelles[code]
        if c.get("departement") not in france_deps:
            continue
        pops = [pops_by_vintage[m].get(code) for m in vintages]
        out.append([code, commune_epci.get(code, ""), c["departement"], c["region"]]
                   + ["" if p is None else str(int(p)) for p in pops])
    return header, out


def write(path: Path, header: list[str], table: Iterable[list[str]]) -> None:
    """`;`-separated UTF-8 CSV, gzip-compressed with a fixed header (no name,
    no date): the same content always gives the same bytes."""
    for r in table if isinstance(table, list) else list(table):
        if any(";" in cell or "\n" in cell for cell in r):
            raise ValueError(f"{path.name} : caractère interdit dans la ligne {r[0]}")
    text = "\n".join(";".join(r) for r in [header, *table]) + "\n"
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(path)


def load(ref_dir: Path) -> pd.DataFrame | None:
    """The table with text codes and float populations (NaN when absent), or
    None when the file is not there (a reference folder from before it existed)."""
    path = Path(ref_dir) / FILE
    if not path.exists():
        return None
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8", compression="gzip")
    for col in df.columns:
        if col.startswith(POP_PREFIX):
            df[col] = pd.to_numeric(df[col].replace("", None)).astype("float64")
    return df


def long_populations(table: pd.DataFrame) -> pd.DataFrame:
    """code, millesime, population (float64): the table's populations in the
    long layout of `populations.csv`, absent populations left out."""
    cols = [c for c in table.columns if c.startswith(POP_PREFIX)]
    long = table.melt(id_vars=["code"], value_vars=cols, var_name="millesime", value_name="population")
    long["millesime"] = long["millesime"].str.removeprefix(POP_PREFIX).astype("int32")
    return long.dropna(subset=["population"]).reset_index(drop=True)
