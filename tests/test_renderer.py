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
