"""Plancher Streamlit: our pages against minimal Streamlit apps, side by side in one run.

The floors (bench/floors/) run in the same virtual environment: a title and one Plotly line
chart (floor-plotly), one pydeck map of the 319 communes (floor-pydeck), a select box of the
319 communes redrawing a chart (floor-select). Four servers run at once and the cases are
interleaved (one fresh browser context per case and round), so that the load of the
machine weighs on all of them alike. Per case, medians over the rounds:
cold tab → first chart drawn, DOM elements and websocket frames once the script run has
finished, JS files requested before the first chart; and commune change → chart redrawn
(our Démographie sidebar picker against the floor's select box).

    python -m bench --only floor [--slow-reps 5]   # 3 rounds by default"""
from __future__ import annotations

import json
import os
import statistics
import time
from contextlib import ExitStack

from bench.common import Config, Section, Stats, load

FLOORS = {"floor-plotly": "bench/floors/floor_plotly.py", "floor-pydeck": "bench/floors/floor_pydeck.py",
          "floor-select": "bench/floors/floor_select.py"}
THEMES = ("demographie", "logement", "economie")
TERRITOIRE = "62119"
SELECT_FROM, SELECT_TO = ("62119", "Béthune"), ("62498", "Lens")

# what the browser did before the first chart (Resource Timing), counted in the page
SCRIPTS_BEFORE_JS = """(t) => { const s = performance.getEntriesByType('resource')
  .filter(r => (r.initiatorType === 'script' || /\\.js(\\?|$)/.test(r.name)) && r.startTime <= t);
  return [s.length, s.reduce((a, r) => a + (r.decodedBodySize || 0), 0)]; }"""


def cases() -> list[tuple[str, str, str, str]]:
    """(name, server, path + query, chart selector), our pages first."""
    from bench import browser

    paths, charts = browser.url_paths(), browser.CHARTS
    out = [("ours — Accueil (carte)", "app", f"{paths['accueil']}?territoire={TERRITOIRE}", charts["accueil"])]
    out += [(f"ours — {stem} ({TERRITOIRE})", "app", f"{paths[stem]}?territoire={TERRITOIRE}", charts[stem])
            for stem in THEMES if stem in paths]
    out += [("floor-plotly", "floor-plotly", "", browser.PLOTLY),
            ("floor-pydeck", "floor-pydeck", "", charts["accueil"]),
            ("floor-select", "floor-select", "", browser.PLOTLY)]
    return out


def cold(pw_browser, url: str, selector: str) -> dict:
    """One fresh context: first chart drawn, then (script run finished; for our pages, the
    follow-up run that brings the sidebar's tools too) DOM size and frames."""
    from bench import browser

    ctx = pw_browser.new_context(viewport={"width": 1280, "height": 900})
    frames = {"in": 0, "out": 0}

    def on_ws(ws):
        ws.on("framereceived", lambda _: frames.__setitem__("in", frames["in"] + 1))
        ws.on("framesent", lambda _: frames.__setitem__("out", frames["out"] + 1))

    try:
        page = ctx.new_page()
        page.on("websocket", on_ws)
        page.goto(url, wait_until="commit")
        drawn = page.wait_for_function(browser.DRAWN_JS, arg=selector, timeout=120_000).json_value()
        scripts, script_bytes = page.evaluate(SCRIPTS_BEFORE_JS, drawn)
        browser.wait_tools(page)
        page.wait_for_timeout(300)  # the last deltas of the run reach the page
        return {"first_chart": drawn / 1000, "dom": page.evaluate("document.getElementsByTagName('*').length"),
                "frames": frames["in"], "frames_out": frames["out"], "scripts": scripts, "script_bytes": script_bytes}
    finally:
        ctx.close()


def select_changes(pw_browser, url: str, reps: int) -> list[float]:
    """floor-select: type the other commune in the select box + Enter → chart with its trace
    drawn; timed from the Enter key (`browser.ACTION_JS`), as ours from its click."""
    from bench import browser

    ctx = pw_browser.new_context(viewport={"width": 1280, "height": 900})
    out = []
    try:
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function(browser.CHART_NAMED_JS, arg=SELECT_FROM[1], timeout=120_000)
        page.wait_for_function(browser.READY_JS, timeout=120_000)
        for i in range(reps + 1):  # the first change warms the floor's cache, as for our pages
            code, name = (SELECT_TO, SELECT_FROM)[i % 2]
            box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
            box.click()
            page.keyboard.type(f"{name} ({code})")
            page.wait_for_timeout(browser.SETTLE_MS)
            page.evaluate(browser.ACTION_JS)
            page.keyboard.press("Enter")
            t1 = page.wait_for_function(browser.CHART_NAMED_JS, arg=name, timeout=120_000).json_value()
            t0 = page.evaluate(browser.ACTION_TIME_JS)
            page.wait_for_function(browser.READY_JS, timeout=120_000)
            if i:
                out.append((t1 - t0) / 1000)
    finally:
        ctx.close()
    return out


