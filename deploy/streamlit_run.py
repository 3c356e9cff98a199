"""`streamlit run`, with Streamlit's old `pages/` mode switched off from the first visitor on.

    python deploy/streamlit_run.py app.py --server.port 8501 …   (the arguments of `streamlit run`)

A `pages/` folder sits next to app.py (the fixed pages), so a fresh Streamlit process starts in
its old multipage mode until some session has run `st.navigation`: the first visitor who opens
a theme page (`/logement`, which has no file in `pages/`) got an English « Page not found »
dialog before app.py took over. Every launcher of the app (make run, deploy/serve.sh,
loadtest/server.py: tests and benchmarks) goes through this file, which sets the mode off in
the server process before Streamlit starts; `components/state._ensure_entrypoint` stays as
the safety net for a bare `streamlit run app.py`.

It turns Nagle's algorithm off on the server's connections (deploy/nodelay.py): Streamlit's
socket left it on, and a page's small messages waited for a client's delayed acknowledgements.

It also serves Streamlit's index.html adapted to the app (deploy/index_page.py): in French
from the first byte, and told where the app's root is, so that a cold visit of a page's
address connects at once instead of probing the page's path first."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # read once, when the first session starts
    sys.path.insert(0, str(ROOT))
    from components.navigation import PAGES
    from deploy import index_page, nodelay

    nodelay.install()  # the websockets without Nagle's algorithm (see deploy/nodelay.py)
    index_page.install([p.url for p in PAGES if not p.defaut])  # "/" is the default page's address
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
