"""Helpers shared by the page tests (AppTest): run a page on a territory, and read
its plotly figures, which AppTest returns as unknown elements."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from streamlit.testing.v1 import AppTest

from components import navigation, premier_ecran

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
APP = ROOT / "app.py"
STATUTS = {"secret statistique", "non disponible", "non calculable", "non applicable", "secret ou non disponible",
           "non disponible (données incomplètes)", "non disponible pour ce niveau"}


def goto(at: AppTest, url: str) -> AppTest:
    at._cc_url = url  # the page, for `every_section`
    return navigation.open_in_apptest(at, url)


def run_app(url: str, territoire: str | None = None, timeout: float = 60, **params) -> AppTest:
    """The whole app (app.py: navigation, sidebar, the page) opened at one page, with the
    run that follows the first screen (`as_the_browser`)."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if territoire:
        at.query_params["territoire"] = territoire
    for key, value in params.items():
        at.query_params[key] = value
    return as_the_browser(goto(at, url).run())


def asks_follow_up(at: AppTest) -> bool:
    """The run sent the page alone and the script asking for the next run (a session's first)."""
    return any(e.key == premier_ecran.CLE for e in at.get("bidi_component"))


def as_the_browser(at: AppTest) -> AppTest:
    """A session's first run sends the page alone; the browser asks for the next run once the
    page is drawn (components/premier_ecran.py), and that run brings the sidebar's tools and
    the phone's search. AppTest draws nothing: run it, as the browser would."""
    if asks_follow_up(at) and not at.exception:
        at.run()
    return at


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


def suites(at: AppTest) -> None:
    """Turn on the switches that show the rest of the open sections (their charts after the
    first): each one names the charts it adds, and they are there once it is on."""
    from components import sections

    for t in [t for t in at.toggle if str(t.key).startswith(sections.suite_key(""))]:
        if t.value:
            continue
        avant = set(figures(at))
        t.set_value(True).run()
        assert not at.exception, at.exception
        ajoutes = set(figures(at)) - avant
        assert ajoutes and all(f"« {titre}" in t.label or f"« {titre.split(' : ')[0]}" in t.label
                               for titre in ajoutes), (t.label, ajoutes)


def every_section(at: AppTest) -> tuple[list[str], dict[str, dict]]:
    """A theme page builds only its open section tab: open each tab in turn and return the
    sections shown (the tab labels, which head them, or the headers of a page without tabs)
    and the plotly figures (by title) of all of them. Other pages: as they are."""
    from components import sections

    url = getattr(at, "_cc_url", None)
    theme = navigation.page(url).theme if url else None
    labels = [t.label for t in at.tabs] if theme is not None else []
    if not labels:
        if theme is not None:
            suites(at)
        return [h.value for h in at.header], figures(at)
    headers: list[str] = []
    figs: dict[str, dict] = {}
    for label in labels:
        at.session_state[sections.onglets_key(theme)] = label
        at.run()
        assert not at.exception, (label, at.exception)
        suites(at)
        shown = figures(at)
        tables = any("<table>" in str(h.proto.body) for h in at.get("html"))
        assert shown or tables or at.get("deck_gl_json_chart") or at.info, f"section « {label} » is empty"
        headers.append(label)
        figs.update(shown)
    return headers, figs


def all_figures(at: AppTest) -> dict[str, dict]:
    """The plotly figures of every section of a theme page (see `every_section`)."""
    return every_section(at)[1]


class _Tuiles(HTMLParser):
    """The key-figure cards of a page (plain HTML, `cards.html_tuiles`): label → value."""

    def __init__(self):
        super().__init__()
        self.cartes: list[dict[str, str]] = []
        self._champ: str | None = None

    def handle_starttag(self, tag, attrs):
        classe = dict(attrs).get("class") or ""
        if classe == "cc-tuile":
            self.cartes.append({})
        elif classe.startswith("cc-t-") and self.cartes and classe != "cc-t-mil":
            self._champ = classe[5:]

    def handle_endtag(self, tag):
        if tag == "p":
            self._champ = None

    def handle_data(self, data):
        if self._champ and self.cartes:
            carte = self.cartes[-1]
            carte[self._champ] = carte.get(self._champ, "") + data


def tuiles(at: AppTest) -> dict[str, dict[str, str]]:
    """Every key-figure card shown (in the main area): its label « Libellé (millésime) »
    → its fields (val, delta, note, ref, src)."""
    out = {}
    for h in at.main.get("html"):
        body = str(h.proto.body)
        if "cc-tuile" not in body:
            continue
        p = _Tuiles()
        p.feed(body)
        for carte in p.cartes:
            out[carte["lib"].strip()] = {k: v.strip() for k, v in carte.items()}
    return out
