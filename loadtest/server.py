"""A `streamlit run app.py` on a free 127.0.0.1 port, for a load test that brings its own server."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# memory settings of every app process, shared with `make run` and deploy/serve.sh
SERVER_ENV_FILE = ROOT / "deploy" / "server.env"


def server_env(base: dict | None = None) -> dict[str, str]:
    """The environment of an app process: `base` (default os.environ) plus the KEY=VALUE
    lines of deploy/server.env that `base` does not already set."""
    env = dict(os.environ if base is None else base)
    for line in SERVER_ENV_FILE.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            env.setdefault(key, value)
    return env


LAUNCHER = Path(__file__).resolve().parents[1] / "deploy" / "streamlit_run.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(port: int, script: str = "app.py") -> list[str]:
    # through deploy/streamlit_run.py: Streamlit's old pages/ mode off from the first visitor on
    return [sys.executable, str(LAUNCHER), script, "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]


def wait_healthy(url: str, proc: subprocess.Popen | None, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"le serveur {url} ne répond pas")
        time.sleep(0.3)


@contextmanager
def streamlit_server(startup_limit_s: float = 120, warehouse: str | None = None, prefix: str = "loadtest",
                     script: str = "app.py", log_path: Path | None = None):
    """Yield (url, pid); only this process is stopped on exit (by its pid).
    `warehouse` points the server at another warehouse (benchmarks of other territories);
    `script` runs another Streamlit script of the repository (the benchmarks' floor apps);
    `log_path` keeps the server's output in that file (else a temporary file, deleted)."""
    port = free_port()
    env = server_env()
    if warehouse:
        env["CHIFFRES_CLEFS_WAREHOUSE"] = warehouse
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below, kept on disk
    else:
        log = tempfile.NamedTemporaryFile("w", prefix=f"{prefix}-streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(command(port, script), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, startup_limit_s)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if log_path is None:
            Path(log.name).unlink(missing_ok=True)
