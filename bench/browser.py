"""4. Browser: Playwright + Debian's Chromium against a running `streamlit run app.py`.

Time from navigation to the first chart drawn (measured in the page:
`performance.now()` when a chart has a non-zero size, i.e. from navigation
start), from a commune change (sidebar picker) to the updated chart, and the
server's memory (RSS of its process tree) idle and with 10 concurrent sessions."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from bench.common import Config, Section, Stats, fmt_ms, verdict
from bench.server import streamlit_server, tree_rss_mb
from components import navigation, premier_ecran

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TARGET_FIRST_CHART_S = 1.2
TARGET_CHANGE_S = 0.250
TARGET_RSS_MB = 350
PLOTLY = '[data-testid="stMain"] .js-plotly-plot .main-svg'
DECK = '[data-testid="stMain"] [data-testid="stDeckGlJsonChart"] canvas'
DATAFRAME = '[data-testid="stMain"] [data-testid="stDataFrame"]'
# a theme page draws the first element of its open tab, or says its data is not built yet
THEME_VIDE = '[data-testid="stMain"] .st-key-theme_vide'
TABLE = '[data-testid="stMain"] .cc-table table'  # a theme's table of counts (plain HTML)
FIRST = {"deck": DECK, "dataframe": DATAFRAME, "plotly": PLOTLY, "table": TABLE}
CHARTS = {  # page (URL path, components/navigation.py) -> what "the first chart" is on that page
    p.url: FIRST[p.premier_element] + (f", {THEME_VIDE}" if p.theme else "")
    for p in navigation.PAGES
}
# without a commune, the Commune page asks for one: its picker is what it draws
NO_COMMUNE = {"commune": '[data-testid="stMain"] [data-testid="stSelectbox"]'}


def url_paths() -> dict[str, str]:
    """page -> URL path (the default page is at "")."""
    return {p.url: "" if p.defaut else p.url for p in navigation.PAGES}


# A chart counts as drawn one frame after it appeared with a non-zero size (the predicate is
# polled on animation frames): the browser has then finished the work of that frame, e.g.
# deck.gl's first render of the map, which happens after its canvas is in the page.
DRAWN_JS = """(sel) => { for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect(); if (!(r.width > 0 && r.height > 0)) continue;
    if (e.__ccSeen === undefined) { e.__ccSeen = performance.now(); continue; }
    return performance.now(); }
  return false; }"""
CHART_NAMED_JS = """(name) => { for (const g of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const r = g.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && g.data && g.data.some(t => t.name === name)) return performance.now(); }
  return false; }"""
READY_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0"""
# after a suggestion's click the page comes first, the sidebar's picker follows in a run of
# its own (components/aiguillage.py): the next change waits for it
PICKER_SHOWS_JS = """(name) => { const b = document.querySelector('[data-testid="stSidebar"] input[role="combobox"]');
  return !!b && b.value.startsWith(name + " ("); }"""
# a session's first run sends the page alone and a script (components/premier_ecran.py) that
# asks for the run that brings the sidebar's tools; that run removes it (a floor never has it)
FOLLOW_UP_PENDING = f".st-key-{premier_ecran.CLE}"


def wait_tools(page, timeout: int = 120_000) -> None:
    """Until the session's follow-up run has brought the sidebar's tools and finished."""
    page.wait_for_selector(FOLLOW_UP_PENDING, state="detached", timeout=timeout)
    page.wait_for_function(READY_JS, timeout=timeout)


def available() -> str | None:
    """Why the browser benchmark cannot run, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return None


def first_chart(browser, url: str, selector: str, returning: bool = False) -> tuple[float, float]:
    """(s to first chart, s to script run finished) in a new context (empty HTTP cache, new session).
    `returning`: a returning visitor: the same address was opened once before in that browser
    (its HTTP cache holds Streamlit's content-hashed scripts, served "immutable"), then a new tab
    opens it again (new session)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        if returning:
            first = ctx.new_page()
            first.goto(url)
            first.wait_for_function(DRAWN_JS, arg=selector, timeout=120_000)
            first.wait_for_function(READY_JS, timeout=120_000)
            first.close()
        page = ctx.new_page()
        page.goto(url, wait_until="commit")
        try:
            drawn = page.wait_for_function(DRAWN_JS, arg=selector, timeout=120_000).json_value()
        except Exception as exc:
            page.screenshot(path="/tmp/bench-browser-failure.png")
            raise RuntimeError(f"{url}: nothing drawn for {selector} (screenshot /tmp/bench-browser-failure.png)") from exc
        page.wait_for_function(READY_JS, timeout=120_000)
        ready = page.evaluate("performance.now()")
        return drawn / 1000, ready / 1000
    finally:
        ctx.close()


MILESTONES_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const plotly = res.find(r => /PlotlyChart\\.[^/]*\\.js$/.test(r.name));
  const scripts = res.filter(r => r.initiatorType === 'script' || /\\.js$/.test(r.name));
  return {dom_ready: nav.domContentLoadedEventEnd,
          plotly_requested: plotly ? plotly.startTime : null, plotly_loaded: plotly ? plotly.responseEnd : null,
          scripts: scripts.length, script_bytes: scripts.reduce((a, r) => a + r.decodedBodySize, 0)}; }"""


def cold_milestones(browser, url: str, selector: str) -> dict[str, float]:
    """Where a cold load's time goes (ms from navigation start): Streamlit's scripts parsed
    (DOMContentLoaded), the Plotly chunk requested (first plotly element received) and
    loaded, the first chart drawn."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="commit")
        drawn = page.wait_for_function(DRAWN_JS, arg=selector, timeout=120_000).json_value()
        out = page.evaluate(MILESTONES_JS)
        out["first_chart"] = drawn
        return out
    finally:
        ctx.close()


