"""What only a browser shows: pages drawn, map and charts with a size, navigation by
search, ranking click and shared link. Screenshots go to tests/artifacts/ (look at them)."""
from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlparse

import pytest

from browser_helpers import drawn, main_text, wait_ready
from components import navigation

SELECTEURS = {"deck": "canvas", "dataframe": '[data-testid="stDataFrame"]', "plotly": ".js-plotly-plot",
              "table": ".cc-table table"}
PAGES = {  # url path -> what must be drawn in the main area (every page of components/navigation.py)
    ("" if p.defaut else p.url): SELECTEURS[p.premier_element] + (", .st-key-theme_vide" if p.theme else "")
    for p in navigation.PAGES
}
PAGES["commune"] = SELECTEURS["dataframe"]  # its table of every indicator (no chart before a commune is chosen)
TERRITOIRES = {"defaut": None, "bethune": "62119"}


def url_of(server, path, territoire=None, **params):
    q = {"territoire": territoire, **params}
    query = "&".join(f"{k}={v}" for k, v in q.items() if v)
    return f"{server}/{path}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("territoire", list(TERRITOIRES))
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_is_drawn(server, page, artifacts, path, territoire):
    page.goto(url_of(server, path, TERRITOIRES[territoire]))
    wait_ready(page)
    selector = PAGES[path]
    if path == "commune" and territoire == "defaut":
        selector = '[data-testid="stSelectbox"]'  # asks for a commune
    assert drawn(page, f'[data-testid="stMain"] {selector}') > 0
    assert page.locator('[data-testid="stException"]').count() == 0
    texte = main_text(page)
    assert "Traceback" not in texte and len(texte) > 100
    page.screenshot(path=str(artifacts / f"page_{path or 'accueil'}_{territoire}.png"))
    if path == "":  # the map is below the cards: scroll Streamlit's own container to it
        page.locator('[data-testid="stMain"] canvas').first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"page_accueil_{territoire}_carte.png"))


def test_search_without_accents_leads_to_the_commune(server, page):
    """A suggestion selects the territory and keeps the page (here the Commune page): one run
    of the page (components/aiguillage.py takes the click), then the sidebar's picker and
    search follow (the picker shows the commune, the search is emptied)."""
    from playwright.sync_api import expect
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    page.goto(f"{server}/commune")
    wait_ready(page)
    messages: list[dict] = []
    champ = page.get_by_role("searchbox", name="Rechercher une commune ou une intercommunalité")
    champ.press_sequentially("bethune", delay=40)  # suggestions while typing, no Enter
    suggestion = page.locator('[data-testid="stSidebar"]').get_by_role("button", name=re.compile(r"^Béthune"))
    suggestion.wait_for()
    wait_ready(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameReceived", lambda e: messages.append(e["response"]))
    suggestion.click()
    page.wait_for_url(re.compile(r"/commune\?.*territoire=62119"))
    page.wait_for_selector("h1:has-text('Commune : Béthune')")
    wait_ready(page)
    expect(page.get_by_role("combobox", name="Territoire")).to_have_value("Béthune (62119)")
    expect(champ).to_have_value("")
    # the page came in one run: a single run started before its title, and none cut short
    kinds = []
    for r in messages:
        fm = ForwardMsg()
        fm.ParseFromString(base64.b64decode(r["payloadData"]))
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.new_element.WhichOneof("type") == "heading" and fm.delta.new_element.heading.tag == "h1":
            break
        kinds.append(fm.script_finished if kind == "script_finished" else kind)
    assert kinds.count("new_session") == 1 and ForwardMsg.FINISHED_EARLY_FOR_RERUN not in kinds, kinds


def test_postal_code_search(server, page):
    page.goto(server)
    wait_ready(page)
    champ = page.get_by_role("searchbox", name="Rechercher une commune ou une intercommunalité")
    champ.fill("62400")
    champ.press("Enter")
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("Béthune")')


def test_ranking_row_click_opens_the_commune(server, page):
    page.goto(url_of(server, "comparer", indicateur="population", tri="decroissant"))
    wait_ready(page)
    grille = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').last
    grille.scroll_into_view_if_needed()
    box = grille.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)  # row selector of the first row (rank 1)
    page.wait_for_url(re.compile(r"/commune\?.*territoire=\d"))
    page.wait_for_selector("h1:has-text('Commune : ')")


