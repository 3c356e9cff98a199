"""Helpers shared by the page tests (AppTest): run a page on a territory, and read
its plotly figures, which AppTest returns as unknown elements."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[1] / "pages"
STATUTS = {"secret statistique", "non disponible", "non calculable", "non applicable", "secret ou non disponible",
           "non disponible (données incomplètes)", "non disponible pour ce niveau"}


def run_page(name: str, territoire: str | None = None, timeout: float = 60) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout)
    if territoire:
        at.query_params["territoire"] = territoire
    return at.run()


def figures(at: AppTest) -> dict[str, dict]:
    """Plotly figure specs by title."""
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    return {s["layout"]["title"]["text"]: s for s in specs}


def by_prefix(figs: dict, prefix: str) -> dict:
    return next(f for t, f in figs.items() if t.startswith(prefix))