def _med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def run(cfg: Config) -> Section:
    from bench import browser

    s = Section("Plancher Streamlit (our pages against minimal Streamlit apps, same run)",
                ["case", "n", "cold tab → first chart (median)", "× floor", "DOM elements", "websocket frames (in/out)",
                 "JS files before first chart", "JS before first chart"])
    why = browser.available()
    if why:
        s.notes.append(f"not measured: {why}")
        return s
    from playwright.sync_api import sync_playwright

    from datasets import access
    from loadtest.server import streamlit_server

    reps = cfg.qr  # --slow-reps (default 3; issue 13 used 5)
    names = {c: (access.territoire(c, "commune") or {}).get("nom") for c in ("62119", "62498")}
    loads = [os.getloadavg()[0]]
    with ExitStack() as stack:
        urls = {"app": stack.enter_context(streamlit_server(prefix="bench-floor"))[0]}
        for name, script in FLOORS.items():
            urls[name] = stack.enter_context(streamlit_server(prefix="bench-floor", script=script))[0]
        pw = stack.enter_context(sync_playwright())
        b = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        stack.callback(b.close)
        todo = cases()
        for name, server, path, sel in todo:  # one untimed visit each: warm server caches
            cold(b, f"{urls[server]}/{path}", sel)
        results: dict[str, list[dict]] = {name: [] for name, *_ in todo}
        for _ in range(reps):
            for name, server, path, sel in todo:
                results[name].append(cold(b, f"{urls[server]}/{path}", sel))
            loads.append(os.getloadavg()[0])
        changes = {}
        if all(names.values()):
            changes["ours — Démographie, sidebar picker 62119 ↔ 62498"] = browser.commune_changes(b, urls["app"], reps,
                                                                                                names)
        changes["floor-select — select box 62119 ↔ 62498"] = select_changes(b, urls["floor-select"], reps)
        loads.append(os.getloadavg()[0])

    floor_of = lambda name: "floor-pydeck" if "Accueil" in name else "floor-plotly"  # noqa: E731
    for name, rows in results.items():
        fc = _med(rows, "first_chart")
        ratio = "" if name.startswith("floor") else \
            f"{fc / _med(results[floor_of(name)], 'first_chart'):.2f}× {floor_of(name)}"
        s.add(name, len(rows), f"{fc:.2f} s (p95 {Stats([r['first_chart'] for r in rows]).p95:.2f} s)", ratio,
              f"{_med(rows, 'dom'):.0f}", f"{_med(rows, 'frames'):.0f} / {_med(rows, 'frames_out'):.0f}",
              f"{_med(rows, 'scripts'):.0f}", f"{_med(rows, 'script_bytes') / 1e6:.1f} MB",
              kind="floor_cold", first_chart_s=fc, dom=_med(rows, "dom"), frames=_med(rows, "frames"),
              scripts=_med(rows, "scripts"), script_bytes=_med(rows, "script_bytes"))
    floor_change = None
    for name, samples in changes.items():
        if name.startswith("floor") and samples:
            floor_change = Stats(samples).median
    for name, samples in changes.items():
        if not samples:
            continue
        st_ = Stats(samples)
        ratio = "" if name.startswith("floor") or not floor_change else f"{st_.median / floor_change:.2f}× floor-select"
        s.add(f"commune change → chart redrawn: {name}", len(samples),
              f"{st_.median:.2f} s (p95 {st_.p95:.2f} s)", ratio, "", "", "", "", kind="floor_change",
              change_s=st_.median)
    s.notes.append(f"{reps} fresh browser contexts per case (after one untimed visit each), the cases interleaved "
                   f"round by round; load average (1 min) during the run: {min(loads):.1f}–{max(loads):.1f}.")
    s.notes.append("first chart: as in section 4 (`performance.now()` one animation frame after the chart has a "
                   "non-zero size; Plotly `.main-svg`, the map's deck.gl canvas). DOM elements: "
                   "`getElementsByTagName('*')` once the script run finished; frames: websocket frames received "
                   "(sent) by the page until then; JS: Resource Timing script entries started before the first "
                   "chart (uncompressed sizes).")
    s.notes.append("commune change: from the visitor's action as the page saw it (a capture listener's event time: "
                   "our suggestion's click, the floor's Enter) to a chart whose trace is the new commune.")
    s.notes.append("ratios: Accueil against floor-pydeck, theme pages against floor-plotly, the sidebar picker "
                   "against floor-select's select box (issue 13 targets: ≤ 1.15× and ≤ 1.5×).")
    return s