def test_shared_url_reproduces_the_view_and_choices_update_it(server, page, artifacts):
    page.goto(url_of(server, "", "62119", indicateur="densite"))
    wait_ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    choisi = sidebar.locator('[data-testid="stSelectbox"]').first
    assert "Béthune (62119)" in choisi.text_content() + " ".join(choisi.locator("input").evaluate_all("els => els.map(e => e.value)"))
    assert "Densité de population" in page.locator('[data-testid="stMain"]').inner_text()
    query = parse_qs(urlparse(page.url).query)
    assert query["territoire"] == ["62119"] and query["indicateur"] == ["densite"]
    page.screenshot(path=str(artifacts / "lien_partage_bethune_densite.png"))
    choix = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    choix.click()
    page.keyboard.type("Taux de vacance")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"indicateur=part_logements_vacants"))
    assert parse_qs(urlparse(page.url).query)["territoire"] == ["62119"]


def commune_under_pointer(page, box) -> tuple[float, float]:
    """A point of the map over a commune: the deck shows its tooltip there."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for r in range(0, 200, 25):
        for dx, dy in ((r, 0), (-r, 0), (0, r), (0, -r), (r, r), (-r, -r)):
            page.mouse.move(cx + dx, cy + dy)
            try:
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.deck-tooltip')].some(t => getComputedStyle(t).display !== 'none' && t.innerText.trim())",
                    timeout=1500,
                )
                return cx + dx, cy + dy
            except PlaywrightTimeout:
                continue
    pytest.fail("no commune found under the pointer on the map")


def test_map_click_opens_the_commune(server, page):
    """A click on a commune of the Accueil map opens its page: one history entry, Back returns."""
    page.goto(server)
    wait_ready(page)
    carte = page.locator('[data-testid="stMain"] canvas').first
    carte.scroll_into_view_if_needed()
    box = carte.bounding_box()
    x, y = commune_under_pointer(page, box)
    debut = page.evaluate("history.length")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/commune\?.*territoire=\d"))
    page.wait_for_selector("h1:has-text('Commune : ')")
    page.wait_for_timeout(800)
    assert page.evaluate("history.length") == debut + 1
    page.go_back()
    page.wait_for_url(re.compile(r"/\?territoire=AULA$"))
    page.wait_for_selector("h1:has-text('Chiffres clés')")


def test_hostile_url_gives_a_french_message_and_a_working_page(server, page):
    page.goto(f"{server}/?territoire=%3Cscript%3Ealert(1)%3C%2Fscript%3E&territoire=1%27%20OR%201%3D1")
    wait_ready(page)
    texte = main_text(page)
    assert "n'est pas reconnu" in texte
    assert drawn(page, '[data-testid="stMain"] canvas') > 0
    assert parse_qs(urlparse(page.url).query)["territoire"] == ["AULA"]


@pytest.mark.parametrize("path", ["", "commune", "comparer"])
def test_phone_width_has_no_horizontal_overflow(server, browser, artifacts, path):
    context = browser.new_context(viewport={"width": 390, "height": 2400}, locale="fr-FR", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(url_of(server, path, "62119"))
        wait_ready(page)
        debordement = page.eval_on_selector('[data-testid="stMain"]', "m => m.scrollWidth - m.clientWidth")
        page.screenshot(path=str(artifacts / f"telephone_{path or 'accueil'}_bethune.png"))
        assert debordement <= 1
    finally:
        context.close()


def test_a_shared_link_is_the_first_visit_of_a_fresh_server(fresh_server, page):
    """Streamlit's legacy pages/ routing must not bypass app.py (sidebar, picker, layout)."""
    page.goto(f"{fresh_server}/commune?territoire=62119")
    wait_ready(page)
    page.wait_for_selector("h1:has-text('Commune : Béthune')")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Rechercher une commune" in sidebar and "Sources et définitions" in sidebar
    assert page.get_by_text("Page not found").count() == 0


