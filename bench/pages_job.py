"""Warm server-side reruns of every page, in their own process (so that the
warehouse given by CHIFFRES_CLEFS_WAREHOUSE and Streamlit's caches are fresh).

  python -m bench.pages_job REPS [--profile FILE]

Runs app.py through `streamlit.testing.v1.AppTest` (the whole script: page
config, navigation, sidebar, the page), two warm-up runs, then REPS timed
reruns, for the whole territory and for commune 62119. Prints one JSON line."""
from __future__ import annotations

import argparse
import json
import time

from bench.common import ROOT
from components import navigation

PAGES = [p.url for p in navigation.PAGES]
COMMUNE = "62119"


def _elements(at) -> dict:
    charts = len(at.get("plotly_chart"))
    decks = len(at.get("deck_gl_json_chart"))
    return {"plotly": charts, "deck": decks, "dataframes": len(at.dataframe)}


_PROFILE = {"on": False, "prof": None}


def _profile_script_thread(prof) -> None:
    """cProfile follows one thread: wrap Streamlit's script run (in its own thread)."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    _PROFILE["prof"] = prof

    def wrapped(self, rerun_data):
        if not _PROFILE["on"]:
            return original(self, rerun_data)
        prof.enable()
        try:
            return original(self, rerun_data)
        finally:
            prof.disable()

    script_runner.ScriptRunner._run_script = wrapped


def run_page(page: str, territoire: str, reps: int, profile=None) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["territoire"] = territoire
    at.run()
    navigation.open_in_apptest(at, page)
    at.run()  # first run of the page (cold caches)
    if at.exception:  # reported in the table (a page that fails is a finding, not a benchmark crash)
        trace = [line for line in at.exception[0].stack_trace if line.strip()]
        return {"page": page, "territoire": territoire, "samples": [], "plotly": 0, "deck": 0, "dataframes": 0,
                "error": (trace[-1] if trace else at.exception[0].message).strip()[:300]}
    at.run()  # warm-up
    samples = []
    for _ in range(reps):
        _PROFILE["on"] = profile is not None
        t0 = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - t0)
        _PROFILE["on"] = False
    return {"page": page, "territoire": territoire, "samples": samples, **_elements(at)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("reps", type=int)
    p.add_argument("--profile", default=None, help="write cProfile stats of the timed reruns here")
    p.add_argument("--pages", default=",".join(PAGES))
    args = p.parse_args()
    from datasets import access

    terr = access.territoires("territoire")["code"].iloc[0]
    com = COMMUNE if access.territoire(COMMUNE, "commune") else access.communes()["code"].iloc[0]
    prof = None
    if args.profile:
        import cProfile
        prof = cProfile.Profile()
        _profile_script_thread(prof)
    out = [run_page(page, code, args.reps, prof) for page in args.pages.split(",") for code in (terr, com)]
    if prof is not None:
        prof.dump_stats(args.profile)
    print(json.dumps({"communes": int(len(access.communes())), "territoire": terr, "commune": com, "runs": out}))


if __name__ == "__main__":
    main()
