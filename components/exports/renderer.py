"""One headless Chromium per process with plotly.js loaded: charts to SVG and PNG, HTML to PDF.

Why not kaleido: kaleido renders one figure per round trip behind one process-wide lock
(0.3–0.5 s an image under load, 28 s for the ≈ 70 images of a commune's archive). Here
the figures go to pages that already hold plotly.js; each figure is drawn once by
`Plotly.toImage(…, {format: 'svg'})` (the call kaleido makes), and its PNG is that SVG
rasterised on a canvas at `scale` times its size, which is what plotly.js itself does for
a PNG, without drawing the figure a second time. `PAGES` pages work side by side (one per
core), and the same browser prints the PDF fiches (`print_pdf`), so exports start one
browser per process, not one per PDF.

Threads: Streamlit runs each session in its own thread, and Playwright's objects belong to
the thread and asyncio loop that created them. The browser therefore lives in one daemon
thread running its own loop; callers in any thread `submit` figures and get
`concurrent.futures.Future`s. Figures of every caller share one queue, so an archive and a
single PNG click interleave instead of one waiting for the end of the other. A browser that
dies (crash, killed process) is started again on the next call."""
from __future__ import annotations

import asyncio
import base64
import concurrent.futures as cf
import json
import logging
import os
import threading
from pathlib import Path

# pages rendering side by side: one per core (2 here), at most 4
PAGES = max(1, min(4, int(os.environ.get("CHIFFRES_CLEFS_RENDER_PAGES", "0")) or min(os.cpu_count() or 1, 2)))
START_TIMEOUT_S = 60
FIGURE_TIMEOUT_S = 30  # one figure in one page: ~0.1 s; a page silent this long is replaced
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# plotly.js fetches world maps for geo subplots from cdn.plot.ly; our maps draw their own
# GeoJSON and hide the base map, so empty layers are served instead (no network needed)
_EMPTY = {"type": "GeometryCollection", "geometries": []}
EMPTY_TOPOLOGY = json.dumps({"type": "Topology", "arcs": [], "bbox": [-180, -90, 180, 90],
                             "objects": {name: _EMPTY for name in ("coastlines", "land", "ocean", "lakes", "rivers",
                                                                   "countries", "subunits")}})

# `renderFigure(json)`: [figure, width, height, formats, scale] -> {svg: text, png: base64}
PAGE_JS = """
window.renderFigure = async (text) => {
  const [fig, w, h, formats, scale] = JSON.parse(text);
  const url = await Plotly.toImage(fig, {format: 'svg', width: w, height: h});
  const svg = decodeURIComponent(url.slice(url.indexOf(',') + 1));
  const out = {};
  if (formats.includes('svg')) out.svg = svg;
  if (formats.includes('png')) {
    const img = new Image();
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
    const png = canvas.toDataURL('image/png');
    out.png = png.slice(png.indexOf(',') + 1);
  }
  return out;
};
"""


_LOG = logging.getLogger(__name__)


