"""An official on a phone (390 and 320 px wide, touch): every page for Lens and for the CA de
Béthune-Bruay without horizontal overflow, the key values in the first screen, a page that
scrolls past the map, the search that suggests while typing (typo, no accent), the sidebar
folded after a choice, axe-core without serious or critical violation, and the browser
conventions (lang, tab title, one history entry per action).
Screenshots of the first screen at 390 and 320 px go to tests/artifacts/ (look at them)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from browser_helpers import wait_ready

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PAGES = ["", "demographie", "logement", "economie", "programme", "commune", "comparer", "sources"]
TERRITOIRES = {"lens": "62498", "cabbalr": "200072460"}
WIDTHS = [390, 320]
PHONE_HEIGHT = 844
# what must be readable in the first screen of each page (the key value, or what the page is for;
# .cc-carte: a table's rows as cards on a phone, components/cards.py afficher_table)
FIRST_SCREEN = {
    "": '.cc-t-val',
    "demographie": '[data-testid="stMetricValue"], [data-testid="stDataFrame"], .cc-carte, .js-plotly-plot',
    "logement": '[data-testid="stMetricValue"], [data-testid="stDataFrame"], .cc-carte, .js-plotly-plot',
    "economie": '[data-testid="stMetricValue"], [data-testid="stDataFrame"], .cc-carte, .js-plotly-plot',
    "programme": '[data-testid="stAlert"], [data-testid="stMetricValue"]',
    "commune": "[data-testid=stMain] .cc-val, [data-testid=stMain] [data-testid=stSelectbox]",  # not the sidebar's
    "comparer": '[data-testid="stMultiSelect"]',
    "sources": "h1",
}
SEARCH_LABEL = "Trouver une commune ou une intercommunalité"


def phone(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": PHONE_HEIGHT}, locale="fr-FR",
                                  is_mobile=True, has_touch=True, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    return context, pg


def url(server, path, code):
    return f"{server}/{path}?territoire={code}"


def overflow(pg) -> dict:
    return pg.evaluate(
        """() => { const m = document.querySelector('[data-testid=stMain]');
                   const wide = [...m.querySelectorAll('*')].filter(e => {
                       const r = e.getBoundingClientRect();
                       return r.width > 0 && r.right > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed'
                              && !e.closest('[data-testid=stDataFrame], .js-plotly-plot, [data-testid=stDeckGlJsonChart]')
                              && !e.closest('[data-testid=stMarkdownContainer] table');  // scrolls inside itself
                   }).slice(0, 5).map(e => e.tagName + '.' + (e.className || '').toString().slice(0, 60));
                   return {scroll: m.scrollWidth, client: m.clientWidth, wide}; }""")


def visible_in_first_screen(pg, selector: str, timeout_ms: int = 15_000) -> bool:
    """Some element of `selector` drawn in the first screen, waiting for it to be drawn (a
    table or chart is mounted a moment after the script run ends, later under load)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.wait_for_function(
            """(sel) => [...document.querySelectorAll(sel)].some(e => {
                   const r = e.getBoundingClientRect();
                   return r.width > 0 && r.height > 0 && r.top >= 0 && r.top < window.innerHeight; })""",
            arg=selector, timeout=timeout_ms)
        return True
    except PlaywrightTimeout:
        return False


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("territoire", list(TERRITOIRES))
@pytest.mark.parametrize("path", PAGES)
def test_phone_page_fits_and_shows_key_values_first(server, browser, artifacts, path, territoire, width):
    context, pg = phone(browser, width)
    try:
        pg.goto(url(server, path, TERRITOIRES[territoire]))
        wait_ready(pg)
        pg.wait_for_timeout(800)
        assert pg.locator('[data-testid="stException"]').count() == 0
        o = overflow(pg)
        assert o["scroll"] <= o["client"], f"horizontal overflow of the main block: {o}"
        assert not o["wide"], f"elements wider than the screen: {o['wide']}"
        assert visible_in_first_screen(pg, FIRST_SCREEN[path]), f"{path}: key values not in the first screen"
        pg.screenshot(path=str(artifacts / f"phone_{path or 'accueil'}_{territoire}{'' if width == 390 else f'_{width}'}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "programme"])
def test_the_page_scrolls_past_the_map(server, browser, path):
    """A wheel and a swipe over the map scroll the page (the map does not trap them)."""
    context, pg = phone(browser, 390)
    try:
        pg.goto(url(server, path, "62498"))
        wait_ready(pg)
        carte = pg.locator('[data-testid="stMain"] [data-testid="stDeckGlJsonChart"]').first
        carte.scroll_into_view_if_needed()
        pg.wait_for_timeout(500)
        main = '[data-testid="stMain"]'
        avant = pg.eval_on_selector(main, "m => m.scrollTop")
        box = carte.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 300)
        pg.mouse.move(x, y)
        pg.mouse.wheel(0, 600)
        pg.wait_for_timeout(600)
        apres_molette = pg.eval_on_selector(main, "m => m.scrollTop")
        assert apres_molette > avant + 200, "the wheel over the map did not scroll the page"
        # a swipe: the touch must reach the page, not the map
        carte.scroll_into_view_if_needed()
        box = carte.bounding_box()
        under = pg.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); "
                            "return e ? !!e.closest('[data-testid=stDeckGlJsonChart]') : null; }",
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert under is False, "on a phone the map takes the touches before « Explorer la carte » is tapped"
        # room to scroll below: the map may be the last block of the page (then the page can only
        # go down until its end), so the swipe starts 300 px above the end of the page
        pg.eval_on_selector(main, "m => { m.scrollTop = m.scrollHeight - m.clientHeight - 300; }")
        pg.wait_for_timeout(300)
        avant = pg.eval_on_selector(main, "m => m.scrollTop")
        box = carte.bounding_box()
        haut, bas = max(box["y"], 0) + 20, min(box["y"] + box["height"], PHONE_HEIGHT) - 20
        assert bas - haut > 100, "the map is not on the screen where the swipe starts"
        cdp = context.new_cdp_session(pg)
        cx, cy = box["x"] + box["width"] / 2, bas
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": cx, "y": cy}]})
        for i in range(1, 11):  # a finger moving up by 300 px over the map
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": cx, "y": cy - 30 * i}]})
            pg.wait_for_timeout(20)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        pg.wait_for_timeout(800)
        assert pg.eval_on_selector(main, "m => m.scrollTop") > avant + 100, "a swipe over the map did not scroll the page"
        # « Explorer la carte » gives the map the touches; « Recentrer la carte » is there
        pg.get_by_text("Explorer la carte", exact=True).first.click()
        wait_ready(pg)
        box = carte.bounding_box()
        assert pg.evaluate("([x, y]) => !!document.elementFromPoint(x, y)?.closest('[data-testid=stDeckGlJsonChart]')",
                           [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert pg.get_by_role("button", name=re.compile("Recentrer la carte")).count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("texte,attendu,code", [("lense", "Lens — 62300", "62498"),
                                                 ("bethune", "CA de Béthune-Bruay", "200072460")])
def test_search_suggests_while_typing_on_the_page(server, browser, texte, attendu, code):
    context, pg = phone(browser, 390)
    try:
        pg.goto(url(server, "logement", "62119"))
        wait_ready(pg)
        champ = pg.get_by_role("searchbox", name=SEARCH_LABEL)
        assert champ.is_visible()  # on the page itself, not behind the sidebar button
        champ.press_sequentially(texte, delay=40)  # no Enter
        suggestion = pg.locator('[data-testid="stMain"] button', has_text=attendu).first
        suggestion.wait_for(state="visible", timeout=15_000)
        assert "Press Enter" not in pg.inner_text('[data-testid="stMain"]')
        suggestion.click()
        pg.wait_for_url(re.compile(rf"/logement\?.*territoire={code}"))
        wait_ready(pg)
        from playwright.sync_api import expect

        expect(champ).to_have_value("", timeout=15_000)  # the search is emptied after a choice
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1440])
def test_a_section_shows_its_first_chart_and_the_others_on_demand(server, browser, artifacts, width):
    """Démographie's first tab draws one chart; the switch under it names the two others and,
    turned on, draws them (issue 13), without horizontal overflow on a phone; the switch stays
    on for the next commune."""
    if width < 800:
        context, pg = phone(browser, width)
    else:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        pg = context.new_page()
        pg.set_default_timeout(90_000)
    graphiques = '[data-testid="stMain"] .js-plotly-plot'
    try:
        pg.goto(url(server, "demographie", "62498"))
        wait_ready(pg)
        pg.wait_for_selector(graphiques)
        assert pg.locator(graphiques).count() == 1
        interrupteur = pg.get_by_role("switch", name=re.compile("Afficher les 2 graphiques suivants"))
        assert "Taux de croissance annuel moyen" in pg.locator('[data-testid="stMain"]').inner_text()
        interrupteur.check(force=True)  # the input is drawn under its track
        pg.wait_for_function("(sel) => document.querySelectorAll(sel).length === 3", arg=graphiques)
        wait_ready(pg)
        texte = pg.locator('[data-testid="stMain"]').inner_text()
        assert "Croissance annuelle moyenne" in texte and "Lens" in texte
        assert overflow(pg)["wide"] == []
        pg.locator(graphiques).nth(1).scroll_into_view_if_needed()
        pg.screenshot(path=str(artifacts / f"demographie_suite_{width}.png"))
        # another commune through the search (the page's on a phone, the sidebar's on a wide screen)
        champ = pg.get_by_role("searchbox", name=SEARCH_LABEL if width < 800 else
                               "Rechercher une commune ou une intercommunalité")
        champ.press_sequentially("bethune", delay=40)
        pg.locator('button:visible', has_text="Béthune — 62400").first.click()
        pg.wait_for_url(re.compile(r"territoire=62119"))
        wait_ready(pg)
        pg.wait_for_function("""(sel) => { const g = [...document.querySelectorAll(sel)];
            return g.length === 3 && (g[0].data || []).some(t => t.name === 'Béthune')
                   && (g[2].data || []).some(t => (t.y || []).includes('Béthune')); }""",
                             arg=graphiques)
    finally:
        context.close()