SETTLE_MS = 300  # between what the visitor typed and the click (or Enter), ours and the floor's

# The time of the visitor's action, in the page's clock: the click, or the key that chose (a
# capture listener, before any handler of the page). A change is timed from it, not from the
# Python call that asks for it: Playwright's click() first checks that the button is visible,
# stable and hit (≈ 25 ms of round trips on this machine) where press("Enter") dispatches at
# once, which would charge our click ≈ 25 ms that the floor's Enter does not pay.
ACTION_JS = """() => { window.__ccAction = null; if (window.__ccActionListening) return; window.__ccActionListening = true;
  for (const type of ['click', 'keydown']) document.addEventListener(type, e => {
    if (type === 'click' || e.key === 'Enter') window.__ccAction = e.timeStamp; }, true); }"""
ACTION_TIME_JS = "() => window.__ccAction"


def commune_changes(browser, base: str, reps: int, names: dict[str, str]) -> list[float]:
    """Démographie of one commune, then the sidebar picker switches to the other one
    (typed into the search, its suggestion clicked); timed from the click (`ACTION_JS`) to a
    chart whose trace is the new commune."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    out = []
    try:
        page = ctx.new_page()
        codes = list(names)
        page.goto(f"{base}/{url_paths()['demographie']}?territoire={codes[0]}")
        page.wait_for_function(CHART_NAMED_JS, arg=names[codes[0]], timeout=120_000)
        wait_tools(page)
        for i in range(reps + 1):  # the first change warms the server's caches for the second commune
            code = codes[(i + 1) % 2]
            # the sidebar search (server side, as you type): the commune's suggestion is clicked
            box = page.get_by_role("searchbox", name="Rechercher une commune ou une intercommunalité")
            box.fill(names[code])
            suggestion = page.locator(f'[data-testid="stSidebar"] [class*="st-key-recherche_{code}"] button')
            suggestion.wait_for(timeout=120_000)
            # the click comes once the suggestions' own run has finished and they are drawn (the
            # floor's list is filled in the browser, with no run): the time measured is the change
            page.wait_for_function(READY_JS, timeout=120_000)
            page.wait_for_timeout(SETTLE_MS)
            page.evaluate(ACTION_JS)
            suggestion.click()
            t1 = page.wait_for_function(CHART_NAMED_JS, arg=names[code], timeout=120_000).json_value()
            t0 = page.evaluate(ACTION_TIME_JS)
            page.wait_for_function(PICKER_SHOWS_JS, arg=names[code], timeout=120_000)
            page.wait_for_function(READY_JS, timeout=120_000)
            if i:
                out.append((t1 - t0) / 1000)
    finally:
        ctx.close()
    return out


TITLES = {  # page -> (link in the sidebar navigation, start of the page's h1)
    p.url: (p.titre, p.titre_page) for p in navigation.PAGES
}
SWITCHED_JS = """([sel, title]) => {
  const h = document.querySelector('[data-testid="stMain"] h1');
  if (!h || !h.textContent.startsWith(title)) return false;
  for (const e of document.querySelectorAll(sel)) {
    if (e.closest('[data-stale="true"]')) continue;  // an element of the previous page, not yet replaced
    const r = e.getBoundingClientRect(); if (!(r.width > 0 && r.height > 0)) continue;
    if (e.__ccSeen === undefined) { e.__ccSeen = performance.now(); continue; }
    return performance.now(); }
  return false; }"""
# the end of the last main-thread task longer than 50 ms (installed in every page of a context)
LONG_TASKS_JS = """window.__ccLastLongTask = 0;
new PerformanceObserver(l => { for (const e of l.getEntries())
  window.__ccLastLongTask = Math.max(window.__ccLastLongTask, e.startTime + e.duration); })
  .observe({type: 'longtask', buffered: true});"""
SETTLED_JS = "() => performance.now() - window.__ccLastLongTask > 500"


def page_switches(browser, base: str, reps: int, code: str, settled: bool = False,
                  charts: dict[str, str] = CHARTS) -> dict[str, list[float]]:
    """The app open in one tab (as a visitor uses it): click a page in the sidebar
    navigation, time from the click to the new page's first chart drawn. This is
    how the peers were measured ("first chart after choosing a page").
    The click comes as soon as the previous page's script run has finished, or, with
    `settled`, once the previous page has settled (no main-thread task over 50 ms for
    0.5 s: a visitor reads a page before choosing the next one)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    ctx.add_init_script(LONG_TASKS_JS)
    out: dict[str, list[float]] = {stem: [] for stem in TITLES}
    try:
        page = ctx.new_page()
        page.goto(f"{base}/?territoire={code}")
        page.wait_for_function(DRAWN_JS, arg=charts["accueil"], timeout=120_000)
        wait_tools(page)
        order = [p.url for p in navigation.PAGES if not p.defaut] + [p.url for p in navigation.PAGES if p.defaut]
        for rep in range(reps + 1):  # the first round warms the server's caches
            for stem in order:
                link, title = TITLES[stem]
                if settled:
                    page.wait_for_function(SETTLED_JS, timeout=120_000)
                t0 = page.evaluate("performance.now()")
                page.locator('[data-testid="stSidebarNav"] a', has_text=link).first.click()
                t1 = page.wait_for_function(SWITCHED_JS, arg=[charts[stem], title], timeout=120_000).json_value()
                page.wait_for_function(READY_JS, timeout=120_000)
                if rep:
                    out[stem].append((t1 - t0) / 1000)
    finally:
        ctx.close()
    return out


