"""Resident memory of the server processes, read from /proc (no extra dependency)."""
from __future__ import annotations

from pathlib import Path


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree_rss_mb(pid: int) -> float | None:
    """RSS of a process and its descendants in MB, None if the process is gone."""
    total, todo, seen, found = 0, [pid], set(), False
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    found = found or p == pid
        except OSError:
            continue
        todo += _children(p)
    return total / 1024 if found else None


def tree_cpu_s(pid: int) -> float | None:
    """CPU time (user + system, seconds) used so far by a process and its descendants.

    Unlike response times, it does not depend on what else the machine is running."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total, todo, seen, found = 0.0, [pid], set(), False
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            found = found or p == pid
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(p)
    return total if found else None


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