def test_sidebar_closes_after_a_choice(server, browser):
    context, pg = phone(browser, 390)
    try:
        pg.goto(url(server, "", "62119"))
        wait_ready(pg)
        pg.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
        barre = pg.locator('[data-testid="stSidebar"]')
        pg.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getAttribute('aria-expanded') === 'true'"
                             " || document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'false'")
        champ = barre.get_by_role("searchbox", name="Rechercher une commune ou une intercommunalité")
        champ.press_sequentially("lens", delay=40)
        barre.locator("button", has_text="Lens — 62300").first.click()
        pg.wait_for_url(re.compile(r"territoire=62498"))
        wait_ready(pg)
        pg.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'true'",
                             timeout=10_000)
        # the sidebar follows the page in a run of its own (components/aiguillage.py): it may
        # still be sliding out when it says so; within a second it no longer covers the page
        try:
            pg.wait_for_function("() => { const r = document.querySelector('[data-testid=stSidebar]').getBoundingClientRect();"
                                 " return r.width === 0 || r.right <= 1; }", timeout=1_000)
        except Exception:
            pass
        box = barre.bounding_box()
        assert box is None or box["x"] + box["width"] <= 1, f"the sidebar still covers the page: {box}"
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_axe_core_finds_no_serious_violation(server, browser, path):
    context, pg = phone(browser, 390)
    try:
        pg.goto(url(server, path, "62498"))
        wait_ready(pg)
        pg.wait_for_timeout(800)
        pg.add_script_tag(path=str(AXE))
        res = pg.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                     .map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
                                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
        assert res == [], f"{path or 'accueil'}: {res}"
    finally:
        context.close()


def test_lang_title_and_one_history_entry_per_action(server, browser):
    context, pg = phone(browser, 1280)
    try:
        pg.goto(url(server, "", "62119"))
        wait_ready(pg)
        assert pg.evaluate("document.documentElement.lang") == "fr"
        assert pg.title() == "Béthune — Accueil · Chiffres clés"
        debut = pg.evaluate("history.length")
        champ = pg.get_by_role("searchbox", name="Rechercher une commune ou une intercommunalité")
        champ.press_sequentially("lens", delay=40)
        pg.locator('[data-testid="stSidebar"] button', has_text="Lens — 62300").first.click()
        pg.wait_for_url(re.compile(r"territoire=62498"))
        wait_ready(pg)
        pg.wait_for_timeout(800)
        assert pg.title() == "Lens — Accueil · Chiffres clés"
        assert pg.evaluate("history.length") == debut + 1
        pg.go_back()
        pg.wait_for_url(re.compile(r"territoire=62119"))
        assert parse_qs(urlparse(pg.url).query)["territoire"] == ["62119"]
        pg.goto(f"{server}/sources")
        wait_ready(pg)
        assert pg.title() == "Sources et définitions · Chiffres clés"
    finally:
        context.close()
