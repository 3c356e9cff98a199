"""A real `streamlit run app.py` server on a free 127.0.0.1 port, and a headless Chromium.

The warehouse is the built one (datasets/warehouse/, or $CHIFFRES_CLEFS_WAREHOUSE); when
none is built the fixture builds one in a temporary folder with `python -m etl build`."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from loadtest.server import streamlit_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STARTUP_LIMIT_S = 90  # a start-up guard, not an assertion on speed


def _warehouse(tmp_path_factory) -> Path:
    env = os.environ.get("CHIFFRES_CLEFS_WAREHOUSE")
    if env:
        return Path(env)
    built = ROOT / "datasets" / "warehouse"
    if (built / "build.json").exists():
        return built
    out = tmp_path_factory.mktemp("warehouse") / "wh"
    subprocess.run([sys.executable, "-m", "etl", "build", "--out", str(out)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return out


# the servers' output, in tests/artifacts/: a failed test's report ends with its tail (a
# rare hang under load is then diagnosed from the CI output, not guessed at)
_LOGS: list[Path] = []
LOG_TAIL_CHARS = 6000


@contextmanager
def _server(warehouse: Path, name: str):
    """`streamlit run app.py` on a free 127.0.0.1 port (the load test's helper); yields its url."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} absent: browser tests need Debian's chromium")
    pytest.importorskip("playwright.sync_api")
    log = ARTIFACTS / f"streamlit-{name}.log"
    _LOGS.append(log)
    try:
        with streamlit_server(STARTUP_LIMIT_S, warehouse=str(warehouse), prefix="browser", log_path=log) as (url, _pid):
            yield url
    except RuntimeError as exc:  # did not start in time
        pytest.fail(str(exc))
    finally:
        _LOGS.remove(log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.failed and report.when == "call":
        for log in _LOGS:
            if log.exists():
                tail = log.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
                report.sections.append((f"{log.name} (fin)", tail))


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    return _warehouse(tmp_path_factory)


@pytest.fixture(scope="session")
def server(warehouse):
    with _server(warehouse, "session") as url:
        yield url


@pytest.fixture
def fresh_server(warehouse):
    """A server no browser has visited yet (its first request decides how Streamlit routes pages)."""
    with _server(warehouse, "fresh") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
