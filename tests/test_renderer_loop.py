"""The renderer's page loop (components/exports/renderer.py) on fake pages, without Chromium:
a page that hangs is replaced, a page that cannot be opened does not end the loop, and no
figure is left waiting for ever."""
from __future__ import annotations

from components.exports import renderer


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
