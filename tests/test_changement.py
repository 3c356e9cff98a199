"""A territory chosen in the search reruns what shows the territory, not the whole app
(components/changement.py), driven over the websocket as the browser drives it: the search's
text and the suggestion's click are sent to the search's fragment."""
from __future__ import annotations

import asyncio
import urllib.parse

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components import conventions
from loadtest.client import Session
from loadtest.server import streamlit_server

SEARCH = "Rechercher une commune ou une intercommunalité"
PHONE_SEARCH = "Trouver une commune ou une intercommunalité"


async def _run(s: Session, states: list[tuple[str, str, object]], fragment_id: str = "") -> list[ForwardMsg]:
    """Send one interaction (widget id, kind, value) and return every message until the end
    of the action (a run that ends early for a rerun is followed by that rerun)."""
    msg = BackMsg()
    rs = msg.rerun_script
    rs.query_string, rs.page_script_hash, rs.fragment_id = s.query, s.page_hash, fragment_id
    for wid, kind, value in states:
        w = rs.widget_states.widgets.add()
        w.id = wid
        setattr(w, kind, value)
    await s.ws.send(msg.SerializeToString())
    out = []
    while True:
        fm = ForwardMsg()
        fm.ParseFromString(await asyncio.wait_for(s.ws.recv(), 120))
        out.append(fm)
        if fm.WhichOneof("type") == "page_info_changed":
            s.query = fm.page_info_changed.query_string
        if fm.WhichOneof("type") == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return out


def _elements(msgs: list[ForwardMsg], etype: str) -> list[tuple[object, str]]:
    """(element, fragment id) of the new elements of one type."""
    return [(getattr(m.delta.new_element, etype), m.delta.fragment_id) for m in msgs
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"
            and m.delta.new_element.WhichOneof("type") == etype]


async def _choose_in_search(url: str) -> dict:
    s = Session(url, 120)
    try:
        await s.open("demographie", "territoire=62119")
        full = await _run(s, [])  # a full rerun of the page, to compare
        box, fragment = next((e, f) for e, f in _elements(full, "text_input") if e.label == SEARCH)
        typed = await _run(s, [(box.id, "string_value", "Lens")], fragment)
        button = next(e for e, _ in _elements(typed, "button") if e.label.startswith("Lens"))
        change = await _run(s, [(box.id, "string_value", "Lens"), (button.id, "trigger_value", True)], fragment)
        return {"full": full, "typed": typed, "change": change, "query": s.query}
    finally:
        await s.close()


@pytest.fixture(scope="module")
def result():
    with streamlit_server(120) as (url, _):
        yield asyncio.run(_choose_in_search(url))


def _kinds(msgs):
    return [m.WhichOneof("type") for m in msgs]


def test_typing_reruns_the_search_alone(result):
    typed = result["typed"]
    assert typed[-1].script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    assert not _elements(typed, "heading") and not _elements(typed, "plotly_chart")
    assert [e.label for e, _ in _elements(typed, "button")][0].startswith("Lens")


def test_a_chosen_commune_reruns_what_shows_the_territory(result):
    full, change = result["full"], result["change"]
    assert change[-1].script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    # the page, for the new commune, with its chart and the tab's title
    assert [e.body for e, _ in _elements(change, "heading") if e.tag == "h1"] == ["Démographie"]
    assert any("Lens" in e.body for e, _ in _elements(change, "markdown"))
    assert _elements(change, "plotly_chart")
    titles = [m.page_config_changed.title for m in change if m.WhichOneof("type") == "page_config_changed"]
    assert titles[-1] == conventions.titre_onglet("Démographie", "Lens")
    assert urllib.parse.parse_qs(result["query"])["territoire"] == ["62498"]
    # the sidebar's picker shows it, the search that offered it is emptied, not sent again otherwise
    picker = [e for e, _ in _elements(change, "selectbox") if e.label == "Territoire"]
    assert picker and picker[-1].set_value and picker[-1].raw_value == "Lens (62498)"
    boxes = [e for e, _ in _elements(change, "text_input") if e.label == SEARCH]
    assert boxes and boxes[-1].set_value and boxes[-1].value == ""
    assert PHONE_SEARCH in [e.label for e, _ in _elements(full, "text_input")]
    assert PHONE_SEARCH not in [e.label for e, _ in _elements(change, "text_input")]
    assert any(e.label == "Tout télécharger (ZIP)" for e, _ in _elements(change, "button")) \
        or any(e.label == "Tout télécharger (ZIP)" for e, _ in _elements(change, "download_button"))
    # and nothing else: no navigation, no page-wide style or script, fewer elements than a full run
    assert "navigation" in _kinds(full) and "navigation" not in _kinds(change)
    assert any(conventions.SITE not in e.body and "<style>" in e.body for e, _ in _elements(full, "html"))
    assert not any("stCaptionContainer" in e.body for e, _ in _elements(change, "html"))
    deltas = lambda msgs: sum(k == "delta" for k in _kinds(msgs))  # noqa: E731
    assert deltas(change) < deltas(full), (deltas(change), deltas(full))
