"""A territory chosen in the search reruns what shows the territory, not the whole app
(components/changement.py), driven over the websocket as the browser drives it: the search's
text and the suggestion's click are sent to the search's fragment; in the browser the click
goes to the page's fragment as an event of its component (components/aiguillage.py), and the
sidebar follows with a second event."""
from __future__ import annotations

import asyncio
import json
import urllib.parse

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components import aiguillage, conventions
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
        out = {"full": full, "typed": typed, "change": change, "query": s.query}
        # the browser's way: the click taken by the page's component, then its « suite »
        await _run(s, [(box.id, "string_value", "Béthune")], fragment)
        composant, page = _component(change)
        out["fast"] = await _event(s, composant, page, aiguillage.CHOIX, {"code": "62119", "recherche": "sidebar"},
                                   [(box.id, "string_value", "Béthune")])
        out["fast_query"] = s.query
        composant, page = _component(out["fast"])
        out["suite"] = await _event(s, composant, page, aiguillage.SUITE, _data(composant)[aiguillage.SUITE])
        # a code that is no territory of the warehouse changes nothing and asks for no « suite »
        out["refused"] = await _event(s, composant, page, aiguillage.CHOIX, {"code": "99999", "recherche": "sidebar"})
        out["refused_query"] = s.query
        return out
    finally:
        await s.close()


def _component(msgs):
    """The page's routing component (components/aiguillage.py) and its fragment id."""
    return next((e, f) for e, f in _elements(msgs, "bidi_component") if aiguillage.CLE in e.id)


def _data(composant) -> dict:
    return json.loads(composant.json)


async def _event(s: Session, composant, fragment: str, event: str, value, others=()) -> list[ForwardMsg]:
    """One event of a `st.components.v2` component, as its `setTriggerValue` sends it."""
    trigger = f"$$STREAMLIT_INTERNAL_KEY_{composant.id}__events"
    payload = json.dumps([{"event": event, "value": value}])
    return await _run(s, [*others, (trigger, "json_trigger_value", payload)], fragment)


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


def _shows_the_page_of(msgs, query: str, nom: str, code: str) -> None:
    """The page, for the new commune, with its chart, the tab's title and the address."""
    assert [e.body for e, _ in _elements(msgs, "heading") if e.tag == "h1"] == ["Démographie"]
    assert any(nom in e.body for e, _ in _elements(msgs, "markdown"))
    assert _elements(msgs, "plotly_chart")
    titles = [m.page_config_changed.title for m in msgs if m.WhichOneof("type") == "page_config_changed"]
    assert titles[-1] == conventions.titre_onglet("Démographie", nom)
    assert urllib.parse.parse_qs(query)["territoire"] == [code]


def test_a_chosen_commune_reruns_what_shows_the_territory(result):
    full, change = result["full"], result["change"]
    assert change[-1].script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    _shows_the_page_of(change, result["query"], "Lens", "62498")
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


def _runs(msgs) -> int:
    return sum(k == "new_session" for k in _kinds(msgs))


def test_a_click_taken_by_the_page_is_one_run_of_the_page(result):
    fast = result["fast"]
    # one run, of the page's fragment: no callback run cut short before it
    assert _runs(fast) == 1
    assert [m.script_finished for m in fast if m.WhichOneof("type") == "script_finished"] == \
        [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY]
    _shows_the_page_of(fast, result["fast_query"], "Béthune", "62119")
    # the sidebar is not in it: the component asks for it once the page is drawn
    assert not _elements(fast, "selectbox") and not _elements(fast, "text_input")
    assert _data(_component(fast)[0])[aiguillage.SUITE]


def test_the_sidebar_follows_the_page(result):
    suite = result["suite"]
    assert suite[-1].script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    assert not _elements(suite, "heading") and not _elements(suite, "plotly_chart")  # the page is not sent again
    picker = [e for e, _ in _elements(suite, "selectbox") if e.label == "Territoire"]
    assert picker and picker[-1].set_value and picker[-1].raw_value == "Béthune (62119)"
    boxes = [e for e, _ in _elements(suite, "text_input") if e.label == SEARCH]
    assert boxes and boxes[-1].set_value and boxes[-1].value == ""
    assert PHONE_SEARCH not in [e.label for e, _ in _elements(suite, "text_input")]


def test_a_code_that_is_no_territory_changes_nothing(result):
    refused = result["refused"]
    assert refused[-1].script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    assert not _elements(refused, "exception")
    assert urllib.parse.parse_qs(result["refused_query"])["territoire"] == ["62119"]
    assert any("Béthune" in e.body for e, _ in _elements(refused, "markdown"))
    assert not _data(_component(refused)[0])[aiguillage.SUITE]
