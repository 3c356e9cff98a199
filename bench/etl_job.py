"""One measured ETL run, in its own process (called by bench.etl through bench.peak).

  python -m bench.etl_job build RAW_DIR [--territory F] [--reference D] [--out WAREHOUSE]
  python -m bench.etl_job read FILE       read one INSEE file and aggregate it to every level

Prints one JSON line with the timings (seconds, excluding interpreter start-up;
for builds also the CPU time of the process, which other jobs on the machine
inflate much less than the wall time, and the size of the warehouse)."""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def _build(args) -> dict:
    from etl import build

    with tempfile.TemporaryDirectory(prefix="bench-etl-") as tmp:
        target = args.out or Path(tmp) / "warehouse"
        t0, c0 = time.perf_counter(), time.process_time()
        final = build.build(raw_dir=Path(args.path), target=target, territory_path=args.territory,
                            ref_dir=args.reference, log=lambda _: None)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"seconds": seconds, "cpu_s": cpu, **_warehouse_size(Path(final))}


def _warehouse_size(final: Path) -> dict:
    """Bytes of the published warehouse (every file of its build folder) and of
    its largest table, `valeurs.parquet`, with that table's row count."""
    import pyarrow.parquet as pq

    files = [p for p in final.rglob("*") if p.is_file()]
    valeurs = final / "valeurs.parquet"
    return {"warehouse_bytes": sum(p.stat().st_size for p in files),
            "valeurs_bytes": valeurs.stat().st_size if valeurs.exists() else 0,
            "valeurs_rows": pq.ParquetFile(valeurs).metadata.num_rows if valeurs.exists() else 0}


def _read(args) -> dict:
    from etl import catalogue, territory, values
    from etl.reference import data as reference_data
    from etl.readers import registry
    from etl.territories import build_territoires

    terr = territory.load(args.territory)
    ref = reference_data.load(terr, args.reference)
    cat = catalogue.load_catalogue()
    variables = catalogue.load_variables(cat)
    territoires = build_territoires(terr, ref)
    agregation = dict(zip(cat["indicateur"], cat["agregation"]))
    reader, reason = registry.identify(Path(args.path))
    if reader is None:
        raise SystemExit(f"not recognised: {reason}")
    keep = set(variables["variable"])  # what the build asks the readers to keep
    t0 = time.perf_counter()
    try:
        result = reader.read(Path(args.path), variables=keep)
    except TypeError:  # a reader without the `variables` filter
        result = reader.read(Path(args.path))
    t1 = time.perf_counter()
    v = values.map_variables(result, variables)
    v = values.harmonise(v, ref.fusions, agregation)
    v = values.aggregate(v, territoires, ref.departements, agregation)
    t2 = time.perf_counter()
    return {"read_s": t1 - t0, "aggregate_s": t2 - t1, "seconds": t2 - t0,
            "cells": int(len(result.data)), "communes": int(result.data["code"].nunique()), "rows_out": int(len(v))}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["build", "read"])
    p.add_argument("path")
    p.add_argument("--territory", type=Path, default=None)
    p.add_argument("--reference", type=Path, default=None)
    p.add_argument("--out", type=Path, default=None, help="build: keep the warehouse here")
    args = p.parse_args()
    print(json.dumps(_build(args) if args.mode == "build" else _read(args)))


if __name__ == "__main__":
    main()
