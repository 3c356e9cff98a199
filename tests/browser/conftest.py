"""A real `streamlit run app.py` server on a free 127.0.0.1 port, and a headless Chromium.

The warehouse is the built one (datasets/warehouse/, or $CHIFFRES_CLEFS_WAREHOUSE); when
none is built the fixture builds one in a temporary folder with `python -m etl build`."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STARTUP_LIMIT_S = 90  # a start-up guard, not an assertion on speed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def _start(warehouse: Path, log_dir: Path):
    """Start `streamlit run app.py`; returns (process, url, log file) once it answers."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} absent: browser tests need Debian's chromium")
    port = _free_port()
    env = dict(os.environ, CHIFFRES_CLEFS_WAREHOUSE=str(warehouse))
    log = (log_dir / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url, log
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start (log: {log.name})")
        time.sleep(0.3)


def _stop(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    return _warehouse(tmp_path_factory)


@pytest.fixture(scope="session")
def server(warehouse, tmp_path_factory):
    pytest.importorskip("playwright.sync_api")
    proc, url, log = _start(warehouse, tmp_path_factory.mktemp("server"))
    yield url
    _stop(proc, log)


@pytest.fixture
def fresh_server(warehouse, tmp_path):
    """A server no browser has visited yet (its first request decides how Streamlit routes pages)."""
    pytest.importorskip("playwright.sync_api")
    proc, url, log = _start(warehouse, tmp_path)
    yield url
    _stop(proc, log)


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
