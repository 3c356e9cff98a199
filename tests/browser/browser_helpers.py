"""Waiting for a Streamlit page to finish running, and checking what it drew."""
from __future__ import annotations

from components import premier_ecran


def wait_ready(page) -> None:
    """The app has rendered its title and no script run is in progress, nor asked for: a
    session's first run sends the page alone and asks for the next one, which brings the
    sidebar's tools, once the page is drawn (components/premier_ecran.py)."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector("h1")
    page.wait_for_function(
        """(suite) => !document.querySelector('[data-testid="stStatusWidget"]')
               && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
               && !document.querySelector('[data-testid="stSpinner"]')
               && !document.querySelector(suite)""", arg=f".st-key-{premier_ecran.CLE}"
    )


def drawn(page, selector: str) -> int:
    """How many elements matching `selector` are drawn with a non-zero size."""
    page.wait_for_selector(selector, state="visible")
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length"
    )


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')
