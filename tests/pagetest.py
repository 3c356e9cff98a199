"""Helpers shared by the page tests (AppTest): run a page on a territory, and read
its plotly figures, which AppTest returns as unknown elements."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from components import navigation

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
APP = ROOT / "app.py"
STATUTS = {"secret statistique", "non disponible", "non calculable", "non applicable", "secret ou non disponible",
           "non disponible (données incomplètes)", "non disponible pour ce niveau"}


def goto(at: AppTest, url: str) -> AppTest:
    return navigation.open_in_apptest(at, url)


def run_app(url: str, territoire: str | None = None, timeout: float = 60, **params) -> AppTest:
    """The whole app (app.py: navigation, sidebar, the page) opened at one page."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if territoire:
        at.query_params["territoire"] = territoire
    for key, value in params.items():
        at.query_params[key] = value
    return goto(at, url).run()


def run_page(name: str, territoire: str | None = None, timeout: float = 60) -> AppTest:
    """A page alone (its file), or through app.py for a theme page (it has no file)."""
    if navigation.page(name).fichier is None:
        return run_app(name, territoire, timeout)
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=timeout)
    if territoire:
        at.query_params["territoire"] = territoire
    return at.run()


def figures(at: AppTest) -> dict[str, dict]:
    """Plotly figure specs by title (as read: line breaks as spaces)."""
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    return {s["layout"]["title"]["text"].replace("<br>", " "): s for s in specs}  # titles wrap for phones


def by_prefix(figs: dict, prefix: str) -> dict:
    return next(f for t, f in figs.items() if t.startswith(prefix))