# --- the commune change at scale (892 communes) ------------------------------------------

def scale_changes(reps: int = 5) -> dict:
    """Commune change → chart redrawn on the département-62 territory of `bench/scale.py`
    (892 communes): our Démographie sidebar search against floor-select, whose select box
    then lists the 892 communes. The warehouse is built once into a temporary folder."""
    import subprocess
    import tempfile
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from bench import browser, scale
    from bench.common import PY, ROOT
    from loadtest.server import streamlit_server

    toml, ref, _ = scale.prepare(False)
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-floor-scale-") as tmp, ExitStack() as stack:
        wh = Path(tmp) / "warehouse"
        (Path(tmp) / "raw").mkdir()
        env = dict(os.environ, CHIFFRES_CLEFS_TERRITORY=str(toml), CHIFFRES_CLEFS_REFERENCE=str(ref))
        subprocess.run([PY, "-m", "bench.etl_job", "build", str(Path(tmp) / "raw"), "--territory", str(toml),
                        "--reference", str(ref), "--out", str(wh)], cwd=ROOT, env=env, check=True, capture_output=True)
        communes = len(json.loads((wh / "communes.geojson").read_text(encoding="utf-8"))["features"])
        app = stack.enter_context(streamlit_server(prefix="bench-floor", warehouse=str(wh)))[0]
        sel = stack.enter_context(streamlit_server(prefix="bench-floor", script=FLOORS["floor-select"],
                                                   warehouse=str(wh)))[0]
        pw = stack.enter_context(sync_playwright())
        b = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        stack.callback(b.close)
        names = dict([SELECT_FROM, SELECT_TO])
        ours = browser.commune_changes(b, app, reps, names)
        floor = select_changes(b, sel, reps)
        loads.append(os.getloadavg()[0])
    return {"communes": communes, "ours": ours, "floor": floor, "loads": loads}


# --- the static fiches (python -m components.exports site) ----------------------------------

def site_fcp(folder: str, reps: int = 5, pages: tuple[str, ...] = ("commune/62119.html", "epci/200072460.html",
                                                                    "index.html")) -> dict[str, list[float]]:
    """First contentful paint (s) of static pages, each in a fresh browser context (cold
    HTTP cache), served by a plain HTTP server on 127.0.0.1 (uncompressed: nginx's gzip
    makes the transfer smaller, which loopback does not feel)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from bench import browser

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    out: dict[str, list[float]] = {p: [] for p in pages}
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
            for _ in range(reps):
                for p in pages:
                    ctx = b.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    page.goto(f"{base}/{p}", wait_until="load")
                    fcp = page.wait_for_function(
                        "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime").json_value()
                    out[p].append(fcp / 1000)
                    ctx.close()
            b.close()
    finally:
        httpd.shutdown()
    return out


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--scale"]:
        res = scale_changes(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
        o, f = statistics.median(res["ours"]), statistics.median(res["floor"])
        print(f"{res['communes']} communes, load average {min(res['loads']):.1f}–{max(res['loads']):.1f}")
        print(f"commune change → chart redrawn: ours (Démographie, sidebar search) {o:.2f} s "
              f"(n={len(res['ours'])}), floor-select {f:.2f} s (n={len(res['floor'])}): {o / f:.2f}× floor-select")
        sys.exit(0)
    if len(sys.argv) != 3 or sys.argv[1] != "--site":
        sys.exit("usage: python -m bench.floor --site DOSSIER   (first contentful paint of static fiches)\n"
                 "       python -m bench.floor --scale [REPS]   (commune change at 892 communes)")
    res = site_fcp(sys.argv[2])
    print(f"load average {load()}")
    for p, v in res.items():
        print(f"{p}: FCP median {statistics.median(v) * 1000:.0f} ms, max {max(v) * 1000:.0f} ms (n={len(v)})")
