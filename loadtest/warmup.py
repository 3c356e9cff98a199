"""`python -m loadtest.warmup URL...`: open the home page once on each freshly started process.

Streamlit 1.67 sends a spurious "Page not found" dialog to the first session of a fresh
server when it opens a page other than the home page (the page itself is drawn); one
home-page visit right after start-up avoids it and warms the caches (deploy/serve.sh)."""
from __future__ import annotations

import asyncio
import sys

from loadtest.client import local_only
from loadtest.scenario import warm_up


def main(urls: list[str]) -> int:
    for url in urls:
        asyncio.run(warm_up(local_only(url), 120))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
