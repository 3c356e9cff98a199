"""A Streamlit session driven over the websocket, as the browser's JavaScript drives it.

The browser sends `BackMsg.rerun_script` (page, query string, widget values) and draws
the `ForwardMsg` deltas that come back until `script_finished`. This client does the same
without drawing: the server does exactly the work it does for a real visitor (a session,
a script run, widget state, caches), and the client costs almost no CPU, so 30-60
sessions fit on a 2-core machine next to the server."""
from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from components import premier_ecran

# elements that are "the content" a visitor waits for (charts, maps, tables, key figures)
CHARTS = {"plotly_chart", "deck_gl_json_chart", "arrow_data_frame", "metric"}
SUCCESS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class ActionTimeout(Exception):
    """The script run did not finish within the action timeout."""


class HttpError(Exception):
    """An HTTP request of the page load failed (status >= 400 or connection refused)."""


@dataclass
class RunResult:
    """What one script run sent back, and when."""
    complete_s: float
    first_chart_s: float | None
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error boxes
    not_found: list[str] = field(default_factory=list)  # "Page not found" dialogs
    titles: list[str] = field(default_factory=list)
    asks_follow_up: bool = False  # the session's first run: the browser asks for the next one
    follow_up: RunResult | None = None  # that run (`Session.open`)


@dataclass
class Widget:
    id: str
    label: str
    options: list[str]
    value: str | None  # the option shown as selected


class Session:
    """One visitor: an HTTP page load (cookies kept, as nginx's sticky cookie needs) and a websocket."""

    def __init__(self, base_url: str, timeout_s: float = 60.0):
        self.base = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.query = ""  # the query string of the address bar, as the app last set it
        self.widgets: dict[str, Widget] = {}  # label -> widget of the last run

    # --- HTTP: what the browser fetches before opening the websocket -------------------
    def _get(self, path: str) -> int:
        req = urllib.request.Request(self.base + path)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                r.read()
                for header in r.headers.get_all("Set-Cookie") or []:
                    name, _, rest = header.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                return r.status
        except urllib.error.HTTPError as e:
            raise HttpError(f"HTTP {e.code} {path}") from None
        except OSError as e:
            raise HttpError(f"HTTP {path}: {e}") from None

    async def open(self, path: str, query: str) -> RunResult:
        """Load the page by URL (`/<path>?<query>`), open the websocket, run the page.

        A session's first run sends the page alone and a script that asks for the next run once
        the page is drawn (components/premier_ecran.py); the client asks for it at once, as the
        browser does, and returns the first run (what the visitor waits for) with that one as
        its `follow_up` (its CPU is the server's, not an action of the visitor)."""
        for p in (f"/{path}?{query}" if query else f"/{path}", "/_stcore/health", "/_stcore/host-config"):
            await asyncio.to_thread(self._get, p)
        ws_url = "ws" + self.base[len("http"):] + "/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self.ws = await asyncio.wait_for(
            connect(ws_url, subprotocols=["streamlit"], origin=self.base, additional_headers=headers,
                    max_size=None, open_timeout=self.timeout_s, compression=None),
            self.timeout_s)
        res = await self._rerun(query_string=query, page_name=path)
        if res.asks_follow_up:
            res.follow_up = await self._rerun(query_string=self.query, page_script_hash=self.page_hash, page_name=path)
        return res

    async def navigate(self, path: str) -> RunResult:
        """A click in the navigation menu (the menu drops the query string)."""
        return await self._rerun(query_string="", page_script_hash=self.pages.get(path, ""), page_name=path)

    async def select(self, label: str, option: str) -> RunResult:
        """Choose `option` in the selectbox labelled `label` (as the browser sends it)."""
        w = self.widgets[label]
        msg = BackMsg()
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = w.id
        state.string_value = option
        return await self._send(msg, query_string=self.query, page_script_hash=self.page_hash)

    async def _rerun(self, **client_state) -> RunResult:
        return await self._send(BackMsg(), **client_state)

    async def _send(self, msg: BackMsg, query_string: str | None = None, page_script_hash: str = "",
                    page_name: str = "") -> RunResult:
        rs = msg.rerun_script
        if query_string is not None:
            rs.query_string = self.query = query_string
        rs.page_script_hash = page_script_hash
        rs.page_name = page_name
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            return await asyncio.wait_for(self._until_finished(t0), self.timeout_s)
        except TimeoutError:
            raise ActionTimeout(f"no script_finished after {self.timeout_s:.0f} s") from None

    async def _until_finished(self, t0: float) -> RunResult:
        res = RunResult(0.0, None)
        widgets: dict[str, Widget] = {}
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await self.ws.recv())
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "bidi_component" and premier_ecran.CLE in el.bidi_component.id:
                    res.asks_follow_up = True
                if etype in CHARTS and res.first_chart_s is None:
                    res.first_chart_s = time.perf_counter() - t0
                if etype == "exception":
                    res.exceptions.append(f"{el.exception.type}: {el.exception.message[:200]}")
                elif etype == "alert" and el.alert.format == el.alert.ERROR:
                    res.errors.append(el.alert.body[:200])
                elif etype == "heading" and el.heading.tag == "h1":
                    res.titles.append(el.heading.body)
                elif etype == "selectbox":
                    sb = el.selectbox
                    value = sb.raw_value if sb.set_value else (sb.options[sb.default] if 0 <= sb.default < len(sb.options) else None)
                    widgets[sb.label] = Widget(sb.id, sb.label, list(sb.options), value)
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "page_not_found":
                res.not_found.append(f"dialogue « Page not found » (page_name={fm.page_not_found.page_name!r})")
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / st.switch_page: the next run follows on its own
                res.complete_s = time.perf_counter() - t0
                if status not in SUCCESS:
                    res.exceptions.append(f"script finished with status {status}")
                self.widgets = widgets
                return res

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except (TimeoutError, OSError):
                pass
            self.ws = None


def local_only(url: str) -> str:
    """The base URL, if it is on this machine (the load test never leaves 127.0.0.1)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"l'essai de charge ne vise que cette machine (http://127.0.0.1:PORT), pas {url!r}")
    return f"{parts.scheme}://{parts.netloc}"
