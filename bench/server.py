"""The benchmarks reuse the load test's server and /proc memory helpers (one
implementation of starting `streamlit run app.py` on a free 127.0.0.1 port)."""
from __future__ import annotations

from contextlib import contextmanager

from loadtest import memory
from loadtest.server import streamlit_server as _server


@contextmanager
def streamlit_server(warehouse: str | None = None, startup_limit: float = 120):
    """Yield (url, pid); the server is stopped (its own pid only) on exit."""
    with _server(startup_limit, warehouse=warehouse, prefix="bench") as running:
        yield running


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (MB; 0 once it is gone)."""
    return memory.tree_rss_mb(pid) or 0.0
