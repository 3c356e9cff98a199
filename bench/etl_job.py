"""One measured ETL run, in its own process (called by bench.etl through bench.peak).

  python -m bench.etl_job build RAW_DIR [--territory F] [--reference D] [--out WAREHOUSE]
  python -m bench.etl_job read FILE       read one INSEE file and aggregate it to every level

Prints one JSON line with the timings (seconds, excluding interpreter start-up)."""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def _build(args) -> dict:
    from etl import build

    with tempfile.TemporaryDirectory(prefix="bench-etl-") as tmp:
        t0 = time.perf_counter()
        build.build(raw_dir=Path(args.path), target=args.out or Path(tmp) / "warehouse", territory_path=args.territory,
                    ref_dir=args.reference, log=lambda _: None)
        return {"seconds": time.perf_counter() - t0}


def _read(args) -> dict:
    from etl import catalogue, reference_data, territory, values
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
