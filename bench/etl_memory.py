"""ETL memory against hostile files: a 752 KB zip that expands to 300 MiB of
one repeated row (issue 14: 3.2 GB RSS and 28 s before the duplicate-code
error), and the same rows as a bare CSV. Peak RSS and time to refusal, each
case in a fresh child process (`bench.peak`).

    python -m bench --only memory          # in the report
    python -m bench.etl_memory [--smoke]   # this section alone
    python -m bench.etl_memory --old DIR   # the same cases against another checkout's etl/ (before/after)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from bench.common import PY, ROOT, Config, Section, cache_dir, load

NAME = "base-cc-logement-2021.CSV"
HEADER = b"CODGEO;LIBGEO;P21_LOG;P21_RP;P21_RSECOCC;P21_LOGVAC;P15_LOG;P10_LOG\n"
ROW = b"62119;Bethune;12022;10639;414;969;12100;12000\n"


def _block() -> bytes:
    return ROW * ((1 << 20) // len(ROW))


def bomb_zip(mib: int) -> Path:
    path = cache_dir() / f"bomb-{mib}MiB" / "base-cc-logement-2021.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        block = _block()
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            with zf.open(NAME, "w", force_zip64=True) as fh:
                fh.write(HEADER)
                for _ in range(mib):
                    fh.write(block)
        os.replace(tmp, path)
    return path


def bomb_csv(mib: int) -> Path:
    path = cache_dir() / f"bomb-{mib}MiB-csv" / NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        block = _block()
        with open(tmp, "wb") as fh:
            fh.write(HEADER)
            for _ in range(mib):
                fh.write(block)
        os.replace(tmp, path)
    return path


# The child's code, self-contained so that it also runs against another checkout (--old).
JOB = """
import json, sys, time
sys.path.insert(0, {root!r})
from etl import catalogue
from etl.errors import InputError
from etl.readers import base_cc
keep = set(catalogue.load_variables(catalogue.load_catalogue())["variable"])
t0 = time.perf_counter()
try:
    base_cc.read({path!r}, variables=keep)
    outcome = "accepted"
except InputError as exc:
    outcome = str(exc)
print(json.dumps({{"outcome": outcome, "read_s": time.perf_counter() - t0}}))
"""


def measure(path: Path, env: dict | None = None, pythonpath: Path | None = None) -> dict:
    """Peak RSS and wall time of a fresh child reading `path` as the build does."""
    root = str(pythonpath or ROOT)
    e = {**os.environ, **(env or {}), "PYTHONPATH": root}
    cmd = [PY, "-m", "bench.peak", PY, "-c", JOB.format(root=root, path=str(path))]
    p = subprocess.run(cmd, cwd=ROOT, env={**e, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    if p.returncode != 0:
        return {"outcome": f"child failed: {p.stderr.strip()[-300:]}", "maxrss_mb": float("nan"), "wall_s": float("nan")}
    return json.loads(p.stdout.strip().splitlines()[-1])


def run(cfg: Config, old: Path | None = None) -> Section:
    mib = 20 if cfg.smoke else 300  # smoke: still above the 16 MiB from which the ratio is checked
    s = Section(f"7. ETL memory on hostile files ({mib} MiB of one repeated row)",
                ["case", "file", "peak RSS (MB)", "wall (s)", "read until refusal (s)", "outcome"])
    z = bomb_zip(mib)
    c = bomb_csv(mib)
    cases = [
        ("zip bomb, default limits", z, {}),
        ("zip bomb, ratio check off (ETL_ZIP_MAX_RATIO=0)", z, {"ETL_ZIP_MAX_RATIO": "0"}),
        ("bare CSV", c, {}),
    ]
    if cfg.smoke:  # two child processes instead of three: the smoke run only checks that it works
        cases = [cases[0], cases[2]]
    for label, path, env in cases:
        r = measure(path, env)
        s.add(label, f"{path.stat().st_size / 1e6:.2f} MB", f"{r['maxrss_mb']:.0f}", f"{r['wall_s']:.1f}",
              f"{r.get('read_s', float('nan')):.2f}", r["outcome"][:140], **r)
    if old is not None:
        r = measure(z, {}, pythonpath=old)
        s.add("zip bomb, BEFORE (" + str(old) + ")", f"{z.stat().st_size / 1e6:.2f} MB", f"{r['maxrss_mb']:.0f}",
              f"{r['wall_s']:.1f}", f"{r.get('read_s', float('nan')):.2f}", r["outcome"][:140], **r)
    s.notes.append("goal: refused in seconds under 500 MB peak RSS (child process: Python + pandas + pyarrow "
                   "imports alone take ~150 MB)")
    s.notes.append(f"load average (1 min) at the end: {load()}")
    return s


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.etl_memory")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--old", type=Path, default=None, help="a checkout whose etl/ is measured on the zip bomb too")
    args = p.parse_args(argv)
    print(run(Config(smoke=args.smoke), old=args.old).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
