"""Timing, statistics, machine facts and Markdown output shared by every benchmark."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SHARED_DATA = ROOT.parent / "shared" / "data"


def cache_dir() -> Path:
    """Generated inputs and derived references live outside the repository."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chiffres-clefs" / "bench"
    path = Path(os.environ.get("CHIFFRES_CLEFS_BENCH_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Config:
    """What to run and how often; `smoke` means one repetition on tiny inputs."""
    smoke: bool = False
    reps: int = 7
    quick_reps: int = 3  # for costly items (builds, browser, PDF)

    @property
    def r(self) -> int:
        return 1 if self.smoke else self.reps

    @property
    def qr(self) -> int:
        return 1 if self.smoke else self.quick_reps


@dataclass
class Stats:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile: with few samples it is the maximum."""
        s = sorted(self.samples)
        return s[max(0, -(-95 * len(s) // 100) - 1)]

    def ms(self) -> tuple[str, str]:
        return fmt_ms(self.median), fmt_ms(self.p95)


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def timeit(fn: Callable[[], object], reps: int, warmup: int = 0) -> Stats:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return Stats(out)


@dataclass
class Section:
    """One Markdown section of the report: a table and notes."""
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: list[dict] = field(default_factory=list)  # machine-readable copy

    def add(self, *cells, **data) -> None:
        self.rows.append([str(c) for c in cells])
        self.data.append(dict(zip(self.columns, map(str, cells)), **data))

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        if self.rows:
            lines.append("| " + " | ".join(self.columns) + " |")
            lines.append("|" + "---|" * len(self.columns))
            lines += ["| " + " | ".join(r) + " |" for r in self.rows]
            lines.append("")
        lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines).rstrip() + "\n"


def verdict(value_s: float, target_s: float) -> str:
    return "ok" if value_s <= target_s else f"**missed** (target {target_s * 1000:g} ms)"


def machine() -> Section:
    s = Section("Machine", ["item", "value"])
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        commit += " (+ uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    s.add("commit", commit)
    s.add("cores (os.cpu_count)", os.cpu_count())
    s.add("usable cores (sched_getaffinity)", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?")
    try:
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        s.add("memory", f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB")
    except (OSError, StopIteration):
        pass
    s.add("cpu", _cpu_model())
    s.add("python", platform.python_version())
    s.add("date (UTC)", time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
    s.add("load average (1 min) at start", load())
    return s


def load() -> str:
    """Other processes compete for the 2 cores: every figure must be read with this."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def run_json(cmd: list[str], env: dict | None = None, timeout: float = 900) -> dict:
    """Run a helper process whose last stdout line is JSON; fail loudly otherwise."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])
