"""1. ETL: full builds (embedded default, national-size INSEE file, real national
extract) and the read+aggregate step of one national file; every run in a fresh
process, peak memory from RUSAGE_CHILDREN (bench.peak)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import PY, SHARED_DATA, Config, Section, Stats, run_json, verdict
from bench import national

# next to the repository (/work/main -> /work/shared) or next to a worktree's parent (/work/wt/x -> /work/shared)
REAL_EXTRACT = next((d / "insee" / "logement" / "base-cc-logement-2021_extract.csv"
                     for d in (SHARED_DATA, SHARED_DATA.parents[2] / "shared" / "data") if d.exists()),
                    SHARED_DATA / "insee" / "logement" / "base-cc-logement-2021_extract.csv")
TARGET_DEFAULT_S = 10.0
TARGET_NATIONAL_S = 5.0


def job(*args: str, env: dict | None = None) -> dict:
    """One `bench.etl_job` run under `bench.peak`."""
    return run_json([PY, "-m", "bench.peak", PY, "-m", "bench.etl_job", *args], env=env)


def _raw_dir(tmp: Path, name: str, files: list[Path]) -> Path:
    """A raw folder holding symbolic links only (the real files are never copied)."""
    raw = tmp / name
    raw.mkdir()
    for f in files:
        (raw / f.name).symlink_to(f)
    return raw


def measure(section: Section, label: str, reps: int, target: float | None, *args: str, env=None) -> list[dict]:
    runs = [job(*args, env=env) for _ in range(reps)]
    st = Stats([r["seconds"] for r in runs])
    med, p95 = st.ms()
    wall = Stats([r["wall_s"] for r in runs])
    peak = max(r["maxrss_mb"] for r in runs)
    extra = ""
    if "warehouse_bytes" in runs[0]:
        cpu = Stats([r["cpu_s"] for r in runs]).median
        extra = (f"CPU {cpu:.2f} s; warehouse {runs[0]['warehouse_bytes'] / 1e6:.2f} MB (valeurs.parquet "
                 f"{runs[0]['valeurs_bytes'] / 1e6:.2f} MB, {runs[0]['valeurs_rows']:,} rows)")
    if "read_s" in runs[0]:
        extra = (f"read {Stats([r['read_s'] for r in runs]).median:.2f} s + aggregate "
                 f"{Stats([r['aggregate_s'] for r in runs]).median:.2f} s; {runs[0]['cells']:,} cells kept, "
                 f"{runs[0]['communes']:,} communes")
    section.add(label, len(runs), med, p95, f"{wall.median:.2f}", f"{peak:.0f}",
                verdict(st.median, target) if target else "", extra,
                median_s=st.median, p95_s=st.p95, peak_mb=peak,
                **{k: runs[0][k] for k in ("warehouse_bytes", "valeurs_bytes", "valeurs_rows") if k in runs[0]},
                **({"cpu_s": Stats([r["cpu_s"] for r in runs]).median} if "cpu_s" in runs[0] else {}))
    return runs


def run(cfg: Config) -> Section:
    s = Section("1. ETL", ["run", "n", "median ms", "p95 ms", "process wall s", "peak RSS MB", "target", "detail"])
    s.notes.append("`median/p95` time `etl.build.build()` (or read + map + harmonise + aggregate) inside a fresh "
                   "process; `process wall` adds interpreter start-up and imports; peak RSS = "
                   "`getrusage(RUSAGE_CHILDREN).ru_maxrss` of that process; CPU = `time.process_time()` of the build "
                   "(median), less sensitive than wall time to other jobs on the machine; warehouse = bytes of every file of "
                   "the published build folder (Parquet tables, GeoJSON, build.json).")
    with tempfile.TemporaryDirectory(prefix="bench-etl-") as tmp:
        tmp = Path(tmp)
        empty = tmp / "raw-empty"
        empty.mkdir()
        measure(s, "build, embedded default (no raw file)", cfg.qr, TARGET_DEFAULT_S, "build", str(empty))

        size = 400 if cfg.smoke else None
        nat = national.generate(size)
        raw_nat = _raw_dir(tmp, "raw-national", [nat])
        label = f"national logement file ({nat.parent.name.removeprefix('national-')} communes × columns)"
        measure(s, f"read + aggregate, {label}", cfg.qr, TARGET_NATIONAL_S, "read", str(raw_nat / nat.name))
        if not cfg.smoke:
            measure(s, f"build, embedded default + {label}", cfg.qr, None, "build", str(raw_nat))

        if REAL_EXTRACT.exists():
            raw_real = _raw_dir(tmp, "raw-real", [REAL_EXTRACT])
            measure(s, "read + aggregate, real national logement extract (34 963 × 12)", cfg.qr, TARGET_NATIONAL_S,
                    "read", str(raw_real / REAL_EXTRACT.name))
            if not cfg.smoke:
                measure(s, "build, embedded default + real logement extract", cfg.qr, None, "build", str(raw_real))
        else:
            s.notes.append(f"real extract not found at {REAL_EXTRACT}: skipped")
    return s