def stem_of(path: str) -> str:
    return next((stem for stem, p in url_paths().items() if p == path), path)


def sessions(browser, base: str, pid: int, n: int, territories: list[str],
             charts: dict[str, str] = CHARTS) -> tuple[float, float, float]:
    """n concurrent sessions on different pages: (s until all drawn, peak RSS MB while
    they load, RSS MB once all are drawn)."""
    peak = [tree_rss_mb(pid)]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak.append(tree_rss_mb(pid))
            time.sleep(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    ctxs, pages = [], []
    paths = [(path, charts[stem]) for stem, path in url_paths().items() if stem in charts]
    t0 = time.perf_counter()
    try:
        for i in range(n):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            ctxs.append(ctx)
            p = ctx.new_page()
            (path, sel), terr = paths[i % len(paths)], territories[i % len(territories)]
            if stem_of(path) in NO_COMMUNE:
                terr = territories[-1]
            p.goto(f"{base}/{path}?territoire={terr}", wait_until="commit")
            pages.append((p, sel))
        for p, sel in pages:
            p.wait_for_function(DRAWN_JS, arg=sel, timeout=300_000)
            p.wait_for_function(READY_JS, timeout=300_000)
        all_drawn = time.perf_counter() - t0
        time.sleep(0.5)
        settled = tree_rss_mb(pid)
    finally:
        stop.set()
        t.join()
        for c in ctxs:
            c.close()
    return all_drawn, max(peak), settled


def run(cfg: Config, warehouse: str | None = None, title: str = "4. Browser (Playwright + Chromium)",
        memory: bool = True, charts: dict[str, str] | None = None) -> Section:
    """`charts`: what "the first chart" is on some pages, instead of `CHARTS` (a page with
    no chart on another territory is timed to its message)."""
    charts = {**CHARTS, **(charts or {})}
    s = Section(title, ["measure", "page / case", "n", "median ms", "p95 ms", "target"])
    why = available()
    if why:
        s.notes.append(f"not measured: {why}")
        return s
    from playwright.sync_api import sync_playwright

    import os
    if warehouse:
        os.environ["CHIFFRES_CLEFS_WAREHOUSE"] = warehouse
    from datasets import access

    access._clear_caches()
    terr = access.territoires("territoire")["code"].iloc[0]
    names = {c: access.territoire(c, "commune")["nom"] for c in ("62119", "62498") if access.territoire(c, "commune")}
    with streamlit_server(warehouse) as (url, pid), sync_playwright() as pw:
        idle = tree_rss_mb(pid)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # one untimed visit per page and territory: the server's caches are warm, as in production
            paths = url_paths()
            cases = [(stem, paths[stem], code, NO_COMMUNE.get(stem, sel) if code == terr else sel)
                     for stem, sel in charts.items() if stem in paths for code in (terr, "62119")]
            if cfg.smoke:
                cases = [c for c in cases if c[0] == "demographie" and c[2] != terr]
            for stem, path, code, sel in cases:
                first_chart(browser, f"{url}/{path}?territoire={code}", sel)
            after_warmup = tree_rss_mb(pid)
            for stem, path, code, sel in cases:
                runs = [first_chart(browser, f"{url}/{path}?territoire={code}", sel) for _ in range(cfg.qr)]
                drawn, ready = Stats([r[0] for r in runs]), Stats([r[1] for r in runs])
                case = f"{stem} — {'whole territory' if code == terr else 'commune ' + code}"
                s.add("navigation → first chart drawn", case, len(runs), *drawn.ms(),
                      verdict(drawn.median, TARGET_FIRST_CHART_S), median_s=drawn.median, kind="first_chart")
                s.add("navigation → script run finished", case, len(runs), *ready.ms(), "",
                      median_s=ready.median, kind="ready")
                back = Stats([first_chart(browser, f"{url}/{path}?territoire={code}", sel, returning=True)[0]
                              for _ in range(cfg.qr)])
                s.add("returning visitor, new tab → first chart drawn", case, len(back.samples), *back.ms(),
                      verdict(back.median, TARGET_FIRST_CHART_S), median_s=back.median, kind="first_chart_cached")
            if not cfg.smoke:
                cold = "demographie"
                runs = [cold_milestones(browser, f"{url}/{paths[cold]}?territoire=62119", charts[cold])
                        for _ in range(cfg.qr)]
                for key, label in (("dom_ready", "Streamlit's scripts parsed (DOMContentLoaded)"),
                                   ("plotly_requested", "Plotly chunk requested (first chart element received)"),
                                   ("plotly_loaded", "Plotly chunk loaded"), ("first_chart", "first chart drawn")):
                    ms = Stats([r[key] / 1000 for r in runs if r.get(key) is not None])
                    s.add(f"cold load, where the time goes: {label}", f"{cold} — commune 62119", len(ms.samples),
                          *ms.ms(), "", median_s=ms.median, kind="milestone")
                s.notes.append(f"cold load of {cold}: {runs[0]['scripts']} script files, "
                               f"{runs[0]['script_bytes'] / 1e6:.1f} MB of JavaScript (uncompressed by Streamlit; "
                               "the nginx of deploy/ compresses it).")
            for settled, label in ((False, "as soon as the previous page's script finished"),
                                   (True, "once the previous page settled")):
                for stem, samples in page_switches(browser, url, 1 if cfg.smoke else cfg.qr, "62119",
                                                   settled, charts).items():
                    st_ = Stats(samples)
                    s.add(f"page chosen in the sidebar → first chart drawn ({label})", f"{stem} — commune 62119",
                          len(samples), *st_.ms(), verdict(st_.median, TARGET_FIRST_CHART_S), median_s=st_.median,
                          kind="switch_settled" if settled else "switch")
            if len(names) == 2:
                ch = Stats(commune_changes(browser, url, cfg.qr, names))
                s.add("commune change (sidebar picker) → updated chart", "demographie — 62119 ↔ 62498",
                      len(ch.samples), *ch.ms(), verdict(ch.median, TARGET_CHANGE_S), median_s=ch.median,
                      kind="change")
            if memory:
                n = 2 if cfg.smoke else 10
                all_drawn, peak, settled = sessions(browser, url, pid, n, [terr, "62119"], charts)
                time.sleep(0 if cfg.smoke else 3)
                s.add("server RSS at start (no session)", "", 1, "", "", f"{idle:.0f} MB")
                s.add("server RSS after one visit of every page", "", 1, "", "", f"{after_warmup:.0f} MB")
                s.add(f"{n} concurrent sessions: all pages drawn", "", 1, fmt_ms(all_drawn), "", "")
                s.add(f"server RSS, {n} concurrent sessions (peak while loading)", "", 1, "", "",
                      f"{peak:.0f} MB — {verdict(peak / 1000, TARGET_RSS_MB / 1000).replace(' ms', ' MB')}",
                      rss_mb=peak, kind="rss")
                s.add(f"server RSS, {n} sessions drawn", "", 1, "", "", f"{settled:.0f} MB")
                s.add("server RSS, sessions closed (+3 s)", "", 1, "", "", f"{tree_rss_mb(pid):.0f} MB")
        finally:
            browser.close()
    s.notes.append("first chart = `performance.now()` (from navigation start) one animation frame after the first "
                   "chart appeared with a non-zero size (so that deck.gl's first render of the map is counted), in "
                   "a new browser context (empty HTTP cache, new Streamlit session), after one untimed visit of "
                   "every page (warm server caches). Plotly pages: `.js-plotly-plot .main-svg`; Accueil: the "
                   "deck.gl canvas; Sources: the first dataframe; Commune without a commune: its picker. "
                   "Returning visitor: the same address opened once in that context before (Streamlit's "
                   "content-hashed scripts are served `immutable`, so they come from the HTTP cache), then in "
                   "a new tab (new session).")
    return s
