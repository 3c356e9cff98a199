"""`python -m loadtest` runs end to end against a real local server: report structure and
zero errors on a short run (no timing assertion), and its safety limits."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from loadtest.client import Session
from loadtest.server import free_port, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
STARTUP_LIMIT_S = 120  # a start-up guard, not an assertion on speed


@pytest.fixture(scope="module")
def server():
    with streamlit_server(STARTUP_LIMIT_S) as running:
        yield running


@pytest.fixture
def fresh_server():
    with streamlit_server(STARTUP_LIMIT_S) as running:
        yield running


def loadtest(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loadtest", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_short_run_reports_no_error(server, tmp_path):
    url, pid = server
    out = tmp_path / "rapport.json"
    done = loadtest("--url", url, "--pid", str(pid), "--sessions", "2", "--duration", "10", "--think", "0.5", "1.5",
                    "--sample-every", "1", "--json", str(out))
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["erreurs"]["total"] == 0, report["erreurs"]["exemples"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["config"]["sessions"] == 2 and report["config"]["url"] == url
    assert set(report["temps"]) == {"ouverture", "navigation", "changement_commune"}
    assert report["temps"]["ouverture"]["fin_du_rendu"]["n"] >= 2  # every session opened a page
    assert report["actions"] >= 3
    for kind in report["temps"].values():
        for measure in kind.values():
            assert set(measure) == {"n", "p50_ms", "p95_ms", "max_ms"}
    assert set(report["erreurs"]) >= {"exceptions", "encadres_erreur", "pages_introuvables", "http", "delais_depasses",
                                      "connexions_perdues", "total", "exemples"}
    memoire = report["memoire"]["processus"][str(pid)]
    assert len(memoire["echantillons"]) >= 3
    assert all(mb > 0 for _, mb in memoire["echantillons"])
    assert memoire["peak_mb"] >= memoire["start_mb"] > 0
    assert "Erreurs : 0" in done.stdout


def test_a_broken_server_is_reported_as_errors(tmp_path):
    """Nothing listens on the port: HTTP errors are counted and the exit code says so."""
    out = tmp_path / "rapport.json"
    done = loadtest("--url", f"http://127.0.0.1:{free_port()}", "--sessions", "1", "--duration", "2", "--no-warmup",
                    "--json", str(out))
    report = json.loads(out.read_text(encoding="utf-8"))
    assert done.returncode == 1
    assert report["erreurs"]["http"] >= 1 and report["erreurs"]["total"] >= 1


@pytest.mark.parametrize("args", [
    ["--url", "http://example.org:8501"],
    ["--url", "http://10.0.0.1:8501"],
    ["--sessions", "61"],
    ["--sessions", "0"],
    ["--duration", "901"],
])
def test_limits_are_refused(args):
    """Only this machine, at most 60 sessions and 15 minutes: refused before anything starts."""
    done = loadtest(*args, timeout=60)
    assert done.returncode == 2
    assert "loadtest" in done.stderr


def _url_path(page_file: str) -> str:
    """The url path the app gives a page file (components/navigation.py, the one list of pages)."""
    from components import navigation

    for p in navigation.PAGES:
        if p.fichier == page_file:
            return p.url
    pytest.fail(f"{page_file} not in components/navigation.py")


def test_first_visitor_of_a_fresh_server_opening_a_page_by_its_address(fresh_server):
    """Streamlit 1.67 sends a spurious "Page not found" dialog (in English) to the first
    session of a fresh server that opens a page whose url_path differs from its file name:
    a visitor's bookmark after each restart. The Commune page, opened first, shows without it."""
    url, _ = fresh_server

    async def first_visit():
        s = Session(url, 120)
        try:
            return s, await s.open(_url_path("pages/commune.py"), "territoire=62119")
        finally:
            await s.close()

    session, res = asyncio.run(first_visit())
    assert not res.not_found, res.not_found
    assert not res.exceptions and not res.errors
    assert res.titles == ["Commune : Béthune"]
    assert "Territoire" in session.widgets  # app.py ran (sidebar), not the page file on its own


def _server_env_file() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "deploy" / "server.env").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            pairs[key] = value
    return pairs


def test_server_env_file_sets_the_malloc_arenas():
    assert _server_env_file().get("MALLOC_ARENA_MAX") == "2"


def test_test_and_benchmark_servers_run_with_the_server_env(server):
    """The process started by loadtest.server has deploy/server.env in its environment."""
    _, pid = server
    env = dict(item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if "=" in item)
    for key, value in _server_env_file().items():
        assert env.get(key) == value, key


def test_make_run_uses_the_server_env_and_the_environment_wins():
    import os
    env = {k: v for k, v in os.environ.items() if k not in _server_env_file()}
    out = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=60).stdout
    line = next(l for l in out.splitlines() if "streamlit_run.py app.py" in l)
    assert "MALLOC_ARENA_MAX=2" in line
    out = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                         env={**env, "MALLOC_ARENA_MAX": "4"}, timeout=60).stdout
    line = next(l for l in out.splitlines() if "streamlit_run.py app.py" in l)
    assert "MALLOC_ARENA_MAX=2" not in line