def test_a_theme_page_link_is_the_first_visit_of_a_fresh_server(fresh_server, page):
    """A theme page has no file in pages/: a fresh server's first visitor used to get Streamlit's
    English « Page not found » dialog before app.py took over (deploy/streamlit_run.py)."""
    page.goto(f"{fresh_server}/logement?territoire=62498")
    wait_ready(page)
    page.wait_for_selector("h1:has-text('Logement')")
    page.wait_for_timeout(500)
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0
    assert "Lens" in page.locator('[data-testid="stMain"]').inner_text()


def test_widget_texts_of_streamlit_are_in_french(server, page):
    """Streamlit's select boxes say « No results » and label their buttons « Clear all »:
    shown in French (components/conventions.py)."""
    page.goto(url_of(server, "comparer", "62119"))
    wait_ready(page)
    page.wait_for_selector("h1:has-text('Comparer')")
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stMultiSelect"] [aria-label="Tout effacer"]')
    assert page.locator('[aria-label="Clear all"]').count() == 0
    assert page.locator('[data-testid="stMain"] [aria-label="Tout effacer"]').count() >= 1
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    sidebar.click()
    page.keyboard.type("zzzz")  # no territory of the picker matches: its list says so
    page.wait_for_selector("text=Aucun résultat")
    assert page.get_by_text("No results").count() == 0


def test_an_address_that_is_no_page_says_so_in_french(server, page):
    """/accueil is no page (the home page is /): Streamlit's « Page not found » dialog, in French."""
    page.goto(f"{server}/accueil?territoire=62119")
    dialogue = page.get_by_role("dialog")
    dialogue.get_by_text("Page introuvable").wait_for(timeout=30_000)
    assert "voici la page d'accueil" in dialogue.inner_text()
    assert "Page not found" not in dialogue.inner_text() and "does not seem" not in dialogue.inner_text()


def test_no_parent_frame_may_control_the_app(server):
    """Streamlit lets the sites of its allow-list (Streamlit Community Cloud's by default) stop
    or rerun the app through postMessage when it is embedded: this app runs elsewhere, the list
    is empty (.streamlit/config.toml), and the page no longer tests each message it posts
    against that list (issue 13)."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{server}/_stcore/host-config", timeout=30) as r:
        config = json.loads(r.read())
    assert config["allowedOrigins"] == []


def test_a_page_address_connects_at_once_and_in_french(server, page):
    """Streamlit's page, opened on a page's address, first asked /demographie/_stcore/health and
    …/host-config (two 404s), then waited before asking at the root: 130–200 ms of every cold
    visit of a page (issue 13). The launcher's page (deploy/index_page.py) tells Streamlit the
    app's root, and is French from its first byte. Navigation still leads to /logement."""
    html = page.request.get(url_of(server, "demographie", "62119")).text()
    assert '<html lang="fr">' in html and "<title>Chiffres clés</title>" in html
    sondes = []
    page.on("request", lambda r: sondes.append(r.url) if "/demographie/_stcore/" in r.url else None)
    page.goto(url_of(server, "demographie", "62119"))
    wait_ready(page)
    page.wait_for_selector("h1:has-text('Démographie')")
    assert drawn(page, '[data-testid="stMain"] .js-plotly-plot') >= 1
    assert sondes == []
    assert page.evaluate("window.__streamlit.BACKEND_BASE_URL") == f"{server}/"
    page.locator('[data-testid="stSidebarNav"] a', has_text="Logement").click()
    page.wait_for_selector("h1:has-text('Logement')")
    assert urlparse(page.url).path == "/logement" and "Béthune" in main_text(page)
    page.goto(url_of(server, "", "62119"))  # the home page: Streamlit finds the root itself
    wait_ready(page)
    assert page.evaluate("window.__streamlit === undefined")


