"""The process's warm browser (components/exports/renderer.py): figures from many threads at
once come back to the right caller, the PNG is the SVG at twice its size, nothing is
fetched from the network, and a browser that died is started again."""
from __future__ import annotations

import io
import threading

import pytest

from components.exports import image, renderer

pytestmark = pytest.mark.skipif(not image.images_disponibles(), reason="chromium absent: renderer untestable")


def _fig(title: str, geo: bool = False) -> dict:
    trace = ({"type": "choropleth", "locations": ["FRA"], "z": [1]} if geo
             else {"type": "bar", "x": ["a", "b"], "y": [1, 2]})
    return {"data": [trace], "layout": {"title": {"text": title}}}


def test_many_threads_each_get_their_own_figure():
    results: dict[int, bytes] = {}

    def work(i: int) -> None:
        results[i] = renderer.render(_fig(f"Figure numéro {i}"), 400, 300)["svg"]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == list(range(8))
    for i, svg in results.items():
        text = svg.decode("utf-8")
        assert f"Figure numéro {i}<" in text
        assert not any(f"Figure numéro {j}<" in text for j in range(8) if j != i)


def test_png_is_the_svg_drawing_at_scale():
    from PIL import Image

    out = renderer.render(_fig("Échelle"), 500, 300, ("png", "svg"), scale=2)
    assert set(out) == {"png", "svg"}
    assert Image.open(io.BytesIO(out["png"])).size == (1000, 600)
    assert b'width="500"' in out["svg"] and b'height="300"' in out["svg"]
    # the PNG is not blank: the bars and the title put dark pixels on the white paper
    pixels = Image.open(io.BytesIO(out["png"])).convert("L")
    assert pixels.getextrema()[0] < 100


def test_geo_figures_need_no_network():
    """plotly.js asks cdn.plot.ly for world maps: answered locally with empty layers."""
    svg = renderer.render(_fig("Carte", geo=True), 400, 300)["svg"]
    assert b"Carte" in svg


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="formats inconnus"):
        renderer.submit(_fig("x"), 100, 100, ("gif",))


def test_a_dead_browser_is_started_again():
    renderer.render(_fig("avant"), 200, 100)
    browser = renderer._browser
    assert browser is not None and browser.alive()
    import asyncio

    asyncio.run_coroutine_threadsafe(browser.browser.close(), browser.loop).result(30)
    assert not browser.alive()
    svg = renderer.render(_fig("après"), 200, 100)["svg"]
    assert "après".encode() in svg
    assert renderer._browser is not browser and renderer._browser.alive()


def test_print_pdf_uses_the_page_size():
    pdf = renderer.print_pdf("<html><head><style>@page { size: A4; margin: 10mm }</style></head>"
                             "<body><p>Bonjour</p></body></html>")
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594" in pdf


class _FakePage:
    """A renderer page whose `evaluate` hangs for the figures named in `hangs`."""

    def __init__(self, hangs=()):
        self.hangs, self.closed = set(hangs), False
        self.context = self

    async def evaluate(self, _js, text):
        import asyncio

        if text in self.hangs:
            await asyncio.sleep(3600)
        return {"svg": f"<svg>{text}</svg>"}

    def is_closed(self):
        return self.closed

    async def close(self):
        self.closed = True


def _fake_browser(pages_to_open):
    """A `_Browser` without Chromium: its page loop runs on fake pages; opening a page takes
    the next item of `pages_to_open` (an exception item is raised)."""
    import asyncio

    b = renderer._Browser.__new__(renderer._Browser)
    b.queue = asyncio.Queue()
    b.browser = type("Connected", (), {"is_connected": staticmethod(lambda: True)})()
    opened = iter(pages_to_open)

    async def new_page():
        item = next(opened)
        if isinstance(item, Exception):
            raise item
        return item

    b._new_plotly_page = new_page
    return b


def _serve_all(b, first_page, texts):
    """Run `b`'s page loop on `first_page` until every figure of `texts` has its answer."""
    import asyncio
    import concurrent.futures as cf

    async def scenario():
        futures = [cf.Future() for _ in texts]
        for text, future in zip(texts, futures):
            b.queue.put_nowait((text, future, 0))
        loop_task = asyncio.ensure_future(b._serve(first_page))
        while not all(f.done() for f in futures):
            assert not loop_task.done(), "the page loop ended"
            await asyncio.sleep(0.01)
        loop_task.cancel()
        return futures

    return asyncio.run(asyncio.wait_for(scenario(), 10))


def test_a_page_loop_survives_pages_it_cannot_open(monkeypatch):
    """A figure hangs its page; opening the next page fails twice: every figure is still
    rendered once a page opens (the loop used to end on the first failed opening, and every
    later figure, PNG buttons included, waited for ever)."""
    monkeypatch.setattr(renderer, "FIGURE_TIMEOUT_S", 0.2)
    first = _FakePage(hangs={"bloque"})
    b = _fake_browser([RuntimeError("page impossible à ouvrir"), RuntimeError("toujours pas"), _FakePage()])
    futures = _serve_all(b, first, ["bloque", "deux", "trois"])
    assert first.closed  # the page that hung was closed
    assert [f.result() for f in futures] == [{"svg": f"<svg>{t}</svg>".encode()} for t in ("bloque", "deux", "trois")]


def test_figures_get_an_error_when_no_page_opens(monkeypatch):
    monkeypatch.setattr(renderer, "FIGURE_TIMEOUT_S", 0.2)
    b = _fake_browser([RuntimeError(f"échec {i}") for i in range(10)])
    futures = _serve_all(b, _FakePage(hangs={"bloque"}), ["bloque", "deux"])
    assert all(isinstance(f.exception(), RuntimeError) for f in futures)  # told, not left waiting


def test_a_figure_that_hangs_every_page_is_an_error(monkeypatch):
    import asyncio

    monkeypatch.setattr(renderer, "FIGURE_TIMEOUT_S", 0.2)
    b = _fake_browser([_FakePage(hangs={"bloque"}), _FakePage()])
    bloque, apres = _serve_all(b, _FakePage(hangs={"bloque"}), ["bloque", "apres"])
    assert isinstance(bloque.exception(), (asyncio.TimeoutError, TimeoutError))  # tried on two pages, then an error
    assert apres.result() == {"svg": b"<svg>apres</svg>"}
