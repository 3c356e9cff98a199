"""deploy/serve.sh: two app processes behind nginx, sticky sessions, websocket through the
proxy, everything stopped on SIGTERM. Skipped where nginx is not installed (CI)."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from loadtest.client import Session

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
STARTUP_LIMIT_S = 180  # a start-up guard, not an assertion on speed

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason="nginx absent (apt-get install nginx) : démonstration non testée")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_ports(n: int) -> int:
    """A base port with n consecutive free ports after it."""
    start = 18500 + (os.getpid() % 60) * 16  # xdist workers start at different places
    for base in range(start, start + 2000, 7):
        if all(_free(base + i) for i in range(n)):
            return base
    pytest.skip("no free consecutive ports")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("serve")
    base, port = _free_ports(2), _free_ports(3) + 2
    env = dict(os.environ, RUN_DIR=str(run_dir), BASE_PORT=str(base))
    log = (run_dir / "serve.out").open("w")
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "serve.sh"), "2", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while not (run_dir / "ready").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"serve.sh did not start: {(run_dir / 'serve.out').read_text()}")
        time.sleep(0.5)
    app_pids = [int(p) for p in (run_dir / "app.pids").read_text().split()]
    yield f"http://127.0.0.1:{port}", run_dir, proc, app_pids
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    log.close()


def _routes(run_dir: Path) -> dict[str, set[str]]:
    routes = defaultdict(set)
    for line in (run_dir / "access.log").read_text().splitlines():
        m = re.search(r" upstream=(\S+) route=(\S+)", line)
        if m and m.group(1) != "-":
            routes[m.group(2)].add(m.group(1))
    return routes


def test_pages_and_websocket_sessions_through_nginx(served):
    url, run_dir, _, _ = served

    async def visit(query: str):
        s = Session(url, 120)
        try:
            res = await s.open("", query)
            commune = next(p for p in s.pages if "commune" in p)  # the Commune page's url path
            nav = await s.navigate(commune)
            return s.cookies, res, nav
        finally:
            await s.close()

    async def visits():
        return await asyncio.gather(*(visit(q) for q in ["", "territoire=62119", "territoire=62498"]))

    for cookies, res, nav in asyncio.run(visits()):
        assert re.fullmatch(r"[0-9a-f]{32}", cookies["cc_route"])
        assert not res.exceptions and not res.errors and not res.not_found
        assert res.titles and nav.titles and nav.titles[0].startswith("Commune")


def test_one_visitor_stays_on_one_process_and_both_processes_serve(served):
    url, run_dir, _, _ = served
    for _ in range(20):  # 20 new visitors: each gets its own route cookie
        with urllib.request.urlopen(url + "/", timeout=30) as r:
            cookie = r.headers["Set-Cookie"].split(";")[0]
        for path in ("/_stcore/health", "/_stcore/host-config", "/"):
            req = urllib.request.Request(url + path, headers={"Cookie": cookie})
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.status == 200
    routes = _routes(run_dir)
    assert routes and all(len(ups) == 1 for ups in routes.values()), routes
    assert len(set().union(*routes.values())) == 2


def test_app_processes_run_with_the_server_env(served):
    """serve.sh exports deploy/server.env (malloc arenas) to every app process."""
    app_pids = served[3]
    for pid in app_pids:
        env = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
        assert "MALLOC_ARENA_MAX=2" in env, pid


def test_javascript_is_sent_compressed(served):
    """Streamlit sends its scripts uncompressed; behind nginx a browser that accepts gzip gets them gzipped."""
    import gzip

    url = served[0]
    with urllib.request.urlopen(url + "/", timeout=30) as r:
        html = r.read().decode("utf-8")
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', html)
    assert script, html[:500]
    plain = urllib.request.urlopen(url + "/" + script.group(1), timeout=30).read()
    req = urllib.request.Request(url + "/" + script.group(1), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.headers.get("Content-Encoding") == "gzip"
        body = r.read()
    assert len(body) < len(plain) / 2
    assert gzip.decompress(body) == plain


def test_sigterm_stops_everything_it_started(served):
    url, run_dir, proc, app_pids = served
    nginx_pid = int((run_dir / "nginx.pid").read_text())
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    alive = lambda: [p for p in [*app_pids, nginx_pid] if Path(f"/proc/{p}").exists()]  # noqa: E731
    while alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive()