def test_the_app_root_is_read_from_a_page_address(page):
    from deploy import index_page

    page.goto("about:blank")
    page.evaluate("window.__streamlit = {LIGHT_THEME: 'x'}")
    cas = {"/demographie": "http://h/", "/demographie/": "http://h/", "/cc/logement": "http://h/cc/",
           "/": None, "/accueil": None, "/cc/": None, "/demographie/x": None}
    fn = f"(loc) => ({index_page.BASE_FN})(['demographie', 'logement'], loc)"
    for chemin, attendu in cas.items():
        assert page.evaluate(fn, {"pathname": chemin, "origin": "http://h"}) == attendu, chemin
    assert page.evaluate("window.__streamlit") == {"LIGHT_THEME": "x", "BACKEND_BASE_URL": "http://h/cc/"}


@pytest.mark.parametrize("largeur", [1440, 390])
def test_the_tools_follow_the_first_screen(server, browser, largeur):
    """A session's first run sends the page alone (components/premier_ecran.py); the browser
    asks for the next run once the first chart is drawn, and it brings the sidebar's picker,
    search and downloads, and on a phone the search at the top of the page, whose place was
    kept: the title does not move from where it was when the chart was drawn."""
    from components import premier_ecran
    from streamlit.proto.BackMsg_pb2 import BackMsg

    ctx = browser.new_context(viewport={"width": largeur, "height": 900}, locale="fr-FR")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    envoyes = []

    def on_ws(ws):
        ws.on("framesent", lambda p: envoyes.append(p))

    page.on("websocket", on_ws)
    # when the first chart is drawn: the title's position, and whether a search field existed
    page.add_init_script("""new MutationObserver((_, obs) => {
      const h = document.querySelector('[data-testid="stMain"] h1');
      if (!h || !document.querySelector('[data-testid="stMain"] .js-plotly-plot .main-svg')) return;
      window.__ccTitre = h.getBoundingClientRect().top;
      window.__ccRechercheAvant = !!document.querySelector('input[type="search"]'); obs.disconnect(); })
      .observe(document, {childList: true, subtree: true});""")
    try:
        page.goto(url_of(server, "demographie", "62119"))
        nom = "Rechercher une commune ou une intercommunalité" if largeur > 767 else "Trouver une commune ou une intercommunalité"
        page.get_by_role("searchbox", name=nom).wait_for()
        wait_ready(page)
        assert drawn(page, '[data-testid="stMain"] .js-plotly-plot') >= 1
        assert page.evaluate("window.__ccRechercheAvant") is False  # the page came first
        assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 1
        if largeur > 767:
            assert page.locator('[data-testid="stSidebar"] [class*="st-key-dlt_"]').count() >= 1
        else:  # the phone's search took the place kept for it
            assert page.evaluate("document.querySelector('[data-testid=\"stMain\"] h1').getBoundingClientRect().top") \
                == pytest.approx(page.evaluate("window.__ccTitre"), abs=1)
        reruns = [m for m in (BackMsg.FromString(p) for p in envoyes if isinstance(p, bytes))
                  if m.WhichOneof("type") == "rerun_script"]
        assert len(reruns) == 2  # the page, then the one run the browser asked for
        suite = reruns[1].rerun_script.widget_states.widgets
        assert any(premier_ecran.CLE in w.id and w.HasField("json_trigger_value") for w in suite)
        assert "Béthune" in main_text(page)
    finally:
        ctx.close()
