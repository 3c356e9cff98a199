"""Resident memory of the server processes, read from /proc (no extra dependency)."""
from __future__ import annotations

import os
from pathlib import Path


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _tree_sum(pid: int, read) -> float | None:
    """Sum of `read(p)` over a process and its descendants; None if the process is gone.
    `read` raises OSError (or ValueError/IndexError) for a process that vanished."""
    total, todo, seen, found = 0.0, [pid], set(), False
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            total += read(p)
            found = found or p == pid
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(p)
    return total if found else None


def _rss_kb(p: int) -> int:
    for line in Path(f"/proc/{p}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a zombie has no VmRSS line


def tree_rss_mb(pid: int) -> float | None:
    """RSS of a process and its descendants in MB, None if the process is gone."""
    kb = _tree_sum(pid, _rss_kb)
    return kb / 1024 if kb is not None else None


def tree_cpu_s(pid: int) -> float | None:
    """CPU time (user + system, seconds) used so far by a process and its descendants.

    Unlike response times, it does not depend on what else the machine is running."""
    tick = os.sysconf("SC_CLK_TCK")

    def cpu(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return _tree_sum(pid, cpu)


def growth(samples: list[tuple[float, float]]) -> dict:
    """Start, peak, end, and the drift over the second half of the run (MB/min).

    The first half includes warming the caches (bounded by design); an unbounded leak
    shows as a steady slope in the second half."""
    if not samples:
        return {"start_mb": None, "peak_mb": None, "end_mb": None, "slope_second_half_mb_per_min": None}
    values = [v for _, v in samples]
    half = [(t, v) for t, v in samples if t >= samples[-1][0] / 2]
    slope = None
    if len(half) >= 3 and half[-1][0] > half[0][0]:
        n = len(half)
        mt = sum(t for t, _ in half) / n
        mv = sum(v for _, v in half) / n
        var = sum((t - mt) ** 2 for t, _ in half)
        slope = round(sum((t - mt) * (v - mv) for t, v in half) / var * 60, 2) if var else None
    return {"start_mb": round(values[0], 1), "peak_mb": round(max(values), 1), "end_mb": round(values[-1], 1),
            "slope_second_half_mb_per_min": slope}
