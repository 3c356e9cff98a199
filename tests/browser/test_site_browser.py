"""The static fiches in a browser: the index's search (accents and case ignored) leads to a
fiche whose charts are drawn, on a phone and on a desktop screen, served as plain files."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODES = ["62119", "62498", "62510", "200072460"]


@pytest.fixture(scope="module")
def site_url():
    out = Path(tempfile.mkdtemp(prefix="cc-site-browser-")) / "public"
    p = subprocess.run([sys.executable, "-m", "components.exports", "site", "--out", str(out), "--processus", "1",
                        "--app-url", "http://127.0.0.1:8501/", *sum((["--territoire", c] for c in CODES), [])],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    shutil.rmtree(out.parent, ignore_errors=True)


@pytest.mark.parametrize("width", [390, 1440])
def test_search_then_open_a_fiche(browser, site_url, artifacts, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    try:
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(site_url + "/index.html")
        search = page.get_by_label("Rechercher un territoire (nom ou code)")
        page.wait_for_function("() => !document.getElementById('q').disabled")  # index.json loaded
        search.fill("BETHUNE")  # no accent, upper case
        results = page.locator("#resultats li")
        results.first.wait_for()
        # the commune first, then its EPCI (« CA de Béthune-Bruay, Artois-Lys Romane »)
        assert [a.inner_text() for a in results.locator("a").all()] == ["Béthune", "CA de Béthune-Bruay, Artois-Lys Romane"]
        assert page.locator("#statut").inner_text() == "2 territoires trouvés."
        assert page.locator("#tout").is_hidden()  # the full list makes way for the results
        search.fill("lié")
        page.wait_for_function("() => document.querySelector('#resultats a')?.textContent === 'Liévin'")
        search.fill("zzz")
        page.wait_for_function("() => document.getElementById('statut').textContent === 'Aucun territoire ne correspond.'")
        search.fill("62498")  # by code
        page.wait_for_function("() => document.querySelector('#resultats a')?.textContent === 'Lens'")
        search.fill("béthune")
        page.wait_for_function("() => document.querySelector('#resultats a')?.textContent === 'Béthune'")
        page.screenshot(path=str(artifacts / f"site-index-{width}.png"))
        page.locator("#resultats a").first.click()
        page.wait_for_url("**/commune/62119.html")
        assert page.locator("h1").inner_text() == "Béthune"
        assert page.locator("html").get_attribute("lang") == "fr"
        svgs = page.locator("figure svg")
        assert svgs.count() >= 4
        for i in range(svgs.count()):
            box = svgs.nth(i).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, (i, box)
            assert box["width"] <= width  # charts fit the screen
        # the page does not scroll sideways (the key figures table scrolls inside itself on a phone)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        app = page.get_by_role("link", name="Explorer Béthune dans l'application interactive")
        assert app.get_attribute("href") == "http://127.0.0.1:8501/commune?territoire=62119"
        fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime")
        assert fcp is not None and fcp > 0  # painted; the time itself is measured in BENCHMARKS.md
        page.screenshot(path=str(artifacts / f"site-fiche-{width}.png"), full_page=True)
        page.get_by_role("link", name="← Toutes les fiches").click()
        page.wait_for_url("**/index.html")
    finally:
        ctx.close()
