"""A national-size INSEE base chiffres clés Logement file in the exact format
(`base-cc-logement-2021_csv.zip`: the `;` CSV with `CODGEO` and every column of
INSEE's dictionary, plus its `meta_` file), with fictitious values.

Columns and commune codes come from INSEE's real dictionary in
`../shared/data/insee/meta/` when present (≈35 000 communes × 239 columns);
otherwise from the demonstration variables and the reference communes. The file
is generated once into the cache folder (outside the repository)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import ROOT, SHARED_DATA, cache_dir

META = SHARED_DATA / "insee" / "meta" / "meta_base-cc-logement-2021.CSV"
STEM = "base-cc-logement-2021"


def _dictionary() -> tuple[list[str], list[str], bytes]:
    """(columns, commune codes, meta bytes)."""
    if META.exists():
        meta = pd.read_csv(META, sep=";", dtype=str, keep_default_na=False)
        columns = meta.loc[meta["COD_VAR"] != "CODGEO", "COD_VAR"].drop_duplicates().tolist()
        codes = meta.loc[meta["COD_VAR"] == "CODGEO", "COD_MOD"].tolist()
        return columns, codes, META.read_bytes()
    from etl import demo

    columns = [demo._prefixed(v, y) for y in demo.CENSUS_VINTAGES for v in demo.LOGEMENT_VARS]
    codes = pd.read_csv(ROOT / "datasets" / "reference" / "communes.csv", sep=";", dtype=str)["code"].tolist()
    filler = [f"{d:02d}{n:03d}" for d in range(1, 96) for n in range(1, 400)]
    codes = sorted(set(codes) | set(filler[: 35000 - len(codes)]))
    lines = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR"]
    lines += [f"{c};{c};{c};;;NUM;17" for c in columns]
    return columns, codes, ("\r\n".join(lines) + "\r\n").encode("utf-8")


def generate(n_communes: int | None = None) -> Path:
    """The zip for `n_communes` (None = every commune of the dictionary); the
    territory's communes are always included so that the build uses them."""
    columns, codes, meta = _dictionary()
    if n_communes is not None:
        own = set(pd.read_csv(ROOT / "datasets" / "reference" / "communes.csv", sep=";", dtype=str)["code"])
        codes = sorted(own | set([c for c in codes if c not in own][: max(0, n_communes - len(own))]))
    out = cache_dir() / f"national-{len(codes)}x{len(columns)}" / f"{STEM}_csv.zip"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240627)
    scale = rng.lognormal(mean=5.5, sigma=1.4, size=(len(codes), 1))  # ~ dwellings of a commune
    share = rng.uniform(0.01, 1.0, size=(1, len(columns)))
    values = scale * share * rng.uniform(0.8, 1.2, size=(len(codes), len(columns)))
    df = pd.DataFrame(values, columns=columns)
    df.insert(0, "CODGEO", codes)
    # a few communes created after the census: empty rows, as INSEE leaves them
    df.loc[df.index[-3:], columns] = np.nan
    buf = io.StringIO()
    df.to_csv(buf, sep=";", index=False, float_format="%.15g", lineterminator="\r\n")
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{STEM}.CSV", buf.getvalue().encode("utf-8"))
        zf.writestr(f"meta_{STEM}.CSV", meta)
    tmp.replace(out)
    return out


if __name__ == "__main__":
    import sys
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else None))
