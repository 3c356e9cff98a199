"""The HTML page Streamlit sends to every new tab, adapted to this app by the launcher
(deploy/streamlit_run.py) before the server starts.

Streamlit's index.html says `lang="en"` and « Streamlit » until the first script run has
reached the browser, and its JavaScript does not know where the app's root is. Opened on a
page's address (`/demographie?territoire=62119`, every shared link but the home page's), it
first asks `/demographie/_stcore/health` and `/demographie/_stcore/host-config`, gets two
404s, waits and tries again at `/`: 130–200 ms of every cold visit of a page lost before
the websocket opens (issue 13). The adapted page:

- says `lang="fr"` and « Chiffres clés » from its first byte;
- tells Streamlit the app's root (`window.__streamlit.BACKEND_BASE_URL`, Streamlit's own
  setting for hosts that embed it) when the address ends with one of the app's page paths,
  so that the first health check is the right one; any other address keeps Streamlit's search;
- says in French that the app needs JavaScript.

Streamlit's files are served from a folder of links to its own (nothing of Streamlit's is
modified); only index.html is written. If Streamlit's page no longer has what is replaced,
`adapt` raises and the launcher serves Streamlit's page unchanged (the app then works as
before, slower on a page's address): tests/test_index_page.py fails on such an upgrade."""
from __future__ import annotations

import atexit
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

TITLE = "Chiffres clés"
NOSCRIPT = ("<noscript><p>Chiffres clés a besoin de JavaScript : activez-le dans votre navigateur pour "
            "consulter les chiffres de votre territoire.</p></noscript>")

# The app's root from the address (`loc`: window.location), when it ends with one of the
# app's page paths; null otherwise (Streamlit then searches as it always does).
BASE_FN = """function (pages, loc) {
  var parts = loc.pathname.replace(/\\/+$/, "").split("/");
  if (parts.length < 2 || pages.indexOf(parts[parts.length - 1]) < 0) return null;
  parts.pop();
  var base = loc.origin + parts.join("/") + "/";
  window.__streamlit = Object.assign({}, window.__streamlit, {BACKEND_BASE_URL: base});
  return base;
}"""


class UnexpectedIndex(ValueError):
    """Streamlit's index.html no longer has what `adapt` replaces."""


def _once(pattern: str, repl: str, html: str, flags: int = 0) -> str:
    out, n = re.subn(pattern, lambda _m: repl, html, count=1, flags=flags)
    if n != 1:
        raise UnexpectedIndex(f"index.html de Streamlit : motif introuvable {pattern!r}")
    return out


def adapt(html: str, page_paths: list[str]) -> str:
    """Streamlit's index.html, in French and told where the app's root is (see the module)."""
    html = _once(r'<html lang="en">', '<html lang="fr">', html)
    html = _once(r"<title>[^<]*</title>", f"<title>{TITLE}</title>", html)
    pages = json.dumps(sorted(p for p in page_paths if p)).replace("</", "<\\/")  # inside a <script>
    base = f"<script>({BASE_FN})({pages}, window.location);</script>\n    "
    # before Streamlit's module script, which reads window.__streamlit when it is evaluated
    html = _once(r'(?=<script type="module")', base, html)
    return _once(r"<noscript>.*?</noscript>", NOSCRIPT, html, flags=re.S)


def overlay(static_dir: Path, page_paths: list[str], parent: str | None = None) -> Path:
    """A folder that serves Streamlit's static files (links to each entry of `static_dir`)
    with the adapted index.html; removed when the process exits."""
    html = adapt((static_dir / "index.html").read_text(encoding="utf-8"), page_paths)
    out = Path(tempfile.mkdtemp(prefix="chiffres-clefs-static-", dir=parent))
    atexit.register(shutil.rmtree, out, True)
    for entry in static_dir.iterdir():
        if entry.name != "index.html":
            (out / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (out / "index.html").write_text(html, encoding="utf-8")
    return out


def install(page_paths: list[str]) -> Path | None:
    """Point Streamlit's static file server at the overlay (before the server starts). On any
    failure Streamlit's own page is served, with a warning: the app works, as before."""
    from streamlit import file_util

    try:
        folder = overlay(Path(file_util.get_static_dir()), page_paths)
    except (OSError, UnexpectedIndex) as exc:
        print(f"Chiffres clés : index.html de Streamlit servi tel quel ({exc})", file=sys.stderr)
        return None
    file_util.get_static_dir = lambda: str(folder)
    return folder