def _set_exception(future: cf.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


def _plotly_js() -> Path:
    """The plotly.js of the installed `plotly` package (the one Streamlit draws the pages with)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


class _Browser:
    """The browser thread: its loop, its Chromium, its pages and the queue they serve."""

    def __init__(self, pages: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.pages = pages
        self.queue: asyncio.Queue | None = None
        self.browser = None
        self._pw = None
        self._ready: cf.Future = cf.Future()
        self._abandoned = False
        self.thread = threading.Thread(target=self._run, name="chiffres-clefs-renderer", daemon=True)
        self.thread.start()
        try:
            self._ready.result(timeout=START_TIMEOUT_S)  # raises what made the start fail
        except cf.TimeoutError:
            self._abandoned = True  # a start this slow is given up: its thread closes what it opened
            raise

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        if self._ready.exception() is None and not self._abandoned:
            self.loop.run_forever()
        elif self._pw is not None:
            self.loop.run_until_complete(self._close())

    async def _close(self) -> None:
        try:
            if self.browser is not None:
                await self.browser.close()
            await self._pw.stop()
        except Exception:  # noqa: BLE001 - closing what is already gone
            pass

    async def _start(self) -> None:
        try:
            from playwright.async_api import async_playwright

            from components.exports import image

            path = image.chromium_path()
            if path is None:
                raise image.ImagesIndisponibles()
            self._pw = await async_playwright().start()
            self.browser = await self._pw.chromium.launch(executable_path=str(path), args=FLAGS)
            self.queue = asyncio.Queue()
            self.browser.on("disconnected", lambda _browser: self._fail_waiting())
            for _ in range(self.pages):
                page = await self._new_plotly_page()
                asyncio.ensure_future(self._serve(page))
            self._ready.set_result(True)
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits
            self._ready.set_exception(exc)

    def _fail_waiting(self) -> None:
        """The browser is gone: the figures still queued get an error instead of a wait."""
        while not self.queue.empty():
            _text, future, _essai = self.queue.get_nowait()
            if future.running() or future.set_running_or_notify_cancel():
                _set_exception(future, RuntimeError("le navigateur de rendu s'est arrêté"))

    async def _new_page(self):
        context = await self.browser.new_context()
        page = await context.new_page()

        async def offline(route) -> None:
            if route.request.url.startswith("https://cdn.plot.ly/") and route.request.url.endswith(".json"):
                await route.fulfill(status=200, content_type="application/json", body=EMPTY_TOPOLOGY)
            else:
                await route.abort()  # nothing else leaves the machine

        await page.route("**/*", offline)
        return page

    async def _new_plotly_page(self):
        page = await self._new_page()
        await page.set_content("<!doctype html><html><body></body></html>")
        await page.add_script_tag(path=str(_plotly_js()))
        await page.add_script_tag(content=PAGE_JS)
        return page

    async def _serve(self, page) -> None:
        """One page's loop: take the next figure of the queue, render it, answer its future.

        The loop outlives any page: a page that stops answering is closed and another one
        is opened for the next figure. A figure is tried on two pages at most, then gets the
        error; a page that cannot be opened is tried again for the next figure. (A loop that
        ended left the figures of its queue waiting for ever: the « Image PNG » button then
        hung until its download timed out.)"""
        while True:
            text, future, essai = await self.queue.get()
            if not (future.running() or future.set_running_or_notify_cancel()):  # running: tried again
                continue
            try:
                if page is None or page.is_closed():
                    page = await asyncio.wait_for(self._new_plotly_page(), START_TIMEOUT_S)
                # a page that stops answering is replaced, and its figure tried again once
                out = await asyncio.wait_for(page.evaluate("t => window.renderFigure(t)", text), FIGURE_TIMEOUT_S)
                future.set_result({fmt: base64.b64decode(v) if fmt == "png" else v.encode("utf-8")
                                   for fmt, v in out.items()})
            except asyncio.CancelledError:  # the loop is stopping: the caller is told, not left waiting
                _set_exception(future, RuntimeError("le navigateur de rendu s'est arrêté"))
                raise
            except Exception as exc:  # noqa: BLE001 - handed to the caller
                if not self.browser.is_connected():
                    _set_exception(future, exc)
                    self._fail_waiting()
                    return  # the next call starts another browser (`alive()` is false)
                _LOG.warning("figure rendering failed (attempt %d): %r", essai + 1, exc)
                if page is None or isinstance(exc, asyncio.TimeoutError) or page.is_closed():
                    # no page could be opened, or this one stopped answering: another page next
                    if page is not None:
                        await self._discard(page)
                    page = None
                    if essai == 0:  # once: a figure that hangs every page is an error
                        self.queue.put_nowait((text, future, 1))  # still running: the next page answers it
                        continue
                _set_exception(future, exc)

    @staticmethod
    async def _discard(page) -> None:
        """Close a page that stopped answering, without waiting on it for ever."""
        try:
            await asyncio.wait_for(page.context.close(), 10)
        except Exception:  # noqa: BLE001 - already gone, or stuck: its browser closes it at exit
            pass

    async def _print(self, html: str, timeout_s: float) -> bytes:
        page = await self._new_page()
        try:
            await page.set_content(html, wait_until="load", timeout=timeout_s * 1000)
            return await page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            await page.context.close()

    def alive(self) -> bool:
        return self.thread.is_alive() and self.browser is not None and self.browser.is_connected()

    def submit(self, text: str) -> cf.Future:
        future: cf.Future = cf.Future()
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (text, future, 0))
        return future

    def print_pdf(self, html: str, timeout_s: float) -> bytes:
        return asyncio.run_coroutine_threadsafe(self._print(html, timeout_s), self.loop).result(timeout_s)


_lock = threading.Lock()
_browser: _Browser | None = None


def _get() -> _Browser:
    global _browser
    from components.exports import image

    with _lock:
        if _browser is None or not _browser.alive():
            if image.chromium_path() is None:
                raise image.ImagesIndisponibles()
            _browser = _Browser(PAGES)
        return _browser


_warming = False


def warm() -> None:
    """Start the browser in the background, once per process: the first PDF or image a
    visitor asks for then does not wait for Chromium and plotly.js to load (4–8 s)."""
    global _warming
    if _warming or started():
        return
    _warming = True

    def start() -> None:
        try:
            _get()
        except Exception:  # the export that needs it will say why
            import logging

            logging.getLogger(__name__).warning("renderer warm-up failed", exc_info=True)

    threading.Thread(target=start, name="chiffres-clefs-renderer-warm", daemon=True).start()


def figure_json(fig) -> str:
    """A figure (plotly figure or plain {"data", "layout"} dict) as JSON, without validation."""
    import plotly.io as pio

    return pio.to_json(fig, validate=False)


def submit(fig, width: int, height: int, formats=("svg",), scale: float = 1) -> cf.Future:
    """Render `fig` in the background; the future gives {format: bytes} ("svg", "png")."""
    bad = set(formats) - {"svg", "png"}
    if bad:
        raise ValueError(f"formats inconnus : {sorted(bad)}")
    text = f"[{figure_json(fig)},{int(width)},{int(height)},{json.dumps(list(formats))},{float(scale)}]"
    return _get().submit(text)


def render(fig, width: int, height: int, formats=("svg",), scale: float = 1, timeout_s: float = 120) -> dict:
    """{format: bytes} of one figure (blocking)."""
    return submit(fig, width, height, formats, scale).result(timeout_s)


def print_pdf(html: str, timeout_s: float = 60) -> bytes:
    """An HTML page printed to PDF by the same browser (paper size and margins from its @page rule)."""
    return _get().print_pdf(html, timeout_s)


def started() -> bool:
    """Whether this process already has its browser (the first image costs its start)."""
    return _browser is not None and _browser.alive()
