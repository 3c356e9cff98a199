"""Overload sheds work (issue 14): a rerun superseded by a newer one of the same session
stops early, and the server runs with the runner options of .streamlit/config.toml."""
from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from loadtest.client import Session
from loadtest.server import streamlit_server

ROOT = Path(__file__).resolve().parents[1]
STARTUP_LIMIT_S = 120  # a start-up guard, not an assertion on speed


def test_runner_options_shed_work():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["runner"]["fastReruns"] is True  # a newer rerun interrupts the running one
    assert cfg["runner"]["postScriptGC"] is False  # no full collection holding the GIL after each run
    assert 30 <= cfg["server"]["disconnectedSessionTTL"] <= 120


def _choose(session: Session, option: str) -> bytes:
    w = session.widgets["Territoire"]
    msg = BackMsg()
    state = msg.rerun_script.widget_states.widgets.add()
    state.id, state.string_value = w.id, option
    msg.rerun_script.query_string = session.query
    msg.rerun_script.page_script_hash = session.page_hash
    return msg.SerializeToString()


async def _superseded(url: str) -> tuple[int, list[int], str | None, str]:
    """Démographie of Béthune; choose a territory in the picker, and as soon as that run has
    started choose another: how many runs started, the statuses of those that finished, the
    territory shown at the end and the one chosen last. (With fast reruns, Streamlit restarts the script in the same thread:
    the superseded run sends no `script_finished` at all.)"""
    s = Session(url, 120)
    try:
        await s.open("", "territoire=62119")
        await s.navigate(next(p for p in s.pages if "demographie" in p))
        picker = s.widgets["Territoire"]
        first, second = [o for o in picker.options if o != picker.value][-2:]  # two other territories
        await s.ws.send(_choose(s, first))
        statuses, starts, sent_second, shown = [], 0, False, None
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(s.ws.recv(), 120))
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # a script run starts
                starts += 1
                if not sent_second:
                    await s.ws.send(_choose(s, second))
                    sent_second = True
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element" \
                    and fm.delta.new_element.WhichOneof("type") == "selectbox":
                sb = fm.delta.new_element.selectbox
                if sb.label == "Territoire":
                    shown = sb.raw_value if sb.set_value else sb.options[sb.default]
            elif kind == "script_finished":
                statuses.append(fm.script_finished)
                if fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN and sent_second:
                    return starts, statuses, shown, second
    finally:
        await s.close()


@pytest.fixture(scope="module")
def server():
    with streamlit_server(STARTUP_LIMIT_S) as running:
        yield running


def test_a_superseded_rerun_stops_early_and_the_last_choice_wins(server):
    url, _ = server
    seen = []
    for _ in range(3):  # the first run may, rarely, finish before the second choice arrives
        starts, statuses, shown, second = asyncio.run(_superseded(url))
        assert shown == second, (starts, statuses, shown, second)
        # a choice is a run of its callback, which ends early for the rerun it asks for
        # (FINISHED_EARLY_FOR_RERUN), then the run of the fragments that show the territory
        # (components/changement.py), which ends the action
        assert statuses[-1] == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY, statuses
        assert all(s == ForwardMsg.FINISHED_EARLY_FOR_RERUN for s in statuses[:-1]), statuses
        seen.append((starts, statuses))
        # more runs started than finished: one was cut short by the newer choice
        if starts > len(statuses):
            return
    pytest.fail(f"no run was interrupted by the newer choice: {seen}")
